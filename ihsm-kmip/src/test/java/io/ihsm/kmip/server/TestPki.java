package io.ihsm.kmip.server;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A test CA and the certificates it issues, written as PEM files the server and PyKMIP read. */
final class TestPki {
  record Issued(Path certificate, Path key, X509Certificate cert) {
    String sha256() throws Exception {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
    }
  }

  final Path dir;
  final String name;
  final KeyPair caKey;
  final X509Certificate ca;
  private long serial = 2;

  TestPki(Path dir, String name) throws Exception {
    this.dir = dir;
    this.name = name;
    this.caKey = p256();
    this.ca = certificate("CN=" + name, caKey, "CN=" + name, caKey, true, false);
    Files.writeString(caFile(), pem("CERTIFICATE", ca.getEncoded()));
  }

  Path caFile() {
    return dir.resolve(name + "-ca.pem");
  }

  Issued issue(String cn, boolean server) throws Exception {
    KeyPair k = p256();
    X509Certificate c = certificate("CN=" + name, caKey, "CN=" + cn, k, false, server);
    Path cert = dir.resolve(name + "-" + cn + ".pem");
    Path key = dir.resolve(name + "-" + cn + ".key");
    Files.writeString(cert, pem("CERTIFICATE", c.getEncoded()));
    Files.writeString(key, pem("PRIVATE KEY", k.getPrivate().getEncoded()));
    return new Issued(cert, key, c);
  }

  private static KeyPair p256() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private X509Certificate certificate(
      String issuer,
      KeyPair issuerKey,
      String subject,
      KeyPair subjectKey,
      boolean ca,
      boolean server)
      throws Exception {
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            new X500Name(issuer),
            BigInteger.valueOf(serial++),
            Date.from(now.minus(Duration.ofHours(1))),
            Date.from(now.plus(Duration.ofDays(2))),
            new X500Name(subject),
            subjectKey.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
    if (server) {
      b.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(
              new GeneralName[] {
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.dNSName, "localhost")
              }));
    }
    return new JcaX509CertificateConverter()
        .getCertificate(
            b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey.getPrivate())));
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
