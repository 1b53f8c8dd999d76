package io.ihsm.jca;

import io.ihsm.ddi.credential.Credential;
import io.ihsm.ddi.message.PartitionLimits;
import io.ihsm.sdk.CryptoOfficerSession;
import io.ihsm.sdk.DeviceAddress;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.PartitionClient;
import io.ihsm.sdk.store.HostKeyStore;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A provisioned partition on a device (embedded, or a daemon's), and a PIN file for the provider.
 */
final class ProviderFixture {
  static final String PIN = "app-pin-1234";

  static Credential officer() {
    byte[] id = new byte[16];
    Arrays.fill(id, (byte) 7);
    return Credential.of(id, "officer-pin");
  }

  /**
   * Creates partition {@code name} on the device at {@code address}, its blobs in the store under
   * {@code home}.
   */
  static void partition(DeviceAddress address, Path home, String name, boolean firstOnDevice)
      throws Exception {
    try (IhsmClient hsm = IhsmClient.connect(address)) {
      if (firstOnDevice) {
        hsm.initCryptoOfficer(officer());
      }
      try (CryptoOfficerSession co = hsm.loginCryptoOfficer(officer())) {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp384r1"));
        PartitionClient.create(
            hsm,
            co,
            HostKeyStore.at(home),
            name,
            PartitionLimits.DEFAULTS,
            g.generateKeyPair().getPublic().getEncoded(),
            PIN);
      }
    }
  }

  static Path pinFile(Path dir) throws Exception {
    Path f = dir.resolve("pin");
    Files.writeString(f, PIN + "\n");
    return f;
  }

  /**
   * A self-signed certificate for a key pair, signed through {@code provider} (null: the JDK's).
   */
  static X509Certificate selfSigned(
      String cn, PublicKey pub, PrivateKey priv, String sigAlg, Provider provider)
      throws Exception {
    return selfSigned(cn, pub, priv, sigAlg, provider, 0);
  }

  /**
   * @param keyUsage Bouncy Castle KeyUsage bits for the certificate's KeyUsage extension, 0 for
   *     none
   */
  static X509Certificate selfSigned(
      String cn, PublicKey pub, PrivateKey priv, String sigAlg, Provider provider, int keyUsage)
      throws Exception {
    var signer = new JcaContentSignerBuilder(sigAlg);
    if (provider != null) {
      signer.setProvider(provider);
    }
    var builder =
        new JcaX509v3CertificateBuilder(
            new X500Name("CN=" + cn),
            BigInteger.valueOf(System.nanoTime()),
            new Date(System.currentTimeMillis() - 60_000),
            new Date(System.currentTimeMillis() + 86_400_000L),
            new X500Name("CN=" + cn),
            pub);
    if (keyUsage != 0) {
      builder.addExtension(
          org.bouncycastle.asn1.x509.Extension.keyUsage,
          true,
          new org.bouncycastle.asn1.x509.KeyUsage(keyUsage));
    }
    return new JcaX509CertificateConverter().getCertificate(builder.build(signer.build(priv)));
  }
}
