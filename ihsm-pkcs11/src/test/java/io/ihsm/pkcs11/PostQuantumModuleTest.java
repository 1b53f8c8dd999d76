package io.ihsm.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.PostQuantumKeys;
import io.ihsm.ddi.testing.ExternalCommand;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Collectors;
import javax.crypto.KEM;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PKCS#11 3.2's post-quantum mechanisms through the C module's 3.2 interface
 * (src/test/c/post_quantum.inc), with the JDK on the other side: the JDK verifies the device's
 * ML-DSA signature with the SPKI the module gives, and decapsulates what C_EncapsulateKey sent to
 * the JDK's ML-KEM key to the secret the device holds (their HMACs are equal).
 */
class PostQuantumModuleTest {
  @Test
  void mlDsaAndMlKemWorkThroughTheVersion32InterfaceAndTheJdkAgreesWithThem(@TempDir Path dir)
      throws Exception {
    KeyPair jdk = KeyPairGenerator.getInstance("ML-KEM-768").generateKeyPair();
    byte[] spki = jdk.getPublic().getEncoded();
    byte[] raw = PostQuantumKeys.raw(KeyKind.ML_KEM_768, spki);
    try (Pkcs11Daemon d = Pkcs11Daemon.start(dir, true)) {
      ExternalCommand.Result r =
          d.run(
              ModuleTest.program(),
              Pkcs11Daemon.module().toString(),
              "postquantum",
              Pkcs11Daemon.PIN,
              HexFormat.of().formatHex(raw));
      assertThat(r.output()).doesNotContain("FAIL").contains("all passed");
      assertThat(r.exitCode()).isZero();
      assertThat(r.output())
          .contains(
              "ok the interface without a version is 3.2",
              "ok Cryptoki 3.2",
              "ok its parameter set is CKP_ML_DSA_65",
              "ok CKA_VALUE is the 1952-byte public key, the end of its SPKI",
              "ok ML-DSA verify a changed message",
              "ok a deterministic ML-DSA signature",
              "ok the short buffer was told the length and no key was made",
              "ok both sides hold the same secret",
              "ok both are 32-byte generic secrets",
              "ok a changed ciphertext gives another secret (implicit rejection)",
              "ok no key came of the refused calls",
              "ok a public key of another size than its parameter set");
      Map<String, byte[]> printed =
          r.output()
              .lines()
              .filter(l -> l.matches("(mldsa-public|mldsa-signature|kem-ciphertext|kem-hmac) .*"))
              .collect(
                  Collectors.toMap(
                      l -> l.substring(0, l.indexOf(' ')),
                      l -> HexFormat.of().parseHex(l.substring(l.indexOf(' ') + 1))));

      PublicKey deviceKey =
          KeyFactory.getInstance("ML-DSA")
              .generatePublic(new X509EncodedKeySpec(printed.get("mldsa-public")));
      Signature v = Signature.getInstance("ML-DSA-65");
      v.initVerify(deviceKey);
      v.update("signed after the quantum computer".getBytes());
      assertThat(v.verify(printed.get("mldsa-signature")))
          .as("the JDK verifies the device's ML-DSA-65 signature")
          .isTrue();

      SecretKey secret =
          KEM.getInstance("ML-KEM")
              .newDecapsulator(jdk.getPrivate())
              .decapsulate(printed.get("kem-ciphertext"));
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getEncoded(), "HmacSHA256"));
      assertThat(mac.doFinal("the shared secret".getBytes()))
          .as("the JDK's decapsulation gives the secret the device keeps")
          .isEqualTo(printed.get("kem-hmac"));
      assertThat(d.bridgeLog()).doesNotContain(Pkcs11Daemon.PIN);
    }
  }
}
