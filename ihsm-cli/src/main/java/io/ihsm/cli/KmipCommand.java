package io.ihsm.cli;

import io.ihsm.kmip.server.KmipServer;
import io.ihsm.kmip.server.TlsContext;
import io.ihsm.sdk.IhsmClient;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import javax.net.ssl.SSLContext;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** `ihsm kmip`: the KMIP server, until SIGTERM or SIGINT. */
@Command(
    name = "kmip",
    mixinStandardHelpOptions = true,
    description = {
      "Serve KMIP 1.0-1.4 over TLS 1.2+ with client certificates, each mapped to a partition"
          + " (docs/kmip.md).",
      "The partitions' PINs come from the files the client map names, never the command line."
    })
final class KmipCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--listen",
      paramLabel = "HOST:PORT",
      defaultValue = "127.0.0.1:5696",
      description = "Where to listen (default ${DEFAULT-VALUE}; 5696 is KMIP's port).")
  String listen;

  @Option(
      names = "--tls-cert",
      required = true,
      paramLabel = "FILE",
      description = "The server's certificate chain, PEM, leaf first.")
  Path certificate;

  @Option(
      names = "--tls-key",
      required = true,
      paramLabel = "FILE",
      description = "The server's private key, PEM PKCS#8 (RSA or EC), owner-only.")
  Path key;

  @Option(
      names = "--client-ca",
      required = true,
      paramLabel = "FILE",
      description = "The CA(s) whose client certificates are accepted, PEM.")
  Path clientCa;

  @Option(
      names = "--clients",
      required = true,
      paramLabel = "FILE",
      description = "The client map: each client certificate's SHA-256, partition and PIN file.")
  Path clients;

  @Override
  public Integer call() throws Exception {
    InetSocketAddress address = address(listen);
    SSLContext tls;
    try {
      tls = TlsContext.fromPem(certificate, key, clientCa);
    } catch (IllegalArgumentException | UncheckedIOException | java.io.IOException e) {
      throw new CliFailure("--tls-cert/--tls-key/--client-ca: " + e.getMessage());
    }
    IhsmCommand root = IhsmCommand.of(spec);
    PrintWriter out = spec.commandLine().getOut();
    try (IhsmClient hsm = root.connect();
        KmipServer server = start(address, tls, hsm, root, out)) {
      CountDownLatch stop = new CountDownLatch(1);
      Signal.handle(new Signal("TERM"), sig -> stop.countDown());
      Signal.handle(new Signal("INT"), sig -> stop.countDown());
      out.printf(
          "ihsm kmip: serving %s:%d on %s%n",
          server.address().getHostString(), server.address().getPort(), hsm.describeTransport());
      out.flush();
      stop.await();
    }
    out.println("ihsm kmip: stopped");
    out.flush();
    return ExitCodes.OK;
  }

  private KmipServer start(
      InetSocketAddress address,
      SSLContext tls,
      IhsmClient hsm,
      IhsmCommand root,
      PrintWriter out) {
    try {
      return KmipServer.start(address, tls, clients, hsm, root.home(), out);
    } catch (IllegalArgumentException | UncheckedIOException e) {
      throw new CliFailure("--clients: " + e.getMessage());
    } catch (java.io.IOException e) {
      throw new CliFailure("cannot listen on " + listen + ": " + e.getMessage());
    }
  }

  private static InetSocketAddress address(String listen) {
    int colon = listen.lastIndexOf(':');
    try {
      int port = Integer.parseInt(listen.substring(colon + 1));
      if (colon <= 0 || port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return new InetSocketAddress(listen.substring(0, colon), port);
    } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
      throw new CliFailure.Usage("--listen is HOST:PORT, e.g. 127.0.0.1:5696");
    }
  }
}
