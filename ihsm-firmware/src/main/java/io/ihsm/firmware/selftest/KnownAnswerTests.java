package io.ihsm.firmware.selftest;

import io.ihsm.firmware.crypto.Ciphers;
import io.ihsm.firmware.crypto.Cmac;
import io.ihsm.firmware.crypto.CryptoEngine;
import io.ihsm.firmware.crypto.Hkdf;
import io.ihsm.firmware.crypto.Kbkdf;
import io.ihsm.firmware.crypto.KeyAgreements;
import io.ihsm.firmware.crypto.Macs;
import io.ihsm.firmware.crypto.Signatures;
import io.ihsm.firmware.crypto.Xts;
import io.ihsm.firmware.rng.CavpDrbgVectors;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * The known-answer tests of every approved algorithm family the module offers, run on the module's
 * own primitives. Symmetric vectors come from their standards; the RSA, ECDSA and ECDH answers were
 * fixed once with the JDK as an independent implementation (kat.properties). ECDSA signing is
 * randomised, so its test signs and verifies with a fixed key, and verification is checked against
 * a fixed signature.
 */
public final class KnownAnswerTests {
  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] MESSAGE =
      "ihsm known-answer test".getBytes(StandardCharsets.US_ASCII);

  private KnownAnswerTests() {}

  /** The suite, in the order it runs at power-on. */
  public static List<SelfTest> suite(CryptoEngine engine) {
    Properties kat = vectors();
    Ciphers ciphers = new Ciphers(engine);
    return List.of(
        test(
            "SHA-256 KAT",
            () ->
                eq(
                    engine.digest("SHA-256").digest(abc()),
                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")),
        test(
            "SHA-384 KAT",
            () ->
                eq(
                    engine.digest("SHA-384").digest(abc()),
                    "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7")),
        test(
            "SHA-512 KAT",
            () ->
                eq(
                    engine.digest("SHA-512").digest(abc()),
                    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")),
        test(
            "AES-ECB KAT",
            () -> { // FIPS 197, appendix C.1
              Cipher c = engine.cipher("AES/ECB/NoPadding");
              c.init(Cipher.ENCRYPT_MODE, aes("000102030405060708090a0b0c0d0e0f"));
              return eq(
                  c.doFinal(HEX.parseHex("00112233445566778899aabbccddeeff")),
                  "69c4e0d86a7b0430d8cdb78070b4c55a");
            }),
        test(
            "AES-CBC KAT",
            () ->
                eq(
                    ciphers.aesCbcEncrypt(
                        aes("2b7e151628aed2a6abf7158809cf4f3c"), // SP 800-38A F.2.1
                        HEX.parseHex("000102030405060708090a0b0c0d0e0f"),
                        HEX.parseHex("6bc1bee22e409f96e93d7e117393172a"),
                        false),
                    "7649abac8119b246cee98e9b12e9197d")),
        test(
            "AES-CTR KAT",
            () ->
                eq(
                    ciphers.aesCtr(
                        aes("2b7e151628aed2a6abf7158809cf4f3c"), // SP 800-38A F.5.1
                        HEX.parseHex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"),
                        HEX.parseHex("6bc1bee22e409f96e93d7e117393172a")),
                    "874d6191b620e3261bef6864990db6ce")),
        test(
            "AES-CMAC KAT",
            () ->
                eq(
                    new Cmac(engine)
                        .compute(
                            aes("2b7e151628aed2a6abf7158809cf4f3c"), // RFC 4493, 40 bytes
                            HEX.parseHex(
                                "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411")),
                    "dfa66747de9ae63030ca32611497c827")),
        test(
            "AES-GCM KAT",
            () -> { // GCM specification, test case 2
              byte[] ct =
                  ciphers.aesGcmEncrypt(
                      aes("00000000000000000000000000000000"),
                      new byte[12],
                      new byte[0],
                      new byte[16]);
              return eq(ct, "0388dace60b6a392f328c2b971b2fe78ab6e47d42cec13bdf53a67b21257bddf")
                  && eq(
                      ciphers.aesGcmDecrypt(
                          aes("00000000000000000000000000000000"), new byte[12], new byte[0], ct),
                      "00000000000000000000000000000000");
            }),
        test(
            "AES-XTS KAT",
            () ->
                eq(
                    new Xts(engine)
                        .encrypt(new byte[32], new byte[16], 32, new byte[32]), // IEEE 1619 #1
                    "917cf69ebd68b2ec9b9fe9a3eadda692cd43d2f59598ed858c02c2652fbf922e")),
        test(
            "AES-KW KAT",
            () ->
                eq(
                    ciphers.aesKwWrap(
                        aes("000102030405060708090a0b0c0d0e0f"), // RFC 3394, 4.1
                        HEX.parseHex("00112233445566778899aabbccddeeff")),
                    "1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5")),
        test(
            "HMAC-SHA256 KAT",
            () ->
                eq(
                    new Macs(engine)
                        .compute(
                            "HmacSHA256", // RFC 4231, test case 1
                            new SecretKeySpec(HEX.parseHex("0b".repeat(20)), "HmacSHA256"),
                            "Hi There".getBytes(StandardCharsets.US_ASCII)),
                    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")),
        test(
            "HKDF-SHA256 KAT",
            () ->
                eq(
                    new Hkdf(engine, "HmacSHA256")
                        .derive(
                            HEX.parseHex("0b".repeat(22)), // RFC 5869 #1
                            HEX.parseHex("000102030405060708090a0b0c"),
                            HEX.parseHex("f0f1f2f3f4f5f6f7f8f9"),
                            42),
                    "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")),
        test(
            "KBKDF KAT",
            () ->
                eq(
                    new Kbkdf(engine, "HmacSHA256")
                        .derive(
                            HEX.parseHex("0b".repeat(32)),
                            "label".getBytes(StandardCharsets.US_ASCII),
                            "context".getBytes(StandardCharsets.US_ASCII),
                            32),
                    kat.getProperty("kbkdf.sha256"))),
        test(
            "ECDSA verify KAT",
            () ->
                new Signatures(engine)
                    .verifyEcdsa(
                        "SHA256withECDSA",
                        ecPublic(engine, kat),
                        MESSAGE,
                        HEX.parseHex(kat.getProperty("ec.sha256.signature")))),
        test(
            "ECDSA sign test",
            () -> {
              Signature s = engine.signature("SHA256withECDSA");
              s.initSign(ecPrivate(engine, kat));
              s.update(MESSAGE);
              return new Signatures(engine)
                  .verifyEcdsa("SHA256withECDSA", ecPublic(engine, kat), MESSAGE, s.sign());
            }),
        test(
            "RSA sign KAT",
            () -> {
              Signature s = engine.signature("SHA256withRSA");
              s.initSign(rsaPrivate(engine, kat));
              s.update(MESSAGE);
              return eq(s.sign(), kat.getProperty("rsa.pkcs1.sha256"));
            }),
        test(
            "RSA verify KAT",
            () ->
                new Signatures(engine)
                    .verifyRsaPkcs1(
                        "SHA256withRSA",
                        rsaPublic(engine, kat),
                        MESSAGE,
                        HEX.parseHex(kat.getProperty("rsa.pkcs1.sha256")))),
        test(
            "RSA decrypt KAT",
            () ->
                MessageDigest.isEqual(
                    ciphers.rsaOaepDecrypt(
                        rsaPrivate(engine, kat),
                        "SHA-256",
                        "SHA-256",
                        new byte[0],
                        HEX.parseHex(kat.getProperty("rsa.oaep.sha256"))),
                    MESSAGE)),
        test("CTR_DRBG KAT", () -> CavpDrbgVectors.allPass(engine)),
        test(
            "ECDH KAT",
            () -> {
              KeyAgreements ka = new KeyAgreements(engine);
              return eq(
                  ka.ecdh(
                      ecPrivate(engine, kat),
                      ka.parseEcPublicKey(HEX.parseHex(kat.getProperty("ecdh.peer.public")))),
                  kat.getProperty("ecdh.shared"));
            }),
        test("ML-DSA-65 KAT", () -> PostQuantumKats.mlDsa65(engine)),
        test("ML-KEM-768 KAT", () -> PostQuantumKats.mlKem768(engine)));
  }

  /** A self-test from a name and a check. */
  public static SelfTest test(String name, Check check) {
    return new SelfTest() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public boolean run() throws Exception {
        return check.passes();
      }
    };
  }

  /** The body of a self-test. */
  @FunctionalInterface
  public interface Check {
    boolean passes() throws Exception;
  }

  private static boolean eq(byte[] got, String expectedHex) {
    return MessageDigest.isEqual(got, HEX.parseHex(expectedHex));
  }

  private static byte[] abc() {
    return "abc".getBytes(StandardCharsets.US_ASCII);
  }

  private static SecretKeySpec aes(String hex) {
    return new SecretKeySpec(HEX.parseHex(hex), "AES");
  }

  private static PrivateKey rsaPrivate(CryptoEngine e, Properties kat) throws Exception {
    return e.keyFactory("RSA")
        .generatePrivate(new PKCS8EncodedKeySpec(HEX.parseHex(kat.getProperty("rsa.private"))));
  }

  private static PublicKey rsaPublic(CryptoEngine e, Properties kat) throws Exception {
    return e.keyFactory("RSA")
        .generatePublic(new X509EncodedKeySpec(HEX.parseHex(kat.getProperty("rsa.public"))));
  }

  private static PrivateKey ecPrivate(CryptoEngine e, Properties kat) throws Exception {
    return e.keyFactory("EC")
        .generatePrivate(new PKCS8EncodedKeySpec(HEX.parseHex(kat.getProperty("ec.private"))));
  }

  private static PublicKey ecPublic(CryptoEngine e, Properties kat) throws Exception {
    return e.keyFactory("EC")
        .generatePublic(new X509EncodedKeySpec(HEX.parseHex(kat.getProperty("ec.public"))));
  }

  private static Properties vectors() {
    try (InputStream in = KnownAnswerTests.class.getResourceAsStream("kat.properties")) {
      if (in == null) {
        throw new IllegalStateException("the self-test vectors are missing from the firmware");
      }
      Properties p = new Properties();
      p.load(in);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
