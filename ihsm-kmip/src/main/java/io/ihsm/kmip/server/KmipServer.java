package io.ihsm.kmip.server;

import io.ihsm.kmip.protocol.KmipException;
import io.ihsm.kmip.protocol.Request;
import io.ihsm.kmip.protocol.Response;
import io.ihsm.kmip.protocol.ResultReason;
import io.ihsm.kmip.ttlv.Ttlv;
import io.ihsm.kmip.ttlv.TtlvCodec;
import io.ihsm.kmip.ttlv.TtlvException;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.IhsmException;
import io.ihsm.sdk.PartitionClient;
import io.ihsm.sdk.store.HostKeyStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * The KMIP server: TLS 1.2 or 1.3 with a client certificate the client map names, then TTLV
 * requests, each answered in order on the connection. Bounded: 64 connections, messages of 1 MiB,
 * 64 items a batch, 30 s for a message once it starts and 5 minutes idle between messages.
 */
public final class KmipServer implements AutoCloseable {
  static final int MAX_CONNECTIONS = 64;
  static final int IDLE_MILLIS = 300_000;
  static final int MESSAGE_MILLIS = 30_000;

  private final SSLServerSocket listener;
  private final ClientMap clients;
  private final IhsmClient hsm;
  private final Path home;
  private final PrintWriter log;
  private final Operations operations = new Operations();
  private final Map<String, KmipPartition> partitions = new ConcurrentHashMap<>();
  private final Semaphore connections = new Semaphore(MAX_CONNECTIONS);
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
  private final Thread acceptor;

  private KmipServer(
      SSLServerSocket listener, ClientMap clients, IhsmClient hsm, Path home, PrintWriter log) {
    this.listener = listener;
    this.clients = clients;
    this.hsm = hsm;
    this.home = home;
    this.log = log;
    this.acceptor = Thread.ofPlatform().name("ihsm-kmip-accept").daemon().unstarted(this::accept);
  }

