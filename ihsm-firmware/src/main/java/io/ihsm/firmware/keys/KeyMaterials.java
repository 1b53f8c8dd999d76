package io.ihsm.firmware.keys;

import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.key.DeriveKeyRequest;
import io.ihsm.ddi.key.EcCurves;
import io.ihsm.ddi.key.GenerateKeyRequest;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.firmware.crypto.CryptoEngine;
import io.ihsm.firmware.crypto.EcPublicKeys;
import java.security.AsymmetricKey;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;

/**
 * Turns key bytes that come from outside a generation (an import, an unwrap, a derivation) into
 * material of the named kind, refusing anything that does not fit: raw bytes for AES, XTS, HMAC and
 * secrets; PKCS#8 for EC and RSA private keys, which must also pass the pairwise test.
 */
final class KeyMaterials {
  static final int MIN_HMAC_BYTES = GenerateKeyRequest.MIN_HMAC_BYTES; // 112 bits, the FIPS minimum
  static final int MAX_HMAC_BYTES = GenerateKeyRequest.MAX_HMAC_BYTES;

  private KeyMaterials() {}

  /** Whether {@code length} raw bytes fit a symmetric kind. */
  static boolean fits(KeyKind kind, int length) {
    return switch (kind.family()) {
      case AES, AES_XTS -> length == kind.bytes();
      case HMAC -> length >= MIN_HMAC_BYTES && length <= MAX_HMAC_BYTES;
      case SECRET -> length >= 1 && length <= DeriveKeyRequest.MAX_SECRET;
      case EC, RSA, ML_DSA, ML_KEM -> false;
    };
  }

  /**
   * An imported ML-DSA or ML-KEM private key (PKCS#8, any of FIPS 203/204's private key forms): the
   * JCA computes no public key from a private one, so Bouncy Castle's ML-DSA and ML-KEM arithmetic
   * does (used for that only; signing and decapsulation stay with the engine), and the pairwise
   * test then shows the private key belongs to that public key.
   */
  private static KeyMaterial postQuantum(CryptoEngine engine, KeyKind kind, byte[] pkcs8)
      throws DdiException, GeneralSecurityException {
    KeyFactory f = engine.keyFactory(kind.keyAlgorithm());
    PrivateKey priv = f.generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    checkSize(kind, priv);
    byte[] spki;
    try {
      Object key =
          org.bouncycastle.crypto.util.PrivateKeyFactory.createKey(
              org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(pkcs8));
      Object pub =
          switch (key) {
            case org.bouncycastle.crypto.params.MLDSAPrivateKeyParameters d ->
                d.getPublicKeyParameters();
            case org.bouncycastle.crypto.params.MLKEMPrivateKeyParameters k ->
                k.getPublicKeyParameters();
            default -> throw invalid(kind);
          };
      spki =
          org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(
                  (org.bouncycastle.crypto.params.AsymmetricKeyParameter) pub)
              .getEncoded();
    } catch (java.io.IOException | RuntimeException e) {
      throw invalid(kind);
    }
    PublicKey publicKey = f.generatePublic(new X509EncodedKeySpec(spki));
    checkSize(kind, publicKey);
    KeyPair pair = new KeyPair(publicKey, priv);
    if (!KeyGeneration.pairwiseConsistent(engine, pair, kind)) {
      throw new DdiException(
          Status.PAIRWISE_TEST_FAILED, "the imported key pair is not consistent");
    }
    return KeyMaterial.asymmetric(kind, pair);
  }

  /** ML-DSA and ML-KEM: the JCA does not compute their public key from the private key. */
  static boolean isPostQuantum(KeyKind kind) {
    return kind.family() == KeyKind.Family.ML_DSA || kind.family() == KeyKind.Family.ML_KEM;
  }

