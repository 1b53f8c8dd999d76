package io.ihsm.firmware.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.ddi.testing.Wycheproof;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every Wycheproof file through the module's primitives on every engine: valid cases must give the
 * expected answer, invalid ones must be refused, acceptable ones may go either way. The primitives
 * add the checks the raw engines lack (strict DER, empty CBC input); the vault will run the same
 * vectors end to end through the device's import path.
 */
class EngineWycheproofTest {
  /** True when the engine accepted the input and produced the expected result. */
  interface Check {
    boolean accepts(CryptoEngine engine, Wycheproof.Case c) throws Exception;
  }

  @TestFactory
  Stream<DynamicTest> vectors() {
    List<DynamicTest> tests = new ArrayList<>();
    for (CryptoEngine e : Engines.available()) {
      tests.add(test(e, "ecdsa_secp256r1_sha256_test.json", EngineWycheproofTest::ecdsa));
      tests.add(test(e, "rsa_signature_2048_sha256_test.json", EngineWycheproofTest::rsaPkcs1));
      tests.add(test(e, "rsa_pss_2048_sha256_mgf1_32_test.json", EngineWycheproofTest::rsaPss));
      tests.add(
          test(e, "rsa_oaep_2048_sha256_mgf1sha256_test.json", EngineWycheproofTest::rsaOaep));
      tests.add(test(e, "ecdh_secp256r1_test.json", EngineWycheproofTest::ecdh));
      tests.add(test(e, "aes_gcm_test.json", EngineWycheproofTest::aesGcm));
      tests.add(test(e, "aes_cbc_pkcs5_test.json", EngineWycheproofTest::aesCbc));
      tests.add(test(e, "aes_kwp_test.json", EngineWycheproofTest::aesKwp));
      tests.add(test(e, "hmac_sha256_test.json", EngineWycheproofTest::hmac));
      tests.add(test(e, "hkdf_sha256_test.json", EngineWycheproofTest::hkdf));
      tests.add(test(e, "mldsa_44_verify_test.json", EngineWycheproofTest::mlDsa));
      tests.add(test(e, "mldsa_65_verify_test.json", EngineWycheproofTest::mlDsa));
      tests.add(test(e, "mlkem_512_test.json", EngineWycheproofTest::mlKem));
      tests.add(test(e, "mlkem_768_test.json", EngineWycheproofTest::mlKem));
    }
    return tests.stream();
  }

  private static DynamicTest test(CryptoEngine engine, String file, Check check) {
    return DynamicTest.dynamicTest(
        engine.name() + ": " + file,
        () -> {
          List<String> wrong = new ArrayList<>();
          int run = 0;
          for (Wycheproof.Case c : Wycheproof.cases(file)) {
            if (!applies(file, c)) {
              continue;
            }
            run++;
            boolean accepted;
            try {
              accepted = check.accepts(engine, c);
            } catch (Exception refused) {
              accepted = false;
            }
            if (!c.acceptable() && accepted != c.valid()) {
              wrong.add(c + (accepted ? " was accepted" : " was refused"));
            }
          }
          assertThat(run).as("cases run from " + file).isPositive();
          assertThat(wrong).as(engine.name() + " on " + file).isEmpty();
        });
  }

  /** The module serves AES-GCM with 96-bit IVs and 128-bit tags only; other groups do not apply. */
  private static boolean applies(String file, Wycheproof.Case c) {
    if (file.startsWith("mldsa")) {
      // The module signs and verifies pure ML-DSA with an empty context (docs/ddi.md).
      return !c.test().has("ctx") || c.test().get("ctx").asText().isEmpty();
    }
    if (file.startsWith("aes_gcm")) {
      return c.group().get("ivSize").asInt() == 96 && c.group().get("tagSize").asInt() == 128;
    }
    return true;
  }

  static boolean ecdsa(CryptoEngine e, Wycheproof.Case c) throws Exception {
    return new Signatures(e)
        .verifyEcdsa("SHA256withECDSA", publicKey(e, "EC", c), c.hex("msg"), c.hex("sig"));
  }

  static boolean rsaPkcs1(CryptoEngine e, Wycheproof.Case c) throws Exception {
    return new Signatures(e)
        .verifyRsaPkcs1("SHA256withRSA", publicKey(e, "RSA", c), c.hex("msg"), c.hex("sig"));
  }

  static boolean rsaPss(CryptoEngine e, Wycheproof.Case c) throws Exception {
    PSSParameterSpec pss =
        new PSSParameterSpec(
            "SHA-256", "MGF1", MGF1ParameterSpec.SHA256, c.group().get("sLen").asInt(), 1);
    return new Signatures(e).verifyRsaPss(pss, publicKey(e, "RSA", c), c.hex("msg"), c.hex("sig"));
  }

  private static PublicKey publicKey(CryptoEngine e, String alg, Wycheproof.Case c)
      throws Exception {
    return e.keyFactory(alg).generatePublic(new X509EncodedKeySpec(c.groupHex("publicKeyDer")));
  }

  static boolean rsaOaep(CryptoEngine e, Wycheproof.Case c) throws Exception {
    PrivateKey key =
        e.keyFactory("RSA").generatePrivate(new PKCS8EncodedKeySpec(c.groupHex("privateKeyPkcs8")));
    byte[] pt =
        new Ciphers(e).rsaOaepDecrypt(key, "SHA-256", "SHA-256", c.hex("label"), c.hex("ct"));
    return MessageDigest.isEqual(pt, c.hex("msg"));
  }