  /**
   * Listens on {@code address}; the client map's PIN files are checked now, so a wrong one fails
   * here and not at a client's first request.
   */
  public static KmipServer start(
      InetSocketAddress address,
      SSLContext tls,
      Path clientMap,
      IhsmClient hsm,
      Path home,
      PrintWriter log)
      throws IOException {
    ClientMap map = ClientMap.load(clientMap);
    for (ClientMap.Client c : map.clients()) {
      readPin(c.pinFile());
    }
    SSLServerSocket s = (SSLServerSocket) tls.getServerSocketFactory().createServerSocket();
    s.setEnabledProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
    s.setNeedClientAuth(true);
    s.setReuseAddress(true);
    s.bind(address, 64);
    KmipServer server = new KmipServer(s, map, hsm, home, log);
    server.acceptor.start();
    return server;
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) listener.getLocalSocketAddress();
  }

  private void accept() {
    while (!listener.isClosed()) {
      Socket s;
      try {
        s = listener.accept();
      } catch (IOException e) {
        if (listener.isClosed()) {
          return;
        }
        continue;
      }
      if (!connections.tryAcquire()) {
        closeQuietly(s); // over the limit: refused before the handshake costs anything
        continue;
      }
      threads.execute(
          () -> {
            try {
              serve((SSLSocket) s);
            } finally {
              connections.release();
              closeQuietly(s);
            }
          });
    }
  }

  private void serve(SSLSocket s) {
    String peer = s.getRemoteSocketAddress().toString();
    Optional<ClientMap.Client> client;
    try {
      s.setSoTimeout(MESSAGE_MILLIS);
      s.startHandshake();
      client = clients.find((X509Certificate) s.getSession().getPeerCertificates()[0]);
    } catch (IOException | RuntimeException e) {
      note("refused " + peer + ": the TLS handshake failed (" + e.getClass().getSimpleName() + ")");
      return;
    }
    if (client.isEmpty()) {
      note("refused " + peer + ": its certificate is in no client mapping");
      return;
    }
    KmipPartition partition;
    try {
      partition = partitions.computeIfAbsent(client.get().partition(), p -> open(client.get()));
    } catch (IhsmException | UncheckedIOException e) {
      note("refused " + peer + ": partition " + client.get().partition() + ": " + e.getMessage());
      return;
    }
    note(
        "client "
            + client.get().name()
            + " ("
            + peer
            + ") on partition "
            + client.get().partition());
    try (InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream()) {
      while (true) {
        byte[] message;
        try {
          message = read(s, in);
        } catch (TtlvException e) {
          // Oversized, or cut short: answered, then closed (the stream cannot be followed).
          out.write(
              TtlvCodec.encode(Response.refusal(ResultReason.INVALID_MESSAGE, e.getMessage())));
          out.flush();
          return;
        }
        if (message == null) {
          return;
        }
        Ttlv answer;
        boolean close = false;
        try {
          answer = operations.serve(Request.parse(TtlvCodec.decode(message)), partition);
        } catch (TtlvException e) {
          answer = Response.refusal(ResultReason.INVALID_MESSAGE, "not TTLV: " + e.getMessage());
          close = true;
        } catch (KmipException e) {
          answer = Response.refusal(e.reason(), e.getMessage());
          close = true;
        }
        out.write(TtlvCodec.encode(answer));
        out.flush();
        if (close) {
          return; // a stream that did not parse cannot be followed further
        }
      }
    } catch (SocketTimeoutException e) {
      note("closed " + peer + ": too slow");
    } catch (SSLException e) {
      note("closed " + peer + ": " + e.getClass().getSimpleName());
    } catch (IOException e) {
      // the client went away
    } catch (RuntimeException e) {
      // A bug must not take the server with it; the client's connection ends, said in the log.
      note("closed " + peer + ": internal error (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** One message, its length checked from its header before the rest is read; null at the end. */
  private static byte[] read(SSLSocket s, InputStream in) throws IOException, TtlvException {
    s.setSoTimeout(IDLE_MILLIS);
    byte[] header = in.readNBytes(8);
    if (header.length == 0) {
      return null;
    }
    if (header.length < 8) {
      throw new TtlvException("the connection ended inside a header");
    }
    int total = TtlvCodec.itemLength(header);
    long deadline = System.currentTimeMillis() + MESSAGE_MILLIS;
    byte[] message = Arrays.copyOf(header, total);
    int at = 8;
    s.setSoTimeout(MESSAGE_MILLIS);
    while (at < total) {
      int n = in.read(message, at, Math.min(total - at, 16 * 1024));
      if (n < 0) {
        throw new TtlvException("the connection ended inside a message");
      }
      at += n;
      if (System.currentTimeMillis() > deadline) {
        throw new SocketTimeoutException("a message took over " + MESSAGE_MILLIS + " ms");
      }
    }
    return message;
  }

  private KmipPartition open(ClientMap.Client c) {
    String pin;
    try {
      pin = readPin(c.pinFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    PartitionClient client = PartitionClient.open(hsm, HostKeyStore.at(home), c.partition(), pin);
    return new KmipPartition(client, new KmipObjects(home, c.partition()));
  }

  /** A PIN file: owner-only, one line. */
  private static String readPin(Path file) throws IOException {
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
    if (perms.stream()
        .anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
      throw new IllegalArgumentException(file + " is readable by others: chmod 600 it");
    }
    if (Files.size(file) > 1024) {
      throw new IllegalArgumentException(file + " is too large for a PIN");
    }
    String pin = Files.readString(file, StandardCharsets.UTF_8).strip();
    if (pin.isEmpty()) {
      throw new IllegalArgumentException(file + " holds no PIN");
    }
    return pin;
  }

  private void note(String line) {
    if (log != null) {
      synchronized (log) {
        log.println("ihsm kmip: " + line);
        log.flush();
      }
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closed already
    }
  }

  @Override
  public void close() {
    try {
      listener.close();
    } catch (IOException e) {
      // closed already
    }
    threads.shutdownNow();
    for (KmipPartition p : partitions.values()) {
      try {
        p.client.close();
      } catch (RuntimeException e) {
        // the device went away
      }
    }
  }
}
