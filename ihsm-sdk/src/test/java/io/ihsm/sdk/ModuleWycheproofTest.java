package io.ihsm.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.ddi.credential.Credential;
import io.ihsm.ddi.key.Algorithm;
import io.ihsm.ddi.key.DeriveKeyRequest;
import io.ihsm.ddi.key.HashAlgorithm;
import io.ihsm.ddi.key.KeyAttributes;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.ddi.key.Operation;
import io.ihsm.ddi.message.PartitionLimits;
import io.ihsm.ddi.testing.Wycheproof;
import io.ihsm.sdk.store.HostKeyStore;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPrivateKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Wycheproof vectors through the module: every key enters the device through the bring-your-
 * own-key path (RSA-OAEP + AES-KWP) or as an imported public key, and is then used inside it. Where
 * the answer is a key (an ECDH secret, an HKDF output, a KWP unwrap), it is made extractable and
 * wrapped out under a test key so the host can compare it. Valid cases must give the expected
 * answer, invalid ones must be refused, acceptable ones may go either way.
 */
class ModuleWycheproofTest {
  @TempDir static Path home;

  static IhsmClient hsm;
  static PartitionConnection partition;
  static HsmSession session;
  static byte[] unwrappingKey;
  static byte[] testKek = new byte[32];
  static int testKekHandle;

  @BeforeAll
  static void partitionWithASession() throws Exception {
    hsm = IhsmClient.connect(DeviceAddress.embedded(home));
    HostKeyStore store = HostKeyStore.at(home);
    HostKeyStore.PartitionEntry e =
        PartitionClientTest.setUp(hsm, store, new PartitionLimits(0, 4096, 1 << 20, 0, 0));
    partition = hsm.partition(e.id());
    session = partition.openSession(Credential.of(e.credentialId(), PartitionClientTest.PIN));
    unwrappingKey = session.unwrappingKey();
    new SecureRandom().nextBytes(testKek);
    testKekHandle = importRaw(KeyKind.AES_256, KeyUsage.WRAP, testKek);
  }

  @AfterAll
  static void close() {
    session.close();
    partition.close();
    hsm.close();
  }

  static KeyAttributes sessionKey(KeyKind kind, KeyUsage usage, boolean extractable) {
    return new KeyAttributes(kind, usage, true, extractable, "");
  }

  static int importRaw(KeyKind kind, KeyUsage usage, byte[] material) {
    return session
        .importKey(sessionKey(kind, usage, false), KeyImport.wrapForImport(unwrappingKey, material))
        .handle();
  }

  /**
   * An extractable secret key's bytes, wrapped out under the test KEK and unwrapped on the host.
   */
  static byte[] reveal(int handle) throws Exception {
    byte[] wrapped = session.wrapKey(testKekHandle, handle, Algorithm.AES_KWP);
    Cipher kwp = Cipher.getInstance("AES/KWP/NoPadding");
    kwp.init(Cipher.DECRYPT_MODE, new SecretKeySpec(testKek, "AES"));
    return kwp.doFinal(wrapped);
  }

  static KeyKind aes(int bytes) {
    return switch (bytes) {
      case 16 -> KeyKind.AES_128;
      case 24 -> KeyKind.AES_192;
      case 32 -> KeyKind.AES_256;
      default -> throw new IllegalArgumentException("AES key of " + bytes + " bytes");
    };
  }

  interface Check {
    boolean accepts(Wycheproof.Case c) throws Exception;
  }

