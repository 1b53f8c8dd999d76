package io.ihsm.pkcs11;

import io.ihsm.pkcs11.object.ObjectStore;
import io.ihsm.pkcs11.wire.Request;
import io.ihsm.pkcs11.wire.Response;
import io.ihsm.sdk.DeviceAddress;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.IhsmException;
import io.ihsm.sdk.store.HostKeyStore;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Java side of {@code libihsm-pkcs11.so}. The user's bridge service ({@link BridgeService})
 * accepts one connection per application that called C_Initialize; on it each PKCS#11 call comes as
 * a frame, {@code u32 length, u32 function, arguments}, and is answered {@code u32 length, u64
 * CK_RV, outputs} (docs/pkcs11.md). The first call, INITIALIZE, carries the application's settings,
 * from which its slots are made; every connection has its own sessions and login state. It talks to
 * the daemon with the SDK, like any other host program.
 */
public final class Bridge {
  /** The largest frame either side accepts. */
  public static final int MAX_FRAME = 4 << 20;

  /** The most settings, and the longest one, a handshake may carry. */
  static final int MAX_SETTINGS = 32;

  static final int MAX_SETTING_BYTES = 8192;

  private Bridge() {}

  /** {@code --service DIR NAME [IDLE_SECONDS]}: as the module's launcher runs it. */
  public static void main(String[] args) throws IOException {
    System.setOut(System.err); // the service's standard error is its log
    if (args.length < 3 || args.length > 4 || !args[0].equals("--service")) {
      System.err.println("usage: ihsm-pkcs11-bridge --service DIR NAME [IDLE_SECONDS]");
      System.exit(2);
    }
    Duration idle = BridgeService.DEFAULT_IDLE;
    if (args.length == 4) {
      try {
        idle = Duration.ofSeconds(Long.parseLong(args[3].strip()));
      } catch (NumberFormatException e) {
        idle = Duration.ZERO;
      }
      if (idle.compareTo(Duration.ofSeconds(1)) < 0 || idle.compareTo(Duration.ofDays(7)) > 0) {
        System.err.println("bridge-idle-seconds must be 1 to 604800, not " + args[3]);
        System.exit(2);
      }
    }
    BridgeService.run(Path.of(args[1]), args[2], idle);
  }

  /** One application's bridge: its slots and sessions, and its connection to the daemon. */
  record Application(Cryptoki cryptoki, DeviceLink link) {
    void close() {
      try {
        cryptoki.finish();
      } finally {
        if (link != null) {
          link.close();
        }
      }
    }
  }

  /** Makes an application's bridge from its handshake's settings. */
  interface Setup {
    Application open(Map<String, String> settings);
  }

