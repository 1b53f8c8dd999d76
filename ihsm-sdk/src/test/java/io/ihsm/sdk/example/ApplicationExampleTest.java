package io.ihsm.sdk.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ihsm.ddi.credential.Credential;
import io.ihsm.ddi.message.PartitionLimits;
import io.ihsm.sdk.CryptoOfficerSession;
import io.ihsm.sdk.DeviceAddress;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.PartitionClient;
import io.ihsm.sdk.cipher.AesCbcParameters;
import io.ihsm.sdk.cipher.AesCtrParameters;
import io.ihsm.sdk.cipher.AesEcbParameters;
import io.ihsm.sdk.cipher.AesGcmParameters;
import io.ihsm.sdk.cipher.AesXtsParameters;
import io.ihsm.sdk.cipher.CipherParameters;
import io.ihsm.sdk.cipher.Ciphertext;
import io.ihsm.sdk.cipher.RsaOaepParameters;
import io.ihsm.sdk.key.HashFunction;
import io.ihsm.sdk.key.KeyPurpose;
import io.ihsm.sdk.key.KeyType;
import io.ihsm.sdk.signature.AesCmacParameters;
import io.ihsm.sdk.signature.EcdsaParameters;
import io.ihsm.sdk.signature.HmacParameters;
import io.ihsm.sdk.signature.RsaPkcs1Parameters;
import io.ihsm.sdk.signature.RsaPssParameters;
import io.ihsm.sdk.store.HostKeyStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK's own API: the docs/sdk.md example runs, its results check out with the JDK, and bad
 * parameters are refused.
 */
class ApplicationExampleTest {
  static final String PIN = "app-pin-1234";

  @TempDir Path home;

  private IhsmClient partition(HostKeyStore store) throws Exception {
    IhsmClient hsm = IhsmClient.connect(DeviceAddress.embedded(home));
    Credential co = Credential.of(new byte[16], "officer-pin");
    hsm.initCryptoOfficer(co);
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp384r1"));
    try (CryptoOfficerSession s = hsm.loginCryptoOfficer(co)) {
      PartitionClient.create(
          hsm,
          s,
          store,
          "app",
          PartitionLimits.DEFAULTS,
          g.generateKeyPair().getPublic().getEncoded(),
          PIN);
    }
    return hsm;
  }

