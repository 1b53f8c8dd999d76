package io.ihsm.sdk.internal;

import io.ihsm.ddi.key.Algorithm;
import io.ihsm.ddi.key.HashAlgorithm;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.ddi.key.Operation;
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
import io.ihsm.sdk.signature.MlDsaParameters;
import io.ihsm.sdk.signature.RsaPkcs1Parameters;
import io.ihsm.sdk.signature.RsaPssParameters;
import io.ihsm.sdk.signature.SignatureParameters;

/** The one place where the SDK's public types become device (DDI) requests and back. */
public final class WireMapping {
  private WireMapping() {}

  public static KeyKind kind(KeyType type) {
    return KeyKind.valueOf(type.name());
  }

  /**
   * The SDK's name for a kind, or null for the kinds an application does not make (generic
   * secrets).
   */
  public static KeyType type(KeyKind kind) {
    return kind == KeyKind.SECRET ? null : KeyType.valueOf(kind.name());
  }

  public static KeyUsage usage(KeyPurpose purpose) {
    return KeyUsage.valueOf(purpose.name());
  }

  public static HashAlgorithm hash(HashFunction h) {
    return HashAlgorithm.valueOf(h.name());
  }

  /**
   * A signature or MAC request over {@code message}, without a key handle (the client fills it in).
   */
  public static Operation signing(SignatureParameters p, byte[] message) {
    return switch (p) {
      case EcdsaParameters e -> Operation.of(0, Algorithm.ECDSA, message).withHash(hash(e.hash()));
      case RsaPkcs1Parameters r ->
          Operation.of(0, Algorithm.RSA_PKCS1, message).withHash(hash(r.hash()));
      case RsaPssParameters r ->
          Operation.of(0, Algorithm.RSA_PSS, message)
              .withPss(hash(r.hash()), hash(r.mgf1Hash()), r.saltLength());
      case HmacParameters h -> Operation.of(0, Algorithm.HMAC, message);
      case AesCmacParameters c -> Operation.of(0, Algorithm.AES_CMAC, message);
      case MlDsaParameters m -> Operation.of(0, Algorithm.ML_DSA, message);
    };
  }

  public static Operation encrypting(CipherParameters p, byte[] plaintext) {
    return switch (p) {
      case AesGcmParameters g -> Operation.of(0, Algorithm.AES_GCM, plaintext).withAad(g.aad());
      case AesCbcParameters c ->
          Operation.of(0, c.padded() ? Algorithm.AES_CBC_PAD : Algorithm.AES_CBC, plaintext)
              .withIv(c.iv());
      case AesCtrParameters c ->
          Operation.of(0, Algorithm.AES_CTR, plaintext).withIv(c.counterBlock());
      case AesEcbParameters e -> Operation.of(0, Algorithm.AES_ECB, plaintext);
      case AesXtsParameters x ->
          Operation.of(0, Algorithm.AES_XTS, plaintext)
              .withIv(x.tweak())
              .withDataUnitSize(x.dataUnitSize());
      case RsaOaepParameters o ->
          Operation.of(0, Algorithm.RSA_OAEP, plaintext)
              .withOaep(hash(o.hash()), hash(o.mgf1Hash()), o.label());
    };
  }

  /**
   * Decryption of {@code c}: the IV, counter block or tweak comes from the ciphertext (XTS: from
   * the parameters).
   */
  public static Operation decrypting(CipherParameters p, Ciphertext c) {
    Operation op = encrypting(p, c.bytes());
    boolean ivFromCiphertext =
        p instanceof AesGcmParameters
            || p instanceof AesCbcParameters
            || p instanceof AesCtrParameters;
    return ivFromCiphertext ? op.withIv(c.iv()) : op;
  }
}
