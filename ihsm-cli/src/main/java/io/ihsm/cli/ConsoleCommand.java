package io.ihsm.cli;

import io.ihsm.kmip.server.TlsContext;
import io.ihsm.sdk.IhsmClient;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** `ihsm console`: the read-only web console for the Crypto Officer, over TLS. */
@Command(
    name = "console",
    mixinStandardHelpOptions = true,
    description = {
      "Serve a read-only web console over HTTPS: the device, partitions, keys (labels, kinds,",
      "versions; never material), self-tests, tamper history, the audit trail and the compliance",
      "report, refreshed live. The Crypto Officer logs in with the PIN; each failed login counts",
      "towards the device's lockout, so the console allows one try a second and pauses after 3."
    },
    footer = {
      "",
      "Example:",
      "  ihsm console --listen 127.0.0.1:8443 --tls-cert console.pem --tls-key console.key"
    })
final class ConsoleCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--listen",
      paramLabel = "HOST:PORT",
      defaultValue = "127.0.0.1:8443",
      description = "Where to serve HTTPS (default 127.0.0.1:8443; port 0 takes a free one).")
  String listen;

  @Option(
      names = "--tls-cert",
      paramLabel = "PEM",
      description =
          "The server's certificate chain, PEM (default: a self-signed certificate made at start, its fingerprint printed).")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "PEM", description = "Its private key, PKCS#8 PEM.")
  Path tlsKey;

  @Override
  public Integer call() throws Exception {
    InetSocketAddress address = HostPort.parse(listen, "--listen");
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new CliFailure.Usage("--tls-cert and --tls-key go together");
    }
    IhsmCommand root = IhsmCommand.of(spec);
    PrintWriter out = spec.commandLine().getOut();
    SSLContext tls;
    String fingerprint;
    if (tlsCert != null) {
      try {
        tls = TlsContext.fromPem(tlsCert, tlsKey, null);
      } catch (IllegalArgumentException e) {
        throw new CliFailure(e.getMessage());
      }
      fingerprint = null;
    } else {
      SelfSigned s = selfSigned(address.getAddress().getHostAddress());
      tls = s.context();
      fingerprint = s.fingerprint();
    }
    try (IhsmClient hsm = root.connect();
        ConsoleServer server = ConsoleServer.start(hsm, root.home(), tls, address)) {
      out.printf(
          "ihsm console: https://%s:%d/ (read-only; the Crypto Officer's PIN logs in)%n",
          address.getAddress().getHostAddress(), server.port());
      if (fingerprint != null) {
        out.printf(
            "ihsm console: self-signed certificate, SHA-256 fingerprint %s (use --tls-cert and --tls-key for your own)%n",
            fingerprint);
      }
      out.flush();
      CountDownLatch stop = new CountDownLatch(1);
      Signal.handle(new Signal("TERM"), sig -> stop.countDown());
      Signal.handle(new Signal("INT"), sig -> stop.countDown());
      stop.await();
    }
    return ExitCodes.OK;
  }

  record SelfSigned(SSLContext context, String fingerprint) {}

  /** A fresh P-256 key and a certificate for {@code host}, valid a year, for this run only. */
  static SelfSigned selfSigned(String host) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    KeyPair kp = g.generateKeyPair();
    X500Name name = new X500Name("CN=ihsm console " + host + ",O=ihsm");
    Instant now = Instant.now();
    X509v3CertificateBuilder b =
        new X509v3CertificateBuilder(
            name,
            new BigInteger(64, new SecureRandom()),
            Date.from(now.minusSeconds(60)),
            Date.from(now.plus(Duration.ofDays(365))),
            name,
            SubjectPublicKeyInfo.getInstance(kp.getPublic().getEncoded()));
    GeneralName san =
        host.matches("[0-9.]+|[0-9a-fA-F:]+")
            ? new GeneralName(GeneralName.iPAddress, host)
            : new GeneralName(GeneralName.dNSName, host);
    b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(san));
    byte[] der =
        b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())).getEncoded();
    X509Certificate cert =
        (X509Certificate)
            CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(der));
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    char[] none = new char[0];
    ks.setKeyEntry("console", kp.getPrivate(), none, new Certificate[] {cert});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, none);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    return new SelfSigned(
        ctx,
        HexFormat.ofDelimiter(":").formatHex(MessageDigest.getInstance("SHA-256").digest(der)));
  }
}