  /** The bridge an application's settings describe; a bad configuration throws, saying what. */
  static Application open(Map<String, String> settings) {
    Pkcs11Config config = Pkcs11Config.from(settings);
    BridgeLog log =
        BridgeLog.application(
            config.log(),
            settings.getOrDefault("pid", "?"),
            "1".equals(settings.get("IHSM_PKCS11_TRACE")));
    HostKeyStore store = HostKeyStore.at(config.home());
    DeviceLink link = new DeviceLink(DeviceAddress.daemon(config.socketDir()));
    List<String> names = config.partitions().isEmpty() ? store.partitions() : config.partitions();
    List<Token> tokens = new ArrayList<>();
    for (String name : names) {
      var entry =
          store
              .partition(name)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "no partition " + name + " in the key store at " + config.home()));
      tokens.add(
          new Token(
              entry.id(),
              name,
              store,
              new ObjectStore(config.home(), name),
              link::client,
              new OwnerKey(config.ownerKey())));
    }
    log.line("serving " + names + " on the daemon at " + config.socketDir());
    return new Application(new Cryptoki(tokens, link::client, config.maxPinFailures(), log), link);
  }

  /** Answers frames from a bridge already set up (the tests' and the fuzzer's way in). */
  static void serve(Cryptoki ready, InputStream in, OutputStream out) throws IOException {
    serve(
        settings -> {
          throw new IllegalStateException("already initialized");
        },
        new Application(ready, null),
        in,
        out);
  }

  /**
   * Answers one application's frames until it closes its end or finalizes. Until its INITIALIZE is
   * answered CKR_OK, every other call is CKR_CRYPTOKI_NOT_INITIALIZED; a configuration that cannot
   * be used answers INITIALIZE CKR_GENERAL_ERROR and the application's log says why.
   */
  static void serve(Setup setup, Application ready, InputStream rawIn, OutputStream rawOut)
      throws IOException {
    DataInputStream in = new DataInputStream(rawIn);
    DataOutputStream out = new DataOutputStream(rawOut);
    Application app = ready;
    try {
      while (true) {
        int length;
        try {
          length = in.readInt();
        } catch (EOFException closed) {
          return;
        }
        if (length < 4 || length > MAX_FRAME) {
          BridgeLog.service().line("a frame of " + length + " bytes: closing the connection");
          return;
        }
        byte[] body = in.readNBytes(length);
        if (body.length != length) {
          return;
        }
        Request r = new Request(body);
        Function f = Function.fromCode(r.u32());
        byte[] answer;
        if (f == Function.INITIALIZE) {
          if (app == null) {
            app = initialize(setup, r);
            answer = new Response(app == null ? Ck.CKR_GENERAL_ERROR : Ck.CKR_OK).toBytes();
          } else {
            answer = Response.ok().toBytes();
          }
        } else if (app == null) {
          answer = new Response(Ck.CKR_CRYPTOKI_NOT_INITIALIZED).toBytes();
        } else if (f == null) {
          answer = new Response(Ck.CKR_FUNCTION_NOT_SUPPORTED).toBytes();
        } else {
          answer = app.cryptoki().call(f, r);
        }
        Arrays.fill(body, (byte) 0); // it may have held a PIN or data to encrypt
        out.writeInt(answer.length);
        out.write(answer);
        out.flush();
        if (f == Function.FINALIZE) {
          return;
        }
      }
    } finally {
      if (app != null) {
        try {
          app.close();
        } catch (RuntimeException e) {
          BridgeLog.service().line("closing an application: " + e.getMessage());
        }
      }
    }
  }

  /** The application's bridge from its INITIALIZE, or null when it cannot be made (logged). */
  private static Application initialize(Setup setup, Request r) {
    Map<String, String> settings;
    try {
      settings = settings(r);
    } catch (CkException e) {
      BridgeLog.service().line("a malformed INITIALIZE: " + e.getMessage());
      return null;
    }
    try {
      return setup.open(settings);
    } catch (RuntimeException e) {
      BridgeLog.application(Pkcs11Config.logOf(settings), settings.getOrDefault("pid", "?"), false)
          .line("cannot start: " + e.getMessage());
      return null;
    }
  }

  /** {@code u32 count}, then {@code bytes name, bytes value} each, bounded. */
  static Map<String, String> settings(Request r) {
    int count = r.u32();
    if (count < 0 || count > MAX_SETTINGS) {
      throw new CkException(Ck.CKR_ARGUMENTS_BAD, count + " settings; at most " + MAX_SETTINGS);
    }
    Map<String, String> settings = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      byte[] name = r.bytes();
      byte[] value = r.bytes();
      if (name == null || value == null || name.length > 64 || value.length > MAX_SETTING_BYTES) {
        throw new CkException(Ck.CKR_ARGUMENTS_BAD, "setting " + i + " is missing or too long");
      }
      settings.put(
          new String(name, StandardCharsets.UTF_8), new String(value, StandardCharsets.UTF_8));
    }
    return settings;
  }

  /** The daemon connection, made when first needed and again after it fails. */
  static final class DeviceLink {
    private final DeviceAddress address;
    private IhsmClient client;

    DeviceLink(DeviceAddress address) {
      this.address = address;
    }

    synchronized IhsmClient client() {
      if (client == null) {
        try {
          client = IhsmClient.connect(address, Duration.ofSeconds(10));
        } catch (IhsmException | UncheckedIOException e) {
          throw new CkException(
              Ck.CKR_DEVICE_REMOVED, "the daemon at " + address + " does not answer");
        }
      }
      return client;
    }

    synchronized void close() {
      if (client != null) {
        client.close();
        client = null;
      }
    }
  }
}
