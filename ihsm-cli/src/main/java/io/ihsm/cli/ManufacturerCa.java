package io.ihsm.cli;

import io.ihsm.host.AtomicFile;
import io.ihsm.host.OwnerOnly;
import io.ihsm.sdk.IhsmClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The manufacturer's certificate authority, which certifies each device's DeviceID key: a
 * development CA made on first use under {@code <home>/manufacturer/} and named as such, or a CA
 * key and certificate supplied from outside.
 */
final class ManufacturerCa {
  static final String DEV_NAME = "CN=ihsm development manufacturer CA (NOT FOR PRODUCTION),O=ihsm";
  private static final Date FOREVER = Date.from(Instant.parse("9999-12-31T23:59:59Z"));

  private final PrivateKey key;
  private final X509CertificateHolder root;

  private ManufacturerCa(PrivateKey key, X509CertificateHolder root) {
    this.key = key;
    this.root = root;
  }

  /**
   * The CA in {@code caKey}/{@code caCert} (PKCS#8 and X.509, DER or PEM), or the development CA.
   */
  static ManufacturerCa load(Path home, Path caKey, Path caCert) {
    try {
      if (caKey != null && caCert != null) {
        return new ManufacturerCa(
            privateKey(Pem.derOrPem(KeyCommand.readBounded(caKey, 16384), "PRIVATE KEY")),
            new X509CertificateHolder(
                Pem.derOrPem(KeyCommand.readBounded(caCert, 16384), "CERTIFICATE")));
      }
      if (caKey != null || caCert != null) {
        throw new CliFailure("--ca-key and --ca-cert go together");
      }
      Path dir = home.resolve("manufacturer");
      Path keyFile = dir.resolve("dev-ca.pk8");
      Path certFile = dir.resolve("dev-ca.der");
      if (!Files.exists(certFile)) {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp384r1"));
        KeyPair kp = g.generateKeyPair();
        byte[] self =
            issue(
                new X500Name(DEV_NAME),
                kp.getPrivate(),
                keyId(kp.getPublic().getEncoded()),
                new X500Name(DEV_NAME),
                kp.getPublic().getEncoded(),
                3);
        OwnerOnly.createDirectories(home);
        OwnerOnly.createDirectories(dir);
        byte[] pkcs8 = kp.getPrivate().getEncoded();
        try {
          AtomicFile.write(keyFile, pkcs8);
        } finally {
          Arrays.fill(pkcs8, (byte) 0);
        }
        AtomicFile.write(certFile, self);
      }
      return new ManufacturerCa(
          privateKey(Files.readAllBytes(keyFile)),
          new X509CertificateHolder(Files.readAllBytes(certFile)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or make the manufacturer CA", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot make a P-384 CA key", e);
    }
  }

  byte[] root() {
    try {
      return root.getEncoded();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The factory steps on a device: it makes its secret, this CA certifies its DeviceID key. Answers
   * its serial.
   */
  String manufacture(IhsmClient hsm) {
    String serial = hsm.deviceInfo().serialNumber();
    hsm.installDeviceCertificates(root(), issueDeviceId(hsm.manufacture(), serial));
    return serial;
  }

  /** A DeviceID certificate: a CA one level above the device's Alias certificate. */
  byte[] issueDeviceId(byte[] spki, String serialNumber) {
    try {
      // The root's own key identifier when it has one: path building matches on it.
      Extension rootKeyId = root.getExtension(Extension.subjectKeyIdentifier);
      byte[] issuerKeyId =
          rootKeyId != null
              ? SubjectKeyIdentifier.getInstance(rootKeyId.getParsedValue()).getKeyIdentifier()
              : keyId(root.getSubjectPublicKeyInfo().getEncoded());
      return issue(
          root.getSubject(),
          key,
          issuerKeyId,
          new X500Name("CN=ihsm DeviceID " + serialNumber + ",O=ihsm"),
          spki,
          1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] issue(
      X500Name issuer,
      PrivateKey signer,
      byte[] issuerKeyId,
      X500Name subject,
      byte[] spki,
      int pathLength) {
    try {
      byte[] ski = keyId(spki);
      X509v3CertificateBuilder b =
          new X509v3CertificateBuilder(
              issuer,
              new BigInteger(1, Arrays.copyOf(ski, 16)),
              Date.from(Instant.now().minusSeconds(60)),
              FOREVER,
              subject,
              SubjectPublicKeyInfo.getInstance(spki));
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(pathLength));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(Extension.subjectKeyIdentifier, false, new SubjectKeyIdentifier(ski));
      b.addExtension(
          Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(issuerKeyId));
      return b.build(new JcaContentSignerBuilder("SHA384withECDSA").build(signer)).getEncoded();
    } catch (IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot issue a certificate", e);
    }
  }

  /**
   * RFC 7093 method 1 (as the device computes it): leftmost 160 bits of SHA-256 of the key bits.
   */
  private static byte[] keyId(byte[] spki) {
    byte[] keyBits = SubjectPublicKeyInfo.getInstance(spki).getPublicKeyData().getBytes();
    try {
      return Arrays.copyOf(MessageDigest.getInstance("SHA-256").digest(keyBits), 20);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static PrivateKey privateKey(byte[] pkcs8) {
    try {
      return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    } catch (GeneralSecurityException e) {
      throw new CliFailure("the manufacturer CA key is not an EC PKCS#8 key");
    } finally {
      Arrays.fill(pkcs8, (byte) 0);
    }
  }
}
