package io.ihsm.jca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyOrigin;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.ddi.testing.ExternalCommand;
import io.ihsm.sdk.DeviceAddress;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.PartitionClient;
import io.ihsm.sdk.store.HostKeyStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.InvalidParameterException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Security;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.IllegalBlockSizeException;
import javax.crypto.KDF;
import javax.crypto.KeyAgreement;
import javax.crypto.KeyGenerator;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.HKDFParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.PasswordCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The provider's services on an embedded device, checked against the JDK's own providers. */
class IhsmProviderTest {
  static final byte[] MESSAGE = "Pay 100 EUR to Alice".getBytes(StandardCharsets.UTF_8);

  @TempDir static Path home;
  static IhsmProvider provider;

  @BeforeAll
  static void partition() throws Exception {
    ProviderFixture.partition(DeviceAddress.embedded(home), home, "app", true);
    provider =
        new IhsmProvider(
            IhsmConfig.embedded(home, "app").withPinFile(ProviderFixture.pinFile(home)));
  }

  @AfterAll
  static void close() {
    provider.close();
  }

  static KeyStore keyStore() throws Exception {
    KeyStore ks = KeyStore.getInstance("IHSM", provider);
    ks.load(null, ProviderFixture.PIN.toCharArray());
    return ks;
  }

  static boolean jdkVerifies(String alg, PublicKey key, byte[] sig, AlgorithmParameterSpec p)
      throws Exception {
    Signature v = Signature.getInstance(alg);
    assertThat(v.getProvider().getName()).isNotEqualTo("IHSM");
    if (p != null) {
      v.setParameter(p);
    }
    v.initVerify(key);
    v.update(MESSAGE);
    return v.verify(sig);
  }

  byte[] sign(String alg, PrivateKey key, AlgorithmParameterSpec p) throws Exception {
    Signature s = Signature.getInstance(alg, provider);
    if (p != null) {
      s.setParameter(p);
    }
    s.initSign(key);
    s.update(MESSAGE);
    return s.sign();
  }

  @Test
  void anAliasWithAVersionKeepsDecryptingAfterARotationAndNeverEncrypts() throws Exception {
    try (IhsmClient hsm = IhsmClient.connect(DeviceAddress.embedded(home));
        PartitionClient sdk =
            PartitionClient.open(hsm, HostKeyStore.at(home), "app", ProviderFixture.PIN)) {
      sdk.generate("versioned", KeyKind.AES_256, KeyUsage.ENCRYPT, false);
      Cipher enc = Cipher.getInstance("AES/GCM/NoPadding", provider);
      enc.init(Cipher.ENCRYPT_MODE, keyStore().getKey("versioned", null));
      byte[] underV1 = enc.doFinal(MESSAGE);
      GCMParameterSpec iv = new GCMParameterSpec(128, enc.getIV());

      sdk.rotate("versioned");

      Cipher dec = Cipher.getInstance("AES/GCM/NoPadding", provider);
      dec.init(Cipher.DECRYPT_MODE, keyStore().getKey("versioned#1", null), iv);
      assertThat(dec.doFinal(underV1)).isEqualTo(MESSAGE);
      Cipher old = Cipher.getInstance("AES/GCM/NoPadding", provider);
      old.init(Cipher.ENCRYPT_MODE, keyStore().getKey("versioned#1", null));
      assertThatThrownBy(() -> old.doFinal(MESSAGE))
          .as("a deactivated version never encrypts")
          .hasMessageContaining("deactivated");
      Cipher viaLabel = Cipher.getInstance("AES/GCM/NoPadding", provider);
      viaLabel.init(Cipher.DECRYPT_MODE, keyStore().getKey("versioned", null), iv);
      assertThatThrownBy(() -> viaLabel.doFinal(underV1))
          .as("the label names the new version now")
          .isInstanceOf(java.security.GeneralSecurityException.class);
      assertThat(keyStore().getKey("versioned#3", null)).isNull();
      assertThat(keyStore().containsAlias("versioned#2")).isTrue();
    }
  }

