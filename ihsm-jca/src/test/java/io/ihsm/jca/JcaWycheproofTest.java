package io.ihsm.jca;

import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.ddi.testing.Wycheproof;
import io.ihsm.sdk.DeviceAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.ProviderException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Wycheproof vectors through the provider API, as an application would use it: signatures verified
 * with ordinary public keys, and secret keys imported through the KeyStore, then used by Cipher and
 * Mac. Every valid case must pass and every invalid one must be refused.
 */
class JcaWycheproofTest {
  @TempDir static Path home;
  static IhsmProvider provider;
  static KeyStore keyStore;

  @BeforeAll
  static void partition() throws Exception {
    ProviderFixture.partition(DeviceAddress.embedded(home), home, "vectors", true);
    provider =
        new IhsmProvider(
            IhsmConfig.embedded(home, "vectors").withPinFile(ProviderFixture.pinFile(home)));
    keyStore = KeyStore.getInstance("IHSM", provider);
    keyStore.load(null, null);
  }

  @AfterAll
  static void close() {
    provider.close();
  }

  interface Check {
    boolean accepts(Wycheproof.Case c) throws Exception;
  }

  static PublicKey publicKey(Wycheproof.Case c, String algorithm) throws Exception {
    return KeyFactory.getInstance(algorithm)
        .generatePublic(new X509EncodedKeySpec(c.groupHex("publicKeyDer")));
  }

  static boolean verifies(String alg, PublicKey key, Wycheproof.Case c, AlgorithmParameterSpec p)
      throws Exception {
    Signature v = Signature.getInstance(alg, provider);
    if (p != null) {
      v.setParameter(p);
    }
    v.initVerify(key);
    v.update(c.hex("msg"));
    try {
      return v.verify(c.hex("sig"));
    } catch (SignatureException refused) {
      return false;
    }
  }

  /** A secret key imported through the KeyStore under a label made from the vector's key, once. */
  static SecretKey imported(Map<String, SecretKey> keys, String algorithm, byte[] raw) {
    return keys.computeIfAbsent(
        algorithm + HexFormat.of().formatHex(raw),
        k -> {
          try {
            String alias = "w" + Integer.toHexString(k.hashCode()) + keys.size();
            keyStore.setKeyEntry(alias, new SecretKeySpec(raw, algorithm), null, null);
            return (SecretKey) keyStore.getKey(alias, null);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
  }

  @TestFactory
  Stream<DynamicTest> vectorsThroughTheProvider() {
    Map<String, SecretKey> keys = new HashMap<>();
    List<DynamicTest> tests = new ArrayList<>();
    tests.add(
        test(
            "ecdsa_secp256r1_sha256_test.json",
            c -> verifies("SHA256withECDSA", publicKey(c, "EC"), c, null)));
    tests.add(
        test(
            "rsa_signature_2048_sha256_test.json",
            c -> verifies("SHA256withRSA", publicKey(c, "RSA"), c, null)));
    tests.add(
        test(
            "rsa_pss_2048_sha256_mgf1_32_test.json",
            c ->
                verifies(
                    "RSASSA-PSS",
                    publicKey(c, "RSA"),
                    c,
                    new PSSParameterSpec(
                        "SHA-256",
                        "MGF1",
                        MGF1ParameterSpec.SHA256,
                        c.group().get("sLen").asInt(),
                        1))));
    tests.add(
        test(
            "aes_gcm_test.json",
            c -> {
              Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding", provider);
              gcm.init(
                  Cipher.DECRYPT_MODE,
                  imported(keys, "AES", c.hex("key")),
                  new GCMParameterSpec(128, c.hex("iv")));
              gcm.updateAAD(c.hex("aad"));
              byte[] ct = c.hex("ct");
              byte[] tag = c.hex("tag");
              byte[] all = Arrays.copyOf(ct, ct.length + tag.length);
              System.arraycopy(tag, 0, all, ct.length, tag.length);
              return MessageDigest.isEqual(gcm.doFinal(all), c.hex("msg"));
            }));
    tests.add(
        test(
            "aes_cbc_pkcs5_test.json",
            c -> {
              Cipher cbc = Cipher.getInstance("AES/CBC/PKCS5Padding", provider);
              cbc.init(
                  Cipher.DECRYPT_MODE,
                  imported(keys, "AES", c.hex("key")),
                  new IvParameterSpec(c.hex("iv")));
              boolean decrypts = MessageDigest.isEqual(cbc.doFinal(c.hex("ct")), c.hex("msg"));
              cbc.init(
                  Cipher.ENCRYPT_MODE,
                  imported(keys, "AES", c.hex("key")),
                  new IvParameterSpec(c.hex("iv")));
              return decrypts && MessageDigest.isEqual(cbc.doFinal(c.hex("msg")), c.hex("ct"));
            }));
    tests.add(
        test(
            "hmac_sha256_test.json",
            c -> {
              Mac mac = Mac.getInstance("HmacSHA256", provider);
              mac.init(imported(keys, "HmacSHA256", c.hex("key")));
              byte[] full = mac.doFinal(c.hex("msg"));
              byte[] tag = c.hex("tag");
              return MessageDigest.isEqual(Arrays.copyOf(full, tag.length), tag);
            }));
    return tests.stream();
  }

  private static DynamicTest test(String file, Check check) {
    return DynamicTest.dynamicTest(
        file,
        () -> {
          List<String> wrong = new ArrayList<>();
          int run = 0;
          for (Wycheproof.Case c : Wycheproof.cases(file)) {
            if (skip(file, c)) {
              continue;
            }
            run++;
            boolean accepted;
            try {
              accepted = check.accepts(c);
            } catch (GeneralSecurityException | IllegalStateException | ProviderException e) {
              accepted = false;
            }
            if (c.valid() && !accepted || !c.valid() && !c.acceptable() && accepted) {
              wrong.add(c.toString());
            }
          }
          assertThat(run).as(file + ": cases run").isPositive();
          assertThat(wrong).as(file).isEmpty();
        });
  }

  /**
   * Cases outside what the HSM holds: GCM other than 96-bit IVs and 128-bit tags, HMAC keys not of
   * 256 bits.
   */
  private static boolean skip(String file, Wycheproof.Case c) {
    return file.startsWith("aes_gcm")
            && (c.group().get("ivSize").asInt() != 96 || c.group().get("tagSize").asInt() != 128)
        || file.startsWith("hmac") && c.group().get("keySize").asInt() != 256;
  }
}