  @Test
  void theDocumentedApplicationNamesNoProtocolTypeAndItsResultsCheckOutWithTheJdk()
      throws Exception {
    String source =
        Files.readString(Path.of("src/test/java/io/ihsm/sdk/example/SignAndEncrypt.java"));
    assertThat(source).contains("import io.ihsm.sdk.").doesNotContain("io.ihsm.ddi");
    HostKeyStore store = HostKeyStore.at(home);
    try (IhsmClient hsm = partition(store)) {
      SignAndEncrypt.Result r = SignAndEncrypt.run(hsm, store, "app", PIN);
      assertThat(r.verified()).isTrue();
      assertThat(r.signature()).hasSize(64);
      Signature jdk = Signature.getInstance("SHA256withECDSAinP1363Format");
      jdk.initVerify(
          KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(r.publicKey())));
      jdk.update(r.message());
      assertThat(jdk.verify(r.signature())).isTrue();
      assertThat(r.decrypted()).isEqualTo(r.message());
    }
  }

  @Test
  void everyParameterKindRoundTripsOnTheDevice() throws Exception {
    HostKeyStore store = HostKeyStore.at(home);
    byte[] message = "sixteen byte msg".getBytes();
    try (IhsmClient hsm = partition(store);
        PartitionClient app = PartitionClient.open(hsm, store, "app", PIN)) {
      var rsa = app.generate("rsa", KeyType.RSA_2048, KeyPurpose.SIGN, false);
      PublicKey rsaPublic =
          KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(rsa.publicKey()));
      byte[] pss = app.sign("rsa", RsaPssParameters.of(HashFunction.SHA256), message);
      Signature jdkPss = Signature.getInstance("RSASSA-PSS");
      jdkPss.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
      jdkPss.initVerify(rsaPublic);
      jdkPss.update(message);
      assertThat(jdkPss.verify(pss)).isTrue();
      byte[] pkcs1 = app.sign("rsa", RsaPkcs1Parameters.of(HashFunction.SHA384), message);
      assertThat(app.verify("rsa", RsaPkcs1Parameters.of(HashFunction.SHA384), message, pkcs1))
          .isTrue();
      assertThat(app.verify("rsa", RsaPkcs1Parameters.of(HashFunction.SHA256), message, pkcs1))
          .as("another hash")
          .isFalse();

      var ec = app.generate("ec", KeyType.EC_P384, KeyPurpose.SIGN, false);
      EcdsaParameters der = EcdsaParameters.of(HashFunction.SHA384, EcdsaParameters.Encoding.DER);
      byte[] derSignature = app.sign("ec", der, message);
      Signature jdkEc = Signature.getInstance("SHA384withECDSA");
      jdkEc.initVerify(
          KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(ec.publicKey())));
      jdkEc.update(message);
      assertThat(jdkEc.verify(derSignature)).isTrue();
      EcdsaParameters p1363 =
          EcdsaParameters.of(HashFunction.SHA384, EcdsaParameters.Encoding.IEEE_P1363);
      assertThat(app.verify("ec", p1363, message, new byte[95]))
          .as("a P1363 signature of the wrong length")
          .isFalse();

      app.generate("mac", KeyType.HMAC_SHA256, KeyPurpose.SIGN, false);
      byte[] tag = app.sign("mac", HmacParameters.create(), message);
      assertThat(app.verify("mac", HmacParameters.create(), message, tag)).isTrue();
      app.generate("cmac", KeyType.AES_128, KeyPurpose.SIGN, false);
      byte[] cmac = app.sign("cmac", AesCmacParameters.create(), message);
      assertThat(cmac).hasSize(16);
      assertThat(app.verify("cmac", AesCmacParameters.create(), message, cmac)).isTrue();

      app.generate("aes", KeyType.AES_256, KeyPurpose.ENCRYPT, false);
      for (var p :
          new CipherParameters[] {
            AesGcmParameters.create(),
            AesCbcParameters.of(true),
            AesCbcParameters.of(false, new byte[16]),
            AesCtrParameters.create(),
            AesEcbParameters.create()
          }) {
        Ciphertext c = app.encrypt("aes", p, message);
        assertThat(app.decrypt("aes", p, c)).as(p.toString()).isEqualTo(message);
      }
      app.generate("disk", KeyType.AES_XTS_256, KeyPurpose.ENCRYPT, false);
      AesXtsParameters xts = AesXtsParameters.of(new byte[16], 32);
      Ciphertext sector = app.encrypt("disk", xts, new byte[64]);
      assertThat(app.decrypt("disk", xts, sector)).isEqualTo(new byte[64]);

      var inbox = app.generate("inbox", KeyType.RSA_3072, KeyPurpose.ENCRYPT, false);
      Cipher jdkOaep = Cipher.getInstance("RSA/ECB/OAEPPadding");
      jdkOaep.init(
          Cipher.ENCRYPT_MODE,
          KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(inbox.publicKey())),
          new OAEPParameterSpec(
              "SHA-256",
              "MGF1",
              MGF1ParameterSpec.SHA256,
              new PSource.PSpecified("label".getBytes())));
      byte[] wrapped = jdkOaep.doFinal(message);
      RsaOaepParameters oaep =
          RsaOaepParameters.of(HashFunction.SHA256, HashFunction.SHA256, "label".getBytes());
      assertThat(app.decrypt("inbox", oaep, Ciphertext.of(new byte[0], wrapped)))
          .isEqualTo(message);
    }
  }

  @Test
  void badParametersAreRefusedSayingWhatWasExpectedAndWhatCame() {
    assertThatThrownBy(() -> RsaPssParameters.of(HashFunction.SHA256, HashFunction.SHA256, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("an RSA-PSS salt is 0 to 512 bytes, got -1");
    assertThatThrownBy(() -> EcdsaParameters.of(HashFunction.SHA1, EcdsaParameters.Encoding.DER))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not SHA-1");
    assertThatThrownBy(() -> AesCbcParameters.of(true, new byte[12]))
        .hasMessage("a CBC IV is 16 bytes, got 12");
    assertThatThrownBy(() -> AesCtrParameters.withCounterBlock(new byte[8]))
        .hasMessage("a CTR counter block is 16 bytes, got 8");
    assertThatThrownBy(() -> AesXtsParameters.of(new byte[16], 24))
        .hasMessage("an XTS data unit is whole 16-byte blocks, 16 bytes to 16 MiB, got 24");
    assertThatThrownBy(() -> AesGcmParameters.withAad(new byte[4097]))
        .hasMessage("GCM additional data is at most 4096 bytes, got 4097");
    assertThatThrownBy(
            () -> RsaOaepParameters.of(HashFunction.SHA256, HashFunction.SHA256, new byte[4097]))
        .hasMessage("an OAEP label is at most 4096 bytes, got 4097");
    assertThatThrownBy(() -> Ciphertext.of(new byte[17], new byte[1]))
        .hasMessageContaining("at most 16 bytes, got 17");
    assertThatThrownBy(() -> RsaPkcs1Parameters.of(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("hash");
    // The values are immutable: a caller's array changed afterwards changes nothing.
    byte[] iv = new byte[16];
    AesCbcParameters cbc = AesCbcParameters.of(false, iv);
    iv[0] = 1;
    assertThat(cbc.iv()).isEqualTo(new byte[16]);
    byte[] got = cbc.iv();
    got[1] = 1;
    assertThat(cbc.iv()).isEqualTo(new byte[16]);
    assertThat(
            Arrays.equals(
                EcdsaParameters.of(HashFunction.SHA256, EcdsaParameters.Encoding.DER)
                    .toString()
                    .getBytes(),
                "ECDSA(SHA256, DER)".getBytes()))
        .isTrue();
  }
}