  static boolean ecdh(CryptoEngine e, Wycheproof.Case c) throws Exception {
    KeyAgreements ka = new KeyAgreements(e);
    AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
    params.init(new ECGenParameterSpec("secp256r1"));
    PrivateKey priv =
        e.keyFactory("EC")
            .generatePrivate(
                new ECPrivateKeySpec(
                    new BigInteger(1, c.hex("private")),
                    params.getParameterSpec(ECParameterSpec.class)));
    return MessageDigest.isEqual(
        ka.ecdh(priv, ka.parseEcPublicKey(c.hex("public"))), c.hex("shared"));
  }

  static boolean aesGcm(CryptoEngine e, Wycheproof.Case c) throws Exception {
    Ciphers ciphers = new Ciphers(e);
    SecretKeySpec key = new SecretKeySpec(c.hex("key"), "AES");
    byte[] ctAndTag = concat(c.hex("ct"), c.hex("tag"));
    boolean decrypts =
        MessageDigest.isEqual(
            ciphers.aesGcmDecrypt(key, c.hex("iv"), c.hex("aad"), ctAndTag), c.hex("msg"));
    if (decrypts && c.valid()) {
      return MessageDigest.isEqual(
          ciphers.aesGcmEncrypt(key, c.hex("iv"), c.hex("aad"), c.hex("msg")), ctAndTag);
    }
    return decrypts;
  }

  static boolean aesCbc(CryptoEngine e, Wycheproof.Case c) throws Exception {
    Ciphers ciphers = new Ciphers(e);
    SecretKeySpec key = new SecretKeySpec(c.hex("key"), "AES");
    boolean decrypts =
        MessageDigest.isEqual(
            ciphers.aesCbcDecrypt(key, c.hex("iv"), c.hex("ct"), true), c.hex("msg"));
    if (decrypts && c.valid()) {
      return MessageDigest.isEqual(
          ciphers.aesCbcEncrypt(key, c.hex("iv"), c.hex("msg"), true), c.hex("ct"));
    }
    return decrypts;
  }

  static boolean aesKwp(CryptoEngine e, Wycheproof.Case c) throws Exception {
    Ciphers ciphers = new Ciphers(e);
    SecretKeySpec kek = new SecretKeySpec(c.hex("key"), "AES");
    boolean unwraps = MessageDigest.isEqual(ciphers.aesKwpUnwrap(kek, c.hex("ct")), c.hex("msg"));
    if (unwraps && c.valid()) {
      return MessageDigest.isEqual(ciphers.aesKwpWrap(kek, c.hex("msg")), c.hex("ct"));
    }
    return unwraps;
  }

  static boolean hmac(CryptoEngine e, Wycheproof.Case c) throws Exception {
    int tagBytes = c.group().get("tagSize").asInt() / 8;
    byte[] tag = c.hex("tag");
    return tag.length == tagBytes
        && new Macs(e)
            .verify("HmacSHA256", new SecretKeySpec(c.hex("key"), "HmacSHA256"), c.hex("msg"), tag);
  }

  static boolean hkdf(CryptoEngine e, Wycheproof.Case c) {
    byte[] okm =
        new Hkdf(e, "HmacSHA256")
            .derive(c.hex("ikm"), c.hex("salt"), c.hex("info"), c.test().get("size").asInt());
    return MessageDigest.isEqual(okm, c.hex("okm"));
  }

  /** ML-DSA verification with the group's public key (SubjectPublicKeyInfo), as the module does. */
  static boolean mlDsa(CryptoEngine e, Wycheproof.Case c) throws Exception {
    java.security.PublicKey pub =
        e.keyFactory("ML-DSA")
            .generatePublic(new java.security.spec.X509EncodedKeySpec(c.groupHex("publicKeyDer")));
    java.security.Signature v = e.signature("ML-DSA");
    v.initVerify(pub);
    v.update(c.hex("msg"));
    return v.verify(c.hex("sig"));
  }

  /**
   * ML-KEM: the key pair from the test's seed (d || z, drawn in that order by key generation), its
   * encapsulation key as the vector's, and decapsulation of the ciphertext to the vector's secret.
   */
  static boolean mlKem(CryptoEngine e, Wycheproof.Case c) throws Exception {
    java.security.KeyPairGenerator g = e.keyPairGenerator("ML-KEM");
    g.initialize(
        new java.security.spec.NamedParameterSpec(c.group().get("parameterSet").asText()),
        new io.ihsm.firmware.selftest.TestReplay(c.hex("seed")));
    java.security.KeyPair kp = g.generateKeyPair();
    if (c.test().has("ek")) {
      byte[] spki = kp.getPublic().getEncoded();
      byte[] ek = c.hex("ek");
      if (!MessageDigest.isEqual(
          Arrays.copyOfRange(spki, spki.length - ek.length, spki.length), ek)) {
        return false;
      }
    }
    byte[] k =
        e.kem("ML-KEM").newDecapsulator(kp.getPrivate()).decapsulate(c.hex("c")).getEncoded();
    return MessageDigest.isEqual(k, c.hex("K"));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