  @TestFactory
  Stream<DynamicTest> vectorsThroughTheModule() {
    Map<String, Integer> keys = new HashMap<>();
    List<DynamicTest> tests = new ArrayList<>();
    tests.add(
        test(
            "ecdsa_secp256r1_sha256_test.json",
            c ->
                session.verify(
                    Operation.of(
                            keys.computeIfAbsent(
                                c.group().get("publicKeyDer").asText(),
                                k ->
                                    session
                                        .importPublicKey(
                                            sessionKey(KeyKind.EC_P256, KeyUsage.SIGN, false),
                                            c.groupHex("publicKeyDer"))
                                        .handle()),
                            Algorithm.ECDSA,
                            c.hex("msg"))
                        .withHash(HashAlgorithm.SHA256)
                        .withSignature(c.hex("sig")))));
    tests.add(
        test(
            "rsa_signature_2048_sha256_test.json",
            c ->
                session.verify(
                    Operation.of(rsaPublic(keys, c), Algorithm.RSA_PKCS1, c.hex("msg"))
                        .withHash(HashAlgorithm.SHA256)
                        .withSignature(c.hex("sig")))));
    tests.add(
        test(
            "rsa_pss_2048_sha256_mgf1_32_test.json",
            c ->
                session.verify(
                    Operation.of(rsaPublic(keys, c), Algorithm.RSA_PSS, c.hex("msg"))
                        .withPss(
                            HashAlgorithm.SHA256,
                            HashAlgorithm.SHA256,
                            c.group().get("sLen").asInt())
                        .withSignature(c.hex("sig")))));
    tests.add(
        test(
            "rsa_oaep_2048_sha256_mgf1sha256_test.json",
            c -> {
              int key =
                  keys.computeIfAbsent(
                      "oaep",
                      k ->
                          session
                              .importKey(
                                  sessionKey(KeyKind.RSA_2048, KeyUsage.ENCRYPT, false),
                                  KeyImport.wrapForImport(
                                      unwrappingKey, c.groupHex("privateKeyPkcs8")))
                              .handle());
              byte[] pt =
                  session.decrypt(
                      Operation.of(key, Algorithm.RSA_OAEP, c.hex("ct"))
                          .withOaep(HashAlgorithm.SHA256, HashAlgorithm.SHA256, c.hex("label")));
              return MessageDigest.isEqual(pt, c.hex("msg"));
            }));
    tests.add(
        test(
            "ecdh_secp256r1_test.json",
            c -> {
              int priv =
                  keys.computeIfAbsent(
                      "ecdh" + c.test().get("private").asText(),
                      k -> {
                        try {
                          return session
                              .importKey(
                                  sessionKey(KeyKind.EC_P256, KeyUsage.DERIVE, false),
                                  KeyImport.wrapForImport(
                                      unwrappingKey, p256Pkcs8(c.hex("private"))))
                              .handle();
                        } catch (Exception e) {
                          throw new IllegalStateException(e);
                        }
                      });
              int secret =
                  session
                      .deriveKey(
                          new DeriveKeyRequest(
                              priv,
                              DeriveKeyRequest.Method.ECDH,
                              HashAlgorithm.NONE,
                              c.hex("public"),
                              new byte[0],
                              new byte[0],
                              0,
                              sessionKey(KeyKind.SECRET, KeyUsage.DERIVE, true)))
                      .handle();
              try {
                return MessageDigest.isEqual(reveal(secret), c.hex("shared"));
              } finally {
                session.unload(secret);
              }
            }));
    tests.add(
        test(
            "aes_gcm_test.json",
            c -> {
              int key =
                  keys.computeIfAbsent(
                      "aes" + c.test().get("key").asText(),
                      k -> importRaw(aes(c.hex("key").length), KeyUsage.ENCRYPT, c.hex("key")));
              byte[] ct = concat(c.hex("ct"), c.hex("tag"));
              return MessageDigest.isEqual(
                  session.decrypt(
                      Operation.of(key, Algorithm.AES_GCM, ct)
                          .withIv(c.hex("iv"))
                          .withAad(c.hex("aad"))),
                  c.hex("msg"));
            }));
    tests.add(
        test(
            "aes_cbc_pkcs5_test.json",
            c -> {
              int key =
                  keys.computeIfAbsent(
                      "aes" + c.test().get("key").asText(),
                      k -> importRaw(aes(c.hex("key").length), KeyUsage.ENCRYPT, c.hex("key")));
              return MessageDigest.isEqual(
                  session.decrypt(
                      Operation.of(key, Algorithm.AES_CBC_PAD, c.hex("ct")).withIv(c.hex("iv"))),
                  c.hex("msg"));
            }));
    tests.add(
        test(
            "aes_kwp_test.json",
            c -> {
              int kek =
                  keys.computeIfAbsent(
                      "kek" + c.test().get("key").asText(),
                      k -> importRaw(aes(c.hex("key").length), KeyUsage.WRAP, c.hex("key")));
              int unwrapped =
                  session
                      .unwrapKey(
                          kek,
                          Algorithm.AES_KWP,
                          sessionKey(KeyKind.SECRET, KeyUsage.DERIVE, true),
                          c.hex("ct"))
                      .handle();
              try {
                return MessageDigest.isEqual(reveal(unwrapped), c.hex("msg"))
                    && MessageDigest.isEqual(
                        session.wrapKey(kek, unwrapped, Algorithm.AES_KWP), c.hex("ct"));
              } finally {
                session.unload(unwrapped);
              }
            }));
    tests.add(
        test(
            "hmac_sha256_test.json",
            c -> {
              int key =
                  keys.computeIfAbsent(
                      "hmac" + c.test().get("key").asText(),
                      k -> importRaw(KeyKind.HMAC_SHA256, KeyUsage.SIGN, c.hex("key")));
              return c.hex("tag").length == c.group().get("tagSize").asInt() / 8
                  && session.verify(
                      Operation.of(key, Algorithm.HMAC, c.hex("msg")).withSignature(c.hex("tag")));
            }));
    tests.add(
        test(
            "hkdf_sha256_test.json",
            c -> {
              int ikm =
                  keys.computeIfAbsent(
                      "ikm" + c.test().get("ikm").asText(),
                      k -> importRaw(KeyKind.SECRET, KeyUsage.DERIVE, c.hex("ikm")));
              int okm =
                  session
                      .deriveKey(
                          new DeriveKeyRequest(
                              ikm,
                              DeriveKeyRequest.Method.HKDF,
                              HashAlgorithm.SHA256,
                              new byte[0],
                              c.hex("salt"),
                              c.hex("info"),
                              c.test().get("size").asInt(),
                              sessionKey(KeyKind.SECRET, KeyUsage.DERIVE, true)))
                      .handle();
              try {
                return MessageDigest.isEqual(reveal(okm), c.hex("okm"));
              } finally {
                session.unload(okm);
              }
            }));
    return tests.stream();
  }