  /** Material of {@code kind} from raw or PKCS#8 bytes; takes ownership of {@code bytes}. */
  static KeyMaterial of(CryptoEngine engine, KeyKind kind, byte[] bytes) throws DdiException {
    if (!kind.isAsymmetric()) {
      if (!fits(kind, bytes.length)
          || (kind == KeyKind.AES_XTS_256
              && Arrays.equals(Arrays.copyOf(bytes, 32), Arrays.copyOfRange(bytes, 32, 64)))) {
        Arrays.fill(bytes, (byte) 0);
        throw invalid(kind);
      }
      return KeyMaterial.symmetric(kind, bytes);
    }
    try {
      if (isPostQuantum(kind)) {
        return postQuantum(engine, kind, bytes);
      }
      String alg = kind.family() == KeyKind.Family.EC ? "EC" : "RSA";
      PrivateKey priv = engine.keyFactory(alg).generatePrivate(new PKCS8EncodedKeySpec(bytes));
      checkSize(kind, priv);
      PublicKey pub =
          switch (priv) {
            case RSAPrivateCrtKey rsa ->
                engine
                    .keyFactory("RSA")
                    .generatePublic(
                        new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
            case ECPrivateKey ec -> EcPublicKeys.of(engine, ec);
            default -> throw invalid(kind);
          };
      KeyPair pair = new KeyPair(pub, priv);
      if (!KeyGeneration.pairwiseConsistent(engine, pair, kind)) {
        throw new DdiException(
            Status.PAIRWISE_TEST_FAILED, "the imported key pair is not consistent");
      }
      return KeyMaterial.asymmetric(kind, pair);
    } catch (GeneralSecurityException | ClassCastException e) {
      throw invalid(kind);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  /** A public key of {@code kind} from its SubjectPublicKeyInfo. */
  static KeyMaterial publicKey(CryptoEngine engine, KeyKind kind, byte[] spki) throws DdiException {
    if (!kind.isAsymmetric()) {
      throw new DdiException(Status.INVALID_PARAMETER, kind.textName() + " has no public key");
    }
    try {
      PublicKey pub =
          engine.keyFactory(kind.keyAlgorithm()).generatePublic(new X509EncodedKeySpec(spki));
      if (pub instanceof ECPublicKey ec && !EcCurves.validPoint(ec.getW(), ec.getParams())) {
        throw new GeneralSecurityException("the point is not on its curve");
      }
      checkSize(kind, pub);
      return KeyMaterial.publicOnly(kind, pub);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new DdiException(
          Status.INVALID_PUBLIC_KEY, "not a valid " + kind.textName() + " public key");
    }
  }

  /**
   * The key is of the kind: an RSA modulus of its size, or an EC key on exactly its named curve
   * (all domain parameters, not the field size: secp256k1 is not P-256), whose private scalar is in
   * [1, n-1] and whose public point is valid on the curve (SP 800-56A §5.6.2.3.3).
   */
  private static void checkSize(KeyKind kind, Key key) throws DdiException {
    boolean fits =
        switch (key) {
          case RSAKey rsa ->
              kind.family() == KeyKind.Family.RSA
                  && rsa.getModulus().bitLength() == kind.bytes() * 8;
          case ECPrivateKey ec ->
              EcCurves.kindOf(ec.getParams()).orElse(null) == kind
                  && ec.getS().signum() > 0
                  && ec.getS().compareTo(ec.getParams().getOrder()) < 0;
          case ECPublicKey ec -> EcCurves.kindOf(ec.getParams()).orElse(null) == kind;
          case AsymmetricKey pq when isPostQuantum(kind) ->
              pq.getParams() instanceof NamedParameterSpec named
                  && named.getName().equals(kind.parameterSet());
          default -> false;
        };
    if (!fits) {
      throw invalid(kind);
    }
  }

  private static DdiException invalid(KeyKind kind) {
    return new DdiException(
        Status.INVALID_KEY_MATERIAL, "the key material is not a valid " + kind.textName() + " key");
  }
}
