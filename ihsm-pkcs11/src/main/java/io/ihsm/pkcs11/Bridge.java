package io.ihsm.pkcs11;

import io.ihsm.pkcs11.object.ObjectStore;
import io.ihsm.pkcs11.wire.Request;
import io.ihsm.pkcs11.wire.Response;
import io.ihsm.sdk.DeviceAddress;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.IhsmException;
import io.ihsm.sdk.store.HostKeyStore;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The Java side of {@code libihsm-pkcs11.so}. The C module starts one bridge per process that calls
 * C_Initialize, connected by a socket pair on the bridge's standard input and output, and sends
 * each PKCS#11 call as a frame: {@code u32 length, u32 function, arguments}; the bridge answers
 * {@code u32 length, u64 CK_RV, outputs} (docs/pkcs11.md). It talks to the daemon with the SDK,
 * like any other host program. Standard error is the bridge's log; nothing secret goes there.
 */
public final class Bridge {
  /** The largest frame either side accepts. */
  public static final int MAX_FRAME = 4 << 20;

  private Bridge() {}

  public static void main(String[] args) throws IOException {
    InputStream in = new BufferedInputStream(new FileInputStream(FileDescriptor.in));
    OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out));
    System.setOut(System.err); // nothing but frames may reach the C module
    Cryptoki cryptoki;
    try {
      cryptoki = create(Pkcs11Config.from(System.getenv()));
    } catch (RuntimeException e) {
      log("cannot start: " + e.getMessage());
      cryptoki = null;
    }
    serve(cryptoki, in, out);
  }

  static Cryptoki create(Pkcs11Config config) {
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
    log("serving " + names + " on the daemon at " + config.socketDir());
    return new Cryptoki(tokens, link::client, config.maxPinFailures());
  }

  /**
   * Answers frames until the C side closes its end; a configuration error answers every call with
   * it.
   */
  static void serve(Cryptoki cryptoki, InputStream rawIn, OutputStream rawOut) throws IOException {
    DataInputStream in = new DataInputStream(rawIn);
    DataOutputStream out = new DataOutputStream(rawOut);
    try {
      while (true) {
        int length;
        try {
          length = in.readInt();
        } catch (EOFException closed) {
          return;
        }
        if (length < 4 || length > MAX_FRAME) {
          log("a frame of " + length + " bytes: closing");
          return;
        }
        byte[] body = in.readNBytes(length);
        if (body.length != length) {
          return;
        }
        Request r = new Request(body);
        int code = r.u32();
        Function f = Function.fromCode(code);
        byte[] answer;
        if (cryptoki == null) {
          answer =
              new Response(Ck.CKR_GENERAL_ERROR)
                  .toBytes(); // the log says what is wrong with the configuration
        } else if (f == Function.INITIALIZE) {
          answer = Response.ok().toBytes();
        } else if (f == null) {
          answer = new Response(Ck.CKR_FUNCTION_NOT_SUPPORTED).toBytes();
        } else {
          answer = cryptoki.call(f, r);
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
      if (cryptoki != null) {
        try {
          cryptoki.finish();
        } catch (RuntimeException e) {
          log("closing: " + e.getMessage());
        }
      }
    }
  }

  static void log(String line) {
    System.err.println(Instant.now() + " ihsm-pkcs11: " + line);
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
  }
}