  private static int rsaPublic(Map<String, Integer> keys, Wycheproof.Case c) {
    return keys.computeIfAbsent(
        c.group().get("publicKeyDer").asText(),
        k ->
            session
                .importPublicKey(
                    sessionKey(KeyKind.RSA_2048, KeyUsage.SIGN, false), c.groupHex("publicKeyDer"))
                .handle());
  }

  private static DynamicTest test(String file, Check check) {
    return DynamicTest.dynamicTest(
        file,
        () -> {
          List<String> wrong = new ArrayList<>();
          int run = 0;
          for (Wycheproof.Case c : Wycheproof.cases(file)) {
            if (file.startsWith("aes_gcm")
                && (c.group().get("ivSize").asInt() != 96
                    || c.group().get("tagSize").asInt() != 128)) {
              continue; // the module takes 96-bit GCM IVs and 128-bit tags only
            }
            run++;
            boolean accepted;
            try {
              accepted = check.accepts(c);
            } catch (IhsmException refused) {
              accepted = false;
            }
            if (!c.acceptable() && accepted != c.valid()) {
              wrong.add(c + (accepted ? " was accepted" : " was refused"));
            }
          }
          assertThat(run).isPositive();
          assertThat(wrong).as(file + " through the module").isEmpty();
        });
  }

  /**
   * A P-256 private key in PKCS#8, from the raw scalar Wycheproof gives (the JDK omits the public
   * key).
   */
  static byte[] p256Pkcs8(byte[] scalar) throws Exception {
    AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
    params.init(new ECGenParameterSpec("secp256r1"));
    return KeyFactory.getInstance("EC")
        .generatePrivate(
            new ECPrivateKeySpec(
                new BigInteger(1, scalar), params.getParameterSpec(ECParameterSpec.class)))
        .getEncoded();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