  @Test
  void ecAndRsaKeysMadeInsideSignAndTheJdkVerifies() throws Exception {
    for (String curve : new String[] {"secp256r1", "secp384r1", "secp521r1"}) {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC", provider);
      g.initialize(new ECGenParameterSpec(curve));
      KeyPair kp = g.generateKeyPair();
      assertThat(kp.getPrivate()).isInstanceOf(IhsmPrivateKey.Ec.class);
      assertThat(kp.getPrivate().getEncoded()).isNull();
      for (String alg : new String[] {"SHA256withECDSA", "SHA384withECDSA", "SHA512withECDSA"}) {
        byte[] sig = sign(alg, kp.getPrivate(), null);
        assertThat(jdkVerifies(alg, kp.getPublic(), sig, null)).as(curve + " " + alg).isTrue();
        Signature v = Signature.getInstance(alg, provider);
        v.initVerify(kp.getPublic());
        v.update(MESSAGE);
        assertThat(v.verify(sig)).as("IHSM verifies too").isTrue();
      }
    }
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA", provider);
    rsa.initialize(2048);
    KeyPair kp = rsa.generateKeyPair();
    assertThat(
            jdkVerifies(
                "SHA256withRSA",
                kp.getPublic(),
                sign("SHA256withRSA", kp.getPrivate(), null),
                null))
        .isTrue();
    PSSParameterSpec pss = new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1);
    assertThat(
            jdkVerifies(
                "RSASSA-PSS", kp.getPublic(), sign("RSASSA-PSS", kp.getPrivate(), pss), pss))
        .isTrue();
  }

  @Test
  void mlDsaKeysMadeInsideSignWhatTheJdkVerifiesAndVerifyWhatTheJdkSigns() throws Exception {
    for (java.security.spec.NamedParameterSpec set :
        List.of(
            java.security.spec.NamedParameterSpec.ML_DSA_44,
            java.security.spec.NamedParameterSpec.ML_DSA_65,
            java.security.spec.NamedParameterSpec.ML_DSA_87)) {
      KeyPairGenerator g = KeyPairGenerator.getInstance("ML-DSA", provider);
      g.initialize(set);
      KeyPair kp = g.generateKeyPair();
      assertThat(kp.getPrivate()).isInstanceOf(IhsmPrivateKey.PostQuantum.class);
      assertThat(kp.getPrivate().getEncoded()).isNull();
      assertThat(((java.security.spec.NamedParameterSpec) kp.getPrivate().getParams()).getName())
          .isEqualTo(set.getName());
      byte[] sig = sign("ML-DSA", kp.getPrivate(), null);
      assertThat(jdkVerifies("ML-DSA", kp.getPublic(), sig, null)).as(set.getName()).isTrue();

      KeyPairGenerator jdkGen = KeyPairGenerator.getInstance("ML-DSA");
      jdkGen.initialize(set);
      KeyPair theirs = jdkGen.generateKeyPair();
      Signature jdk = Signature.getInstance("ML-DSA");
      jdk.initSign(theirs.getPrivate());
      jdk.update(MESSAGE);
      byte[] theirSig = jdk.sign();
      Signature v = Signature.getInstance("ML-DSA", provider);
      v.initVerify(theirs.getPublic());
      v.update(MESSAGE);
      assertThat(v.verify(theirSig)).as("IHSM verifies the JDK's").isTrue();
      v.initVerify(theirs.getPublic());
      v.update("another message".getBytes());
      assertThat(v.verify(theirSig)).isFalse();
    }
    // The key store lists the partition's ML-DSA keys like any other.
    KeyStore ks = keyStore();
    int postQuantum = 0;
    for (String alias : Collections.list(ks.aliases())) {
      if (ks.getKey(alias, null) instanceof IhsmPrivateKey.PostQuantum) {
        postQuantum++;
      }
    }
    assertThat(postQuantum).isGreaterThanOrEqualTo(3);
  }

  @Test
  void theJdkEncapsulatesToAnHsmMlKemKeyAndTheHsmDecapsulatesIntoAKeyOfItsOwn() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("ML-KEM", provider);
    g.initialize(java.security.spec.NamedParameterSpec.ML_KEM_1024);
    KeyPair kp = g.generateKeyPair();
    assertThat(kp.getPrivate()).isInstanceOf(IhsmPrivateKey.PostQuantum.class);
    javax.crypto.KEM.Encapsulated sent =
        javax.crypto.KEM.getInstance("ML-KEM").newEncapsulator(kp.getPublic()).encapsulate();
    javax.crypto.KEM.Decapsulator d =
        javax.crypto.KEM.getInstance("ML-KEM", provider).newDecapsulator(kp.getPrivate());
    assertThat(d.encapsulationSize()).isEqualTo(1568);
    javax.crypto.SecretKey inside = d.decapsulate(sent.encapsulation(), 0, 32, "HmacSHA256");
    assertThat(inside).isInstanceOf(IhsmSecretKey.class);
    assertThat(inside.getEncoded()).as("the secret stays in the HSM").isNull();
    javax.crypto.Mac hsmMac = javax.crypto.Mac.getInstance("HmacSHA256", provider);
    hsmMac.init(inside);
    javax.crypto.Mac jdkMac = javax.crypto.Mac.getInstance("HmacSHA256");
    jdkMac.init(new javax.crypto.spec.SecretKeySpec(sent.key().getEncoded(), "HmacSHA256"));
    assertThat(hsmMac.doFinal(MESSAGE)).isEqualTo(jdkMac.doFinal(MESSAGE));
    // The provider encapsulates too (with the JDK's ML-KEM), and refuses a partial secret.
    javax.crypto.KEM.Encapsulated again =
        javax
            .crypto
            .KEM
            .getInstance("ML-KEM", provider)
            .newEncapsulator(kp.getPublic())
            .encapsulate();
    assertThat(again.encapsulation()).hasSize(1568);
    assertThatThrownBy(() -> d.decapsulate(again.encapsulation(), 0, 16, "AES"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> d.decapsulate(new byte[100]))
        .isInstanceOf(javax.crypto.DecapsulateException.class);
  }

  @Test
  void aParameterSetsNameFixesTheSetAsTheJdksDoes() throws Exception {
    KeyPair kp = KeyPairGenerator.getInstance("ML-DSA-87", provider).generateKeyPair();
    assertThat(((java.security.spec.NamedParameterSpec) kp.getPublic().getParams()).getName())
        .isEqualTo("ML-DSA-87");
    Signature s = Signature.getInstance("ML-DSA-87", provider);
    s.initSign(kp.getPrivate());
    s.update(MESSAGE);
    byte[] sig = s.sign();
    assertThat(jdkVerifies("ML-DSA-87", kp.getPublic(), sig, null)).isTrue();
    Signature v = Signature.getInstance("ML-DSA-87", provider);
    v.initVerify(kp.getPublic());
    v.update(MESSAGE);
    assertThat(v.verify(sig)).isTrue();

    // Another set's key, or another set asked of the generator, is refused.
    assertThatThrownBy(() -> Signature.getInstance("ML-DSA-65", provider).initSign(kp.getPrivate()))
        .isInstanceOf(java.security.InvalidKeyException.class)
        .hasMessageContaining("ML-DSA-65");
    assertThatThrownBy(
            () -> Signature.getInstance("ML-DSA-44", provider).initVerify(kp.getPublic()))
        .isInstanceOf(java.security.InvalidKeyException.class);
    assertThatThrownBy(
            () ->
                KeyPairGenerator.getInstance("ML-DSA-87", provider)
                    .initialize(java.security.spec.NamedParameterSpec.ML_DSA_44))
        .isInstanceOf(java.security.InvalidAlgorithmParameterException.class);

    KeyPair kem = KeyPairGenerator.getInstance("ML-KEM-512", provider).generateKeyPair();
    javax.crypto.KEM.Encapsulated sent =
        javax.crypto.KEM.getInstance("ML-KEM-512").newEncapsulator(kem.getPublic()).encapsulate();
    assertThat(
            javax
                .crypto
                .KEM
                .getInstance("ML-KEM-512", provider)
                .newDecapsulator(kem.getPrivate())
                .decapsulate(sent.encapsulation(), 0, 32, "Generic"))
        .isInstanceOf(IhsmSecretKey.class);
    assertThatThrownBy(
            () ->
                javax
                    .crypto
                    .KEM
                    .getInstance("ML-KEM-768", provider)
                    .newDecapsulator(kem.getPrivate()))
        .isInstanceOf(java.security.InvalidKeyException.class);
    assertThatThrownBy(
            () ->
                javax
                    .crypto
                    .KEM
                    .getInstance("ML-KEM-1024", provider)
                    .newEncapsulator(kem.getPublic()))
        .isInstanceOf(java.security.InvalidKeyException.class);
    // A public key that names no parameter set is refused, not a NullPointerException.
    java.security.PublicKey unnamed =
        new java.security.PublicKey() {
          @Override
          public String getAlgorithm() {
            return "ML-KEM";
          }

          @Override
          public String getFormat() {
            return "X.509";
          }

          @Override
          public byte[] getEncoded() {
            return kem.getPublic().getEncoded();
          }
        };
    assertThatThrownBy(
            () -> javax.crypto.KEM.getInstance("ML-KEM-512", provider).newEncapsulator(unnamed))
        .isInstanceOf(java.security.InvalidKeyException.class)
        .hasMessageContaining("names no known parameter set");
  }

  @Test
  void signaturesVerifyWithOpenSslDgst() throws Exception {
    Files.write(home.resolve("msg"), MESSAGE);
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC", provider);
    ec.initialize(new ECGenParameterSpec("secp384r1"));
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA", provider);
    rsa.initialize(3072);
    PSSParameterSpec pss = new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1);
    record Case(
        String name,
        KeyPair keys,
        String alg,
        PSSParameterSpec params,
        List<String> opensslOptions) {}
    for (Case c :
        List.of(
            new Case("ecdsa", ec.generateKeyPair(), "SHA384withECDSA", null, List.of("-sha384")),
            new Case("pkcs1", rsa.generateKeyPair(), "SHA256withRSA", null, List.of("-sha256")),
            new Case(
                "pss",
                rsa.generateKeyPair(),
                "RSASSA-PSS",
                pss,
                List.of(
                    "-sha256",
                    "-sigopt",
                    "rsa_padding_mode:pss",
                    "-sigopt",
                    "rsa_pss_saltlen:32")))) {
      Files.write(
          home.resolve(c.name() + ".sig"), sign(c.alg(), c.keys().getPrivate(), c.params()));
      Files.writeString(
          home.resolve(c.name() + ".pem"),
          "-----BEGIN PUBLIC KEY-----\n"
              + Base64.getMimeEncoder(64, "\n".getBytes())
                  .encodeToString(c.keys().getPublic().getEncoded())
              + "\n-----END PUBLIC KEY-----\n");
      List<String> cmd = new ArrayList<>(List.of("openssl", "dgst"));
      cmd.addAll(c.opensslOptions());
      cmd.addAll(
          List.of(
              "-verify",
              home.resolve(c.name() + ".pem").toString(),
              "-signature",
              home.resolve(c.name() + ".sig").toString(),
              home.resolve("msg").toString()));
      ExternalCommand.Result r = ExternalCommand.run(cmd);
      assertThat(r.output()).as(c.name()).contains("Verified OK");
    }
  }

  @Test
  void theKeyStoreFilesKeysUnderAliasesWithTheirChainsAndDeletesThem() throws Exception {
    KeyStore ks = keyStore();
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC", provider);
    KeyPair kp = g.generateKeyPair();
    Certificate cert =
        ProviderFixture.selfSigned(
            "hsm key", kp.getPublic(), kp.getPrivate(), "SHA256withECDSA", provider);
    ks.setKeyEntry("signer", kp.getPrivate(), null, new Certificate[] {cert});
    assertThat(Collections.list(ks.aliases()))
        .contains("signer")
        .noneMatch(a -> a.equals(((IhsmKey) kp.getPrivate()).label()) && !a.equals("signer"));
    assertThat(((IhsmKey) kp.getPrivate()).label()).isEqualTo("signer");

    KeyStore again = keyStore();
    PrivateKey loaded = (PrivateKey) again.getKey("signer", null);
    assertThat(loaded).isInstanceOf(IhsmPrivateKey.class);
    assertThat(again.getCertificateChain("signer")).containsExactly(cert);
    assertThat(again.getCertificateAlias(cert)).isEqualTo("signer");
    assertThat(again.isKeyEntry("signer")).isTrue();
    assertThat(again.getCreationDate("signer")).isNotNull();
    assertThat(
            jdkVerifies(
                "SHA256withECDSA",
                cert.getPublicKey(),
                sign("SHA256withECDSA", loaded, null),
                null))
        .isTrue();

    // Replacing the entry puts another key under the alias.
    KeyPair other = g.generateKeyPair();
    ks.setKeyEntry(
        "signer",
        other.getPrivate(),
        null,
        new Certificate[] {
          ProviderFixture.selfSigned(
              "other", other.getPublic(), other.getPrivate(), "SHA256withECDSA", provider)
        });
    assertThat(((IhsmPrivateKey) keyStore().getKey("signer", null)).publicKey())
        .isEqualTo(other.getPublic());

    ks.deleteEntry("signer");
    assertThat(keyStore().containsAlias("signer")).isFalse();
    assertThat(keyStore().getKey("signer", null)).isNull();
    assertThatThrownBy(
            () -> ks.setKeyEntry("nochain", g.generateKeyPair().getPrivate(), null, null))
        .as("the KeyStore class's own check")
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("certificate chain");
    assertThatThrownBy(() -> ks.setCertificateEntry("trusted", cert))
        .isInstanceOf(KeyStoreException.class);
  }

  @Test
  void aSoftwareKeyStoredInTheKeyStoreIsImportedAndTheCopyIsNotKept() throws Exception {
    KeyPairGenerator jdk = KeyPairGenerator.getInstance("EC", "SunEC");
    jdk.initialize(new ECGenParameterSpec("secp384r1"));
    KeyPair software = jdk.generateKeyPair();
    Certificate cert =
        ProviderFixture.selfSigned(
            "imported", software.getPublic(), software.getPrivate(), "SHA384withECDSA", null);
    KeyStore ks = keyStore();
    ks.setKeyEntry("imported", software.getPrivate(), null, new Certificate[] {cert});
    PrivateKey hsmKey = (PrivateKey) ks.getKey("imported", null);
    assertThat(hsmKey).isInstanceOf(IhsmPrivateKey.Ec.class);
    assertThat(hsmKey.getEncoded()).isNull();
    assertThat(
            jdkVerifies(
                "SHA384withECDSA",
                software.getPublic(),
                sign("SHA384withECDSA", hsmKey, null),
                null))
        .isTrue();
    var stored = HostKeyStore.at(home).key("app", "imported").orElseThrow();
    assertThat(stored.origin()).isEqualTo(KeyOrigin.IMPORTED);
    assertThat(stored.extractable()).isFalse();

    SecretKey aes = new SecretKeySpec(new byte[32], "AES");
    ks.setKeyEntry("aes-imported", aes, null, null);
    Cipher jdkGcm = Cipher.getInstance("AES/GCM/NoPadding", "SunJCE");
    byte[] iv = new byte[12];
    jdkGcm.init(Cipher.ENCRYPT_MODE, aes, new GCMParameterSpec(128, iv));
    byte[] ct = jdkGcm.doFinal(MESSAGE);
    Cipher hsmGcm = Cipher.getInstance("AES/GCM/NoPadding", provider);
    hsmGcm.init(
        Cipher.DECRYPT_MODE, ks.getKey("aes-imported", null), new GCMParameterSpec(128, iv));
    assertThat(hsmGcm.doFinal(ct)).isEqualTo(MESSAGE);

    ks.setEntry(
        "aes-entry", new KeyStore.SecretKeyEntry(new SecretKeySpec(new byte[16], "AES")), null);
    assertThat(ks.getKey("aes-entry", null))
        .as("setEntry imports too")
        .isInstanceOf(IhsmSecretKey.class);
    assertThat(ks.getEntry("aes-entry", null)).isInstanceOf(KeyStore.SecretKeyEntry.class);
    assertThat(((KeyStore.PrivateKeyEntry) ks.getEntry("imported", null)).getCertificate())
        .isEqualTo(cert);
    assertThat(HostKeyStore.at(home).key("app", "aes-entry").orElseThrow().origin())
        .isEqualTo(KeyOrigin.IMPORTED);

    SecretKey hmac = new SecretKeySpec(new byte[32], "HmacSHA256");
    ks.setKeyEntry("hmac-imported", hmac, null, null);
    Mac jdkMac = Mac.getInstance("HmacSHA256", "SunJCE");
    jdkMac.init(hmac);
    Mac hsmMac = Mac.getInstance("HmacSHA256", provider);
    hsmMac.init(ks.getKey("hmac-imported", null));
    assertThat(hsmMac.doFinal(MESSAGE)).isEqualTo(jdkMac.doFinal(MESSAGE));
  }

  @Test
  void keysTheHsmDoesNotHoldAreRefusedByTheKeyStoreAndNothingIsStored() throws Exception {
    KeyStore ks = keyStore();
    int before = ks.size();
    KeyPairGenerator small = KeyPairGenerator.getInstance("RSA", "SunRsaSign");
    small.initialize(1024);
    KeyPair weak = small.generateKeyPair();
    Certificate cert =
        ProviderFixture.selfSigned(
            "weak", weak.getPublic(), weak.getPrivate(), "SHA256withRSA", null);
    assertThatThrownBy(
            () -> ks.setKeyEntry("weak", weak.getPrivate(), null, new Certificate[] {cert}))
        .isInstanceOf(KeyStoreException.class)
        .hasMessageContaining("2048, 3072 or 4096");
    assertThatThrownBy(
            () ->
                ks.setKeyEntry(
                    "short-hmac", new SecretKeySpec(new byte[13], "HmacSHA256"), null, null))
        .isInstanceOf(KeyStoreException.class)
        .hasMessageContaining("14 to 128 bytes");
    assertThatThrownBy(
            () -> ks.setKeyEntry("des", new SecretKeySpec(new byte[8], "DES"), null, null))
        .isInstanceOf(KeyStoreException.class)
        .hasMessageContaining("cannot import");
    KeyPairGenerator dsa = KeyPairGenerator.getInstance("DSA");
    KeyPair d = dsa.generateKeyPair();
    Certificate dsaCert =
        ProviderFixture.selfSigned("dsa", d.getPublic(), d.getPrivate(), "SHA256withDSA", null);
    assertThatThrownBy(
            () -> ks.setKeyEntry("dsa", d.getPrivate(), null, new Certificate[] {dsaCert}))
        .isInstanceOf(KeyStoreException.class);
    assertThat(keyStore().size()).as("nothing stored").isEqualTo(before);
    assertThatThrownBy(
            () ->
                KeyStore.getInstance("IHSM", provider)
                    .load(new ByteArrayInputStream(new byte[1]), null))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("-keystore NONE");
  }

  @Test
  void aKeyOnAnotherCurveOfTheSameSizeIsNotTakenForP256() throws Exception {
    KeyPairGenerator k1 =
        KeyPairGenerator.getInstance(
            "EC", new org.bouncycastle.jce.provider.BouncyCastleProvider());
    k1.initialize(new ECGenParameterSpec("secp256k1"));
    KeyPair pair = k1.generateKeyPair();
    Signature verify = Signature.getInstance("SHA256withECDSA", provider);
    assertThatThrownBy(() -> verify.initVerify(pair.getPublic()))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageContaining("another curve");
    KeyStore ks = keyStore();
    int before = ks.size();
    Certificate cert =
        ProviderFixture.selfSigned(
            "k1",
            pair.getPublic(),
            pair.getPrivate(),
            "SHA256withECDSA",
            new org.bouncycastle.jce.provider.BouncyCastleProvider());
    assertThatThrownBy(
            () -> ks.setKeyEntry("k1", pair.getPrivate(), null, new Certificate[] {cert}))
        .isInstanceOf(KeyStoreException.class)
        .hasMessageContaining("another curve");
    assertThat(keyStore().size()).as("nothing stored").isEqualTo(before);
  }

  @Test
  void ecdsaInP1363FormSignsForTheJdkAndVerifiesTheJdks() throws Exception {
    for (String[] c :
        new String[][] {{"secp256r1", "32"}, {"secp384r1", "48"}, {"secp521r1", "66"}}) {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC", provider);
      g.initialize(new ECGenParameterSpec(c[0]));
      KeyPair kp = g.generateKeyPair();
      int half = Integer.parseInt(c[1]);
      for (String alg :
          new String[] {
            "SHA256withECDSAinP1363Format",
            "SHA384withECDSAinP1363Format",
            "SHA512withECDSAinP1363Format"
          }) {
        byte[] sig = sign(alg, kp.getPrivate(), null);
        assertThat(sig).as(c[0] + " " + alg + ": r || s").hasSize(2 * half);
        assertThat(jdkVerifies(alg, kp.getPublic(), sig, null)).as(c[0] + " " + alg).isTrue();
        // The JDK's own P1363 signature over a software key of the same curve, verified by IHSM.
        KeyPairGenerator jdkGen = KeyPairGenerator.getInstance("EC");
        jdkGen.initialize(new ECGenParameterSpec(c[0]));
        KeyPair jdkPair = jdkGen.generateKeyPair();
        Signature jdk = Signature.getInstance(alg);
        jdk.initSign(jdkPair.getPrivate());
        jdk.update(MESSAGE);
        byte[] theirs = jdk.sign();
        Signature v = Signature.getInstance(alg, provider);
        v.initVerify(jdkPair.getPublic());
        v.update(MESSAGE);
        assertThat(v.verify(theirs)).as("IHSM verifies the JDK's " + alg).isTrue();
        v.update(MESSAGE);
        assertThat(v.verify(Arrays.copyOf(theirs, theirs.length - 1)))
            .as("one byte short")
            .isFalse();
        v.update(MESSAGE);
        theirs[theirs.length - 1] ^= 1;
        assertThat(v.verify(theirs)).as("one bit off").isFalse();
      }
    }
  }

  @Test
  void anImportedPrivateKeyTakesItsUsageFromItsCertificateOrAnEntryAttribute() throws Exception {
    KeyStore ks = keyStore();
    KeyPairGenerator rsaGen = KeyPairGenerator.getInstance("RSA");
    rsaGen.initialize(2048);
    KeyPair rsa = rsaGen.generateKeyPair();
    Certificate encipher =
        ProviderFixture.selfSigned(
            "tls-rsa",
            rsa.getPublic(),
            rsa.getPrivate(),
            "SHA256withRSA",
            null,
            org.bouncycastle.asn1.x509.KeyUsage.keyEncipherment);
    ks.setKeyEntry("tls-rsa", rsa.getPrivate(), null, new Certificate[] {encipher});
    // Encrypted by the JDK with the public key, decrypted inside the HSM with the imported key.
    Cipher jdk = Cipher.getInstance("RSA/ECB/OAEPWithSHA-256AndMGF1Padding");
    jdk.init(
        Cipher.ENCRYPT_MODE,
        rsa.getPublic(),
        new OAEPParameterSpec(
            "SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT));
    byte[] ct = jdk.doFinal(MESSAGE);
    Cipher hsm = Cipher.getInstance("RSA/ECB/OAEPWithSHA-256AndMGF1Padding", provider);
    hsm.init(
        Cipher.DECRYPT_MODE,
        ks.getKey("tls-rsa", null),
        new OAEPParameterSpec(
            "SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT));
    assertThat(hsm.doFinal(ct)).isEqualTo(MESSAGE);
    Signature refused = Signature.getInstance("SHA256withRSA", provider);
    assertThatThrownBy(() -> refused.initSign((PrivateKey) ks.getKey("tls-rsa", null)))
        .as("a key imported for encipherment does not sign")
        .isInstanceOf(InvalidKeyException.class);

    KeyPairGenerator ecGen = KeyPairGenerator.getInstance("EC");
    ecGen.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair ec = ecGen.generateKeyPair();
    Certificate agreement =
        ProviderFixture.selfSigned(
            "ecdh",
            ec.getPublic(),
            ec.getPrivate(),
            "SHA256withECDSA",
            null,
            org.bouncycastle.asn1.x509.KeyUsage.keyAgreement);
    ks.setKeyEntry("ecdh", ec.getPrivate(), null, new Certificate[] {agreement});
    KeyPair peer = ecGen.generateKeyPair();
    KeyAgreement inside = KeyAgreement.getInstance("ECDH", provider);
    inside.init(ks.getKey("ecdh", null));
    inside.doPhase(peer.getPublic(), true);
    assertThat(inside.generateSecret("Generic"))
        .as("the imported key agrees inside the HSM")
        .isInstanceOf(IhsmSecretKey.class);

    int before = ks.size();
    Certificate both =
        ProviderFixture.selfSigned(
            "both",
            rsa.getPublic(),
            rsa.getPrivate(),
            "SHA256withRSA",
            null,
            org.bouncycastle.asn1.x509.KeyUsage.digitalSignature
                | org.bouncycastle.asn1.x509.KeyUsage.keyEncipherment);
    assertThatThrownBy(
            () -> ks.setKeyEntry("both", rsa.getPrivate(), null, new Certificate[] {both}))
        .isInstanceOf(KeyStoreException.class)
        .hasMessageContaining("more than one")
        .hasMessageContaining("ihsm.usage");
    assertThat(keyStore().size()).as("nothing stored").isEqualTo(before);
    // The entry attribute decides where the certificate cannot.
    ks.setEntry(
        "both",
        new KeyStore.PrivateKeyEntry(
            rsa.getPrivate(), new Certificate[] {both}, Set.of(usage("sign"))),
        null);
    byte[] sig = sign("SHA256withRSA", (PrivateKey) ks.getKey("both", null), null);
    assertThat(jdkVerifies("SHA256withRSA", rsa.getPublic(), sig, null)).isTrue();
    assertThatThrownBy(
            () ->
                ks.setEntry(
                    "bad",
                    new KeyStore.PrivateKeyEntry(
                        rsa.getPrivate(), new Certificate[] {both}, Set.of(usage("fly"))),
                    null))
        .isInstanceOf(KeyStoreException.class)
        .hasMessageContaining("not fly");
  }

  static KeyStore.Entry.Attribute usage(String value) {
    return new KeyStore.Entry.Attribute() {
      @Override
      public String getName() {
        return HsmKeyStore.USAGE_ATTRIBUTE;
      }

      @Override
      public String getValue() {
        return value;
      }
    };
  }

  @Test
  void hmacKeysOfAnyLengthFrom112BitsGenerateAndImport() throws Exception {
    KeyGenerator g = KeyGenerator.getInstance("HmacSHA256", provider);
    g.init(160);
    SecretKey inside = g.generateKey();
    Mac mac = Mac.getInstance("HmacSHA256", provider);
    mac.init(inside);
    assertThat(mac.doFinal(MESSAGE)).hasSize(32);
    assertThatThrownBy(() -> g.init(104))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageContaining("112 to 1024 bits");
    // A 20-byte key imported through the KeyStore gives the JDK's own HMAC.
    byte[] raw = new byte[20];
    new SecureRandom().nextBytes(raw);
    KeyStore ks = keyStore();
    ks.setKeyEntry("hmac-20", new SecretKeySpec(raw, "HmacSHA256"), null, null);
    Mac hsm = Mac.getInstance("HmacSHA256", provider);
    hsm.init(ks.getKey("hmac-20", null));
    Mac jdk = Mac.getInstance("HmacSHA256", "SunJCE");
    jdk.init(new SecretKeySpec(raw, "HmacSHA256"));
    assertThat(hsm.doFinal(MESSAGE)).isEqualTo(jdk.doFinal(MESSAGE));
  }

  @Test
  void aesGcmAndCbcRoundTripAndABadTagIsAnAeadBadTagException() throws Exception {
    KeyGenerator kg = KeyGenerator.getInstance("AES", provider);
    kg.init(256);
    SecretKey key = kg.generateKey();
    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding", provider);
    gcm.init(Cipher.ENCRYPT_MODE, key);
    gcm.updateAAD("header".getBytes());
    byte[] ct = gcm.doFinal(MESSAGE);
    byte[] iv = gcm.getIV();
    assertThat(iv).as("the HSM's IV, after doFinal").hasSize(12);
    assertThatThrownBy(() -> gcm.doFinal(MESSAGE))
        .as("no second encryption under one init")
        .isInstanceOf(IllegalStateException.class);
    Cipher dec = Cipher.getInstance("AES/GCM/NoPadding", provider);
    dec.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, iv));
    dec.updateAAD("header".getBytes());
    assertThat(dec.doFinal(ct)).isEqualTo(MESSAGE);
    ct[0] ^= 1;
    dec.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, iv));
    dec.updateAAD("header".getBytes());
    assertThatThrownBy(() -> dec.doFinal(ct)).isInstanceOf(AEADBadTagException.class);
    assertThatThrownBy(
            () -> gcm.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, new byte[12])))
        .isInstanceOf(InvalidAlgorithmParameterException.class)
        .hasMessageContaining("chooses GCM IVs");

    for (String t : new String[] {"AES/CBC/PKCS5Padding", "AES/CBC/NoPadding"}) {
      byte[] plain = t.endsWith("NoPadding") ? new byte[32] : MESSAGE;
      Cipher cbc = Cipher.getInstance(t, provider);
      cbc.init(Cipher.ENCRYPT_MODE, key);
      byte[] c = cbc.doFinal(plain);
      Cipher back = Cipher.getInstance(t, provider);
      back.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(cbc.getIV()));
      assertThat(back.doFinal(c)).as(t).isEqualTo(plain);
    }
  }

  @Test
  void aesEcbCtrAndCmacAgreeWithTheJdkAndBouncyCastle() throws Exception {
    byte[] raw = new byte[16];
    new SecureRandom().nextBytes(raw);
    SecretKey software = new SecretKeySpec(raw, "AES");
    KeyStore ks = keyStore();
    ks.setKeyEntry("aes-modes", software, null, null);
    ks.setEntry("aes-cmac", new KeyStore.SecretKeyEntry(software, Set.of(usage("sign"))), null);
    SecretKey encrypting = (SecretKey) ks.getKey("aes-modes", null);
    SecretKey macing = (SecretKey) ks.getKey("aes-cmac", null);
    byte[] blocks = Arrays.copyOf(MESSAGE, 32);

    Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding", provider);
    ecb.init(Cipher.ENCRYPT_MODE, encrypting);
    Cipher jdkEcb = Cipher.getInstance("AES/ECB/NoPadding", "SunJCE");
    jdkEcb.init(Cipher.ENCRYPT_MODE, software);
    byte[] ecbOut = ecb.doFinal(blocks);
    assertThat(ecbOut).isEqualTo(jdkEcb.doFinal(blocks));
    assertThat(ecb.getIV()).isNull();
    ecb.init(Cipher.DECRYPT_MODE, encrypting);
    assertThat(ecb.doFinal(ecbOut)).isEqualTo(blocks);
    assertThatThrownBy(() -> ecb.doFinal(new byte[20]))
        .isInstanceOf(IllegalBlockSizeException.class)
        .hasMessageContaining("whole 16-byte blocks");
    assertThatThrownBy(
            () -> ecb.init(Cipher.ENCRYPT_MODE, encrypting, new IvParameterSpec(new byte[16])))
        .isInstanceOf(InvalidAlgorithmParameterException.class)
        .hasMessageContaining("ECB takes no parameters");

    Cipher ctr = Cipher.getInstance("AES/CTR/NoPadding", provider);
    ctr.init(Cipher.ENCRYPT_MODE, encrypting);
    byte[] ctrOut = ctr.doFinal(MESSAGE);
    byte[] counter = ctr.getIV();
    assertThat(counter).as("drawn from the HSM at init").hasSize(16);
    Cipher jdkCtr = Cipher.getInstance("AES/CTR/NoPadding", "SunJCE");
    jdkCtr.init(Cipher.ENCRYPT_MODE, software, new IvParameterSpec(counter));
    assertThat(ctrOut).hasSize(MESSAGE.length).isEqualTo(jdkCtr.doFinal(MESSAGE));
    assertThatThrownBy(() -> ctr.doFinal(MESSAGE))
        .as("no second encryption under one counter block")
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("new init");
    ctr.init(Cipher.DECRYPT_MODE, encrypting, new IvParameterSpec(counter));
    assertThat(ctr.doFinal(ctrOut)).isEqualTo(MESSAGE);
    assertThat(ctr.doFinal(ctrOut)).as("decryption may repeat").isEqualTo(MESSAGE);
    assertThatThrownBy(() -> ctr.init(Cipher.DECRYPT_MODE, encrypting))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageContaining("CTR takes a 16-byte IvParameterSpec");

    Mac cmac = Mac.getInstance("AESCMAC", provider);
    cmac.init(macing);
    byte[] tag = cmac.doFinal(MESSAGE);
    org.bouncycastle.crypto.macs.CMac bc =
        new org.bouncycastle.crypto.macs.CMac(
            org.bouncycastle.crypto.engines.AESEngine.newInstance());
    bc.init(new org.bouncycastle.crypto.params.KeyParameter(raw));
    bc.update(MESSAGE, 0, MESSAGE.length);
    byte[] expected = new byte[16];
    bc.doFinal(expected, 0);
    assertThat(tag).isEqualTo(expected);
    assertThat(Mac.getInstance("AES-CMAC", provider).getMacLength()).isEqualTo(16);
    assertThatThrownBy(() -> cmac.init(encrypting))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageContaining("needs an AES key for sign");
    assertThatThrownBy(
            () ->
                ks.setEntry(
                    "aes-derive",
                    new KeyStore.SecretKeyEntry(software, Set.of(usage("derive"))),
                    null))
        .isInstanceOf(KeyStoreException.class)
        .hasMessageContaining("cannot have usage derive");
    assertThat(ks.containsAlias("aes-derive")).as("a refused import leaves nothing").isFalse();
    Arrays.fill(raw, (byte) 0);
  }

  @Test
  void rsaOaepDecryptsWhatTheJdkEncryptedAndEncryptsWithAnyPublicKey() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA", provider);
    g.initialize(new IhsmKeyGenParameterSpec(null, 2048, KeyUsage.ENCRYPT, false));
    KeyPair kp = g.generateKeyPair();
    OAEPParameterSpec oaep =
        new OAEPParameterSpec(
            "SHA-256",
            "MGF1",
            MGF1ParameterSpec.SHA256,
            new PSource.PSpecified("label".getBytes()));
    Cipher jdk = Cipher.getInstance("RSA/ECB/OAEPPadding", "SunJCE");
    jdk.init(Cipher.ENCRYPT_MODE, kp.getPublic(), oaep);
    byte[] ct = jdk.doFinal(MESSAGE);
    Cipher hsm = Cipher.getInstance("RSA/ECB/OAEPPadding", provider);
    hsm.init(Cipher.DECRYPT_MODE, kp.getPrivate(), oaep);
    assertThat(hsm.doFinal(ct)).isEqualTo(MESSAGE);

    Cipher named = Cipher.getInstance("RSA/ECB/OAEPWithSHA-256AndMGF1Padding", provider);
    named.init(Cipher.ENCRYPT_MODE, kp.getPublic());
    byte[] ct2 = named.doFinal(MESSAGE);
    Cipher jdkNamed = Cipher.getInstance("RSA/ECB/OAEPWithSHA-256AndMGF1Padding", "SunJCE");
    assertThatThrownBy(() -> jdkNamed.init(Cipher.DECRYPT_MODE, kp.getPrivate()))
        .isInstanceOf(InvalidKeyException.class);
    named.init(Cipher.DECRYPT_MODE, kp.getPrivate());
    assertThat(named.doFinal(ct2)).isEqualTo(MESSAGE);
  }

  @Test
  void ecdhThenHkdfInsideTheHsmAgreesWithTheJdkOnTheOtherSide() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC", provider);
    g.initialize(
        new IhsmKeyGenParameterSpec(
            new ECGenParameterSpec("secp256r1"), 0, KeyUsage.DERIVE, false));
    KeyPair hsmSide = g.generateKeyPair();
    KeyPairGenerator jdk = KeyPairGenerator.getInstance("EC", "SunEC");
    jdk.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair peer = jdk.generateKeyPair();
    byte[] salt = "salt".getBytes();
    byte[] info = "ihsm test".getBytes();

    KeyAgreement ka = KeyAgreement.getInstance("ECDH", provider);
    ka.init(hsmSide.getPrivate());
    ka.doPhase(peer.getPublic(), true);
    assertThatThrownBy(ka::generateSecret)
        .as("raw secrets do not leave")
        .isInstanceOf(IllegalStateException.class);
    SecretKey shared = ka.generateSecret("Generic");
    assertThat(shared).isInstanceOf(IhsmSecretKey.class);
    KDF hkdf = KDF.getInstance("HKDF-SHA256", provider);
    SecretKey hsmAes =
        hkdf.deriveKey(
            "AES", HKDFParameterSpec.ofExtract().addIKM(shared).addSalt(salt).thenExpand(info, 32));
    assertThat(hsmAes).isInstanceOf(IhsmSecretKey.class);

    KeyAgreement theirs = KeyAgreement.getInstance("ECDH", "SunEC");
    theirs.init(peer.getPrivate());
    theirs.doPhase(hsmSide.getPublic(), true);
    SecretKey theirAes =
        KDF.getInstance("HKDF-SHA256", "SunJCE")
            .deriveKey(
                "AES",
                HKDFParameterSpec.ofExtract()
                    .addIKM(theirs.generateSecret())
                    .addSalt(salt)
                    .thenExpand(info, 32));
    Cipher jdkGcm = Cipher.getInstance("AES/GCM/NoPadding", "SunJCE");
    jdkGcm.init(Cipher.ENCRYPT_MODE, theirAes, new GCMParameterSpec(128, new byte[12]));
    byte[] ct = jdkGcm.doFinal(MESSAGE);
    Cipher hsmGcm = Cipher.getInstance("AES/GCM/NoPadding", provider);
    hsmGcm.init(Cipher.DECRYPT_MODE, hsmAes, new GCMParameterSpec(128, new byte[12]));
    assertThat(hsmGcm.doFinal(ct)).as("both sides derived the same key").isEqualTo(MESSAGE);
  }

  @Test
  void aesKeyWrapMovesAnExtractableKeyOutAndBackInWrappedOnly() throws Exception {
    KeyGenerator kg = KeyGenerator.getInstance("AES", provider);
    kg.init(new IhsmKeyGenParameterSpec(null, 256, KeyUsage.WRAP, false));
    SecretKey kek = kg.generateKey();
    kg.init(new IhsmKeyGenParameterSpec(null, 128, KeyUsage.ENCRYPT, true));
    SecretKey data = kg.generateKey();
    for (String t : new String[] {"AES/KW/NoPadding", "AES/KWP/NoPadding"}) {
      Cipher wrap = Cipher.getInstance(t, provider);
      wrap.init(Cipher.WRAP_MODE, kek);
      byte[] wrapped = wrap.wrap(data);
      assertThat(wrapped).as(t + ": a 16-byte key and 8 bytes of integrity").hasSize(24);
      Cipher unwrap = Cipher.getInstance(t, provider);
      unwrap.init(Cipher.UNWRAP_MODE, kek);
      SecretKey back = (SecretKey) unwrap.unwrap(wrapped, "AES", Cipher.SECRET_KEY);
      assertThat(back).isInstanceOf(IhsmSecretKey.class);
      assertThat(((IhsmSecretKey) back).kind()).isEqualTo(KeyKind.AES_128);
      Cipher enc = Cipher.getInstance("AES/CBC/PKCS5Padding", provider);
      enc.init(Cipher.ENCRYPT_MODE, data);
      byte[] ct = enc.doFinal(MESSAGE);
      Cipher dec = Cipher.getInstance("AES/CBC/PKCS5Padding", provider);
      dec.init(Cipher.DECRYPT_MODE, back, new IvParameterSpec(enc.getIV()));
      assertThat(dec.doFinal(ct)).as("the unwrapped key is the same key").isEqualTo(MESSAGE);
    }
    Cipher wrap = Cipher.getInstance("AES/KW/NoPadding", provider);
    wrap.init(Cipher.WRAP_MODE, kek);
    assertThatThrownBy(() -> wrap.wrap(kek))
        .as("a non-extractable key")
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageContaining("NOT_EXTRACTABLE");
    assertThatThrownBy(() -> wrap.init(Cipher.WRAP_MODE, data))
        .as("a key not for wrapping")
        .isInstanceOf(InvalidKeyException.class);
    assertThatThrownBy(() -> wrap.init(Cipher.ENCRYPT_MODE, kek))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void misuseGetsTheExceptionsAJavaDeveloperExpects() throws Exception {
    KeyPair rsa = KeyPairGenerator.getInstance("RSA", provider).generateKeyPair();
    Signature ecdsa = Signature.getInstance("SHA256withECDSA", provider);
    assertThatThrownBy(() -> ecdsa.initSign(rsa.getPrivate()))
        .as("wrong kind")
        .isInstanceOf(InvalidKeyException.class);
    KeyGenerator kg = KeyGenerator.getInstance("AES", provider);
    SecretKey aes = kg.generateKey();
    Mac mac = Mac.getInstance("HmacSHA256", provider);
    assertThatThrownBy(() -> mac.init(aes))
        .as("an AES key for HMAC")
        .isInstanceOf(InvalidKeyException.class);
    KeyGenerator hk = KeyGenerator.getInstance("HmacSHA256", provider);
    SecretKey hmac = hk.generateKey();
    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding", provider);
    assertThatThrownBy(() -> gcm.init(Cipher.ENCRYPT_MODE, hmac))
        .as("an HMAC key to encrypt")
        .isInstanceOf(InvalidKeyException.class);
    kg.init(new IhsmKeyGenParameterSpec(null, 256, KeyUsage.WRAP, false));
    SecretKey wrapKey = kg.generateKey();
    assertThatThrownBy(() -> gcm.init(Cipher.ENCRYPT_MODE, wrapKey))
        .as("wrong usage")
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageContaining("not encrypt");
    assertThatThrownBy(
            () ->
                ecdsa.initSign(
                    KeyPairGenerator.getInstance("EC", "SunEC").generateKeyPair().getPrivate()))
        .as("a software key")
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageContaining("not an IHSM key");

    KeyStore wrongPin = KeyStore.getInstance("IHSM", provider);
    assertThatThrownBy(() -> wrongPin.load(null, "wrong-pin-0000".toCharArray()))
        .isInstanceOf(IOException.class)
        .cause()
        .isInstanceOf(KeyStoreException.class)
        .hasMessageContaining("wrong PIN");
    IhsmProvider unreachable =
        new IhsmProvider(IhsmConfig.daemon(home.resolve("no-daemon"), home, "app"));
    KeyStore nowhere = KeyStore.getInstance("IHSM", unreachable);
    assertThatThrownBy(() -> nowhere.load(null, ProviderFixture.PIN.toCharArray()))
        .isInstanceOf(IOException.class)
        .cause()
        .isInstanceOf(KeyStoreException.class)
        .hasMessageContaining("cannot reach the IHSM device");
  }

  @Test
  void threadsSignSideBySideOnPooledSessions() throws Exception {
    KeyPair kp = KeyPairGenerator.getInstance("EC", provider).generateKeyPair();
    var pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        results.add(
            pool.submit(
                () ->
                    jdkVerifies(
                        "SHA256withECDSA",
                        kp.getPublic(),
                        sign("SHA256withECDSA", kp.getPrivate(), null),
                        null)));
      }
      for (var r : results) {
        assertThat(r.get()).isTrue();
      }
    } finally {
      pool.shutdown();
    }
    assertThat(provider.hsm().sessions())
        .as("sessions opened for the threads")
        .isGreaterThan(1)
        .isLessThanOrEqualTo(Hsm.MAX_SESSIONS);
  }

  @Test
  void thePinCanComeFromACallbackHandler() throws Exception {
    AtomicInteger asked = new AtomicInteger();
    CallbackHandler handler =
        callbacks -> {
          for (var c : callbacks) {
            asked.incrementAndGet();
            ((PasswordCallback) c).setPassword(ProviderFixture.PIN.toCharArray());
          }
        };
    IhsmProvider withCallback =
        new IhsmProvider(
            IhsmConfig.embedded(home, "app").withPinEnv("IHSM_TEST_NO_SUCH_VAR"), handler);
    try {
      KeyStore ks = KeyStore.getInstance("IHSM", withCallback);
      ks.load(null, null);
      assertThat(asked.get()).isEqualTo(1);
      assertThat(Collections.list(ks.aliases())).isNotNull();
    } finally {
      withCallback.close();
    }
    IhsmProvider noPin =
        new IhsmProvider(IhsmConfig.embedded(home, "app").withPinEnv("IHSM_TEST_NO_SUCH_VAR"));
    assertThatThrownBy(() -> KeyStore.getInstance("IHSM", noPin).load(null, null))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("no PIN")
        .cause()
        .isInstanceOf(KeyStoreException.class);
  }

  @Test
  void withTheProviderMerelyInstalledAnHsmKeyFindsIt() throws Exception {
    KeyPair kp = KeyPairGenerator.getInstance("EC", provider).generateKeyPair();
    Security.addProvider(provider);
    try {
      Signature s = Signature.getInstance("SHA256withECDSA");
      s.initSign(kp.getPrivate());
      s.update(MESSAGE);
      byte[] sig = s.sign();
      assertThat(s.getProvider().getName()).isEqualTo("IHSM");
      Signature v = Signature.getInstance("SHA256withECDSA");
      v.initVerify(kp.getPublic());
      assertThat(v.getProvider().getName())
          .as("ordinary keys stay with the JDK")
          .isNotEqualTo("IHSM");
      v.update(MESSAGE);
      assertThat(v.verify(sig)).isTrue();
    } finally {
      Security.removeProvider(provider.getName());
    }
  }

  @Test
  void secureRandomComesFromTheDeviceAndTheProviderIsFoundByServiceLoader() throws Exception {
    SecureRandom r = SecureRandom.getInstance("DRBG", provider);
    byte[] a = new byte[3000];
    byte[] b = new byte[3000];
    r.nextBytes(a);
    r.nextBytes(b);
    assertThat(a).isNotEqualTo(b).isNotEqualTo(new byte[3000]);

    Provider found =
        ServiceLoader.load(Provider.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(p -> p.getName().equals("IHSM"))
            .findFirst()
            .orElseThrow();
    assertThat(found.isConfigured()).isFalse();
    Provider configured =
        found.configure("--partition=app;home=" + home + ";pin-file=" + home.resolve("pin"));
    assertThat(configured.isConfigured()).isTrue();
    KeyStore ks = KeyStore.getInstance("IHSM", configured);
    ks.load(null, null);
    assertThat(ks.size()).isGreaterThanOrEqualTo(0);
    ((IhsmProvider) configured).close();
    assertThatThrownBy(() -> found.configure("--home=/x"))
        .hasMessageContaining("must name a partition");
    assertThatThrownBy(() -> found.configure("--partition=app;colour=blue"))
        .hasMessageContaining("unknown");
  }
}
