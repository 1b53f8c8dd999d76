package io.ihsm.firmware.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ihsm.firmware.crypto.CryptoRefusal.Reason;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Each refusal of the module's primitives, with its reason, on every engine. */
class PrimitivesTest {
  static final SecretKeySpec AES = new SecretKeySpec(new byte[16], "AES");

  static List<CryptoEngine> engines() {
    return Engines.available();
  }

  static void refused(ThrowingCall call, Reason reason) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(CryptoRefusal.class, e -> assertThat(e.reason()).isEqualTo(reason));
  }

  interface ThrowingCall {
    void run() throws Exception;
  }

  @ParameterizedTest
  @MethodSource("engines")
  void cbcRefusesEmptyAndPartialBlocksAndBadPadding(CryptoEngine e) throws Exception {
    Ciphers c = new Ciphers(e);
    refused(() -> c.aesCbcDecrypt(AES, new byte[16], new byte[0], true), Reason.INVALID_INPUT);
    refused(() -> c.aesCbcDecrypt(AES, new byte[16], new byte[17], true), Reason.INVALID_INPUT);
    refused(() -> c.aesCbcDecrypt(AES, new byte[15], new byte[16], true), Reason.INVALID_INPUT);
    refused(() -> c.aesCbcEncrypt(AES, new byte[16], new byte[5], false), Reason.INVALID_INPUT);
    byte[] ct =
        c.aesCbcEncrypt(AES, new byte[16], new byte[16], false); // one block of zeros, unpadded
    refused(() -> c.aesCbcDecrypt(AES, new byte[16], ct, true), Reason.BAD_PADDING);
    assertThat(c.aesCbcDecrypt(AES, new byte[16], ct, false)).isEqualTo(new byte[16]);
  }

  @ParameterizedTest
  @MethodSource("engines")
  void gcmRefusesOddIvsShortInputAndBadTags(CryptoEngine e) throws Exception {
    Ciphers c = new Ciphers(e);
    refused(
        () -> c.aesGcmEncrypt(AES, new byte[8], new byte[0], new byte[1]), Reason.INVALID_INPUT);
    refused(
        () -> c.aesGcmDecrypt(AES, new byte[12], new byte[0], new byte[15]), Reason.INVALID_INPUT);
    byte[] ct = c.aesGcmEncrypt(AES, new byte[12], "aad".getBytes(), "hello".getBytes());
    assertThat(c.aesGcmDecrypt(AES, new byte[12], "aad".getBytes(), ct))
        .isEqualTo("hello".getBytes());
    refused(() -> c.aesGcmDecrypt(AES, new byte[12], "other aad".getBytes(), ct), Reason.BAD_TAG);
    byte[] flipped = ct.clone();
    flipped[0] ^= 1;
    refused(() -> c.aesGcmDecrypt(AES, new byte[12], "aad".getBytes(), flipped), Reason.BAD_TAG);
  }

  @ParameterizedTest
  @MethodSource("engines")
  void keyWrapRoundTripsAndRefusesTampering(CryptoEngine e) throws Exception {
    Ciphers c = new Ciphers(e);
    byte[] key = new byte[32];
    key[3] = 7;
    byte[] kwp = c.aesKwpWrap(AES, new byte[] {1, 2, 3});
    assertThat(c.aesKwpUnwrap(AES, kwp)).containsExactly(1, 2, 3);
    byte[] kw = c.aesKwWrap(AES, key);
    assertThat(c.aesKwUnwrap(AES, kw)).isEqualTo(key);
    kw[5] ^= 1;
    assertThatThrownBy(() -> c.aesKwUnwrap(AES, kw)).isInstanceOf(CryptoRefusal.class);
    refused(() -> c.aesKwWrap(AES, new byte[12]), Reason.INVALID_INPUT);
    refused(() -> c.aesKwpUnwrap(AES, new byte[12]), Reason.INVALID_INPUT);
    refused(() -> c.aesKwpWrap(AES, new byte[0]), Reason.INVALID_INPUT);
  }

  @ParameterizedTest
  @MethodSource("engines")
  void oaepRefusesInputThatIsNotTheModulusLength(CryptoEngine e) throws Exception {
    KeyPairGenerator g = e.keyPairGenerator("RSA");
    g.initialize(2048);
    KeyPair kp = g.generateKeyPair();
    Ciphers c = new Ciphers(e);
    refused(
        () -> c.rsaOaepDecrypt(kp.getPrivate(), "SHA-256", "SHA-256", new byte[0], new byte[257]),
        Reason.INPUT_TOO_LARGE);
    refused(
        () -> c.rsaOaepDecrypt(kp.getPrivate(), "SHA-256", "SHA-256", new byte[0], new byte[256]),
        Reason.BAD_PADDING);
  }

  @ParameterizedTest
  @MethodSource("engines")
  void ecdhRefusesAPeerOnAnotherCurveAndGarbage(CryptoEngine e) throws Exception {
    KeyPairGenerator g = e.keyPairGenerator("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair ours = g.generateKeyPair();
    g.initialize(new ECGenParameterSpec("secp384r1"));
    KeyPair other = g.generateKeyPair();
    KeyAgreements ka = new KeyAgreements(e);
    refused(
        () -> ka.ecdh(ours.getPrivate(), ka.parseEcPublicKey(other.getPublic().getEncoded())),
        Reason.CURVE_MISMATCH);
    refused(
        () -> ka.parseEcPublicKey(new byte[] {0x30, 0x03, 0x02, 0x01, 0x01}),
        Reason.INVALID_PUBLIC_KEY);
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair peer = g.generateKeyPair();
    assertThat(ka.ecdh(ours.getPrivate(), ka.parseEcPublicKey(peer.getPublic().getEncoded())))
        .hasSize(32);
  }

  @ParameterizedTest
  @MethodSource("engines")
  void ecdsaAcceptsOnlyCanonicalDer(CryptoEngine e) throws Exception {
    KeyPairGenerator g = e.keyPairGenerator("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair kp = g.generateKeyPair();
    Signature s = e.signature("SHA256withECDSA");
    s.initSign(kp.getPrivate());
    s.update("msg".getBytes());
    byte[] der = s.sign();
    Signatures sigs = new Signatures(e);
    assertThat(sigs.verifyEcdsa("SHA256withECDSA", kp.getPublic(), "msg".getBytes(), der)).isTrue();
    assertThat(sigs.verifyEcdsa("SHA256withECDSA", kp.getPublic(), "other".getBytes(), der))
        .isFalse();
    byte[] trailing = Arrays.copyOf(der, der.length + 1);
    assertThat(sigs.verifyEcdsa("SHA256withECDSA", kp.getPublic(), "msg".getBytes(), trailing))
        .isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "3006020101020101", // canonical: r = 1, s = 1
      })
  void canonicalDerParses(String hex) {
    assertThat(DerEcdsaSignature.parse(HexFormat.of().parseHex(hex))).isPresent();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "3007020101020101", // sequence length wrong
        "308106020101020101", // long-form length where short form fits
        "300602010002010100", // zero r (and trailing byte)
        "3006020100020101", // r = 0
        "30070202000102010100", // r with an unneeded leading zero
        "3006020181020101", // r negative
        "3008020101020101" + "0000", // trailing inside the sequence
        "3106020101020101", // not a SEQUENCE
        "3080020101020101" + "0000", // indefinite length
      })
  void nonCanonicalDerIsRefused(String hex) {
    assertThat(DerEcdsaSignature.parse(HexFormat.of().parseHex(hex))).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("engines")
  void macsVerifyInConstantTimeAndBoundTruncation(CryptoEngine e) throws Exception {
    Macs m = new Macs(e);
    SecretKeySpec k = new SecretKeySpec(new byte[32], "HmacSHA256");
    byte[] tag = m.compute("HmacSHA256", k, "x".getBytes());
    assertThat(m.verify("HmacSHA256", k, "x".getBytes(), tag)).isTrue();
    assertThat(m.verify("HmacSHA256", k, "x".getBytes(), Arrays.copyOf(tag, 16))).isTrue();
    assertThat(m.verify("HmacSHA256", k, "x".getBytes(), Arrays.copyOf(tag, 9))).isFalse();
    assertThat(m.verify("HmacSHA256", k, "y".getBytes(), tag)).isFalse();
  }
}
