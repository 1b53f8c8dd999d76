package io.ihsm.verify;

import io.ihsm.ddi.credential.Credential;
import io.ihsm.ddi.message.PartitionLimits;
import io.ihsm.sdk.CryptoOfficerSession;
import io.ihsm.sdk.DeviceAddress;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.PartitionClient;
import io.ihsm.sdk.store.HostKeyStore;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A test manufacturer CA, and embedded devices it manufactures with one provisioned partition each.
 */
final class TestManufacturer {
  static final String PIN = "app-pin-1234";
  static final String NAME = "CN=test manufacturer,O=ihsm tests";

  final KeyPair key = p384();
  final X509Certificate root = issue(NAME, key, NAME, key.getPublic(), null, 2);

  static KeyPair p384() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp384r1"));
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  X509Certificate issue(
      String issuer,
      KeyPair signer,
      String subject,
      PublicKey subjectKey,
      X509Certificate issuerCert,
      int pathLength) {
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      var b =
          new JcaX509v3CertificateBuilder(
              new X500Name(issuer),
              BigInteger.valueOf(System.nanoTime()),
              new Date(System.currentTimeMillis() - 60_000),
              new Date(System.currentTimeMillis() + 86_400_000L),
              new X500Name(subject),
              subjectKey);
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(pathLength));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign));
      b.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(subjectKey));
      b.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          issuerCert == null
              ? ext.createAuthorityKeyIdentifier(subjectKey)
              : ext.createAuthorityKeyIdentifier(issuerCert));
      return new JcaX509CertificateConverter()
          .getCertificate(
              b.build(new JcaContentSignerBuilder("SHA384withECDSA").build(signer.getPrivate())));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** An embedded device at {@code home}, manufactured by this CA, with a Crypto Officer. */
  Device device(Path home) throws Exception {
    IhsmClient hsm = IhsmClient.connect(DeviceAddress.embedded(home));
    PublicKey deviceId =
        KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(hsm.manufacture()));
    X509Certificate cert =
        issue(NAME, key, "CN=DeviceID " + hsm.deviceInfo().serialNumber(), deviceId, root, 1);
    hsm.installDeviceCertificates(root.getEncoded(), cert.getEncoded());
    hsm.initCryptoOfficer(officer());
    return new Device(hsm, HostKeyStore.at(home));
  }

  static Credential officer() {
    byte[] id = new byte[16];
    Arrays.fill(id, (byte) 7);
    return Credential.of(id, "officer-pin");
  }

  record Device(IhsmClient hsm, HostKeyStore store) implements AutoCloseable {
    /** A new provisioned partition, opened. */
    PartitionClient partition(String name) throws Exception {
      try (CryptoOfficerSession co = hsm.loginCryptoOfficer(officer())) {
        PartitionClient.create(
            hsm, co, store, name, PartitionLimits.DEFAULTS, p384().getPublic().getEncoded(), PIN);
      }
      return PartitionClient.open(hsm, store, name, PIN);
    }

    List<X509Certificate> deviceChain() {
      return leafFirstWithoutRoot(hsm.certificateChain());
    }

    @Override
    public void close() {
      hsm.close();
    }
  }

  /**
   * Certificates given root first, as the device answers them, turned leaf first without the root.
   */
  static List<X509Certificate> leafFirstWithoutRoot(List<byte[]> rootFirst) {
    List<X509Certificate> out = new ArrayList<>();
    try {
      for (byte[] der : rootFirst.subList(1, rootFirst.size()).reversed()) {
        out.add(
            (X509Certificate)
                CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der)));
      }
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    return out;
  }
}
