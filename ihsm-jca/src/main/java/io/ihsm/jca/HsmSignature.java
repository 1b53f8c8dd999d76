package io.ihsm.jca;

import io.ihsm.ddi.key.Algorithm;
import io.ihsm.ddi.key.EcCurves;
import io.ihsm.ddi.key.EcdsaEncoding;
import io.ihsm.ddi.key.HashAlgorithm;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.ddi.key.Operation;
import io.ihsm.sdk.IhsmException;
import java.security.AlgorithmParameters;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.InvalidParameterException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SignatureException;
import java.security.SignatureSpi;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Locale;

/**
 * ECDSA, RSASSA-PKCS1-v1_5 and RSASSA-PSS. Signing runs in the HSM with its key; verifying takes
 * any ordinary public key, which the HSM imports for the one call. ECDSA hashes on the host (any
 * length) and sends the digest; RSA sends the message, so an RSA input is at most 128 KiB. ECDSA
 * signatures are DER, or IEEE P1363 (r || s, the JDK's {@code ...inP1363Format}: JOSE, WebAuthn).
 */
final class HsmSignature extends SignatureSpi {
  private final Hsm hsm;
  private final Algorithm algorithm;
  private final HashAlgorithm hash;

  /** ECDSA signatures in IEEE P1363 form (r || s) instead of DER. */
  private final boolean p1363;

  private PSSParameterSpec pss;
  private MessageDigest digest;
  private final WipeableBuffer message = new WipeableBuffer();
  private KeyRef signer;
  private PublicKey verifier;
  private KeyKind verifierKind;

  HsmSignature(Hsm hsm, Algorithm algorithm, HashAlgorithm hash) {
    this(hsm, algorithm, hash, false);
  }

  HsmSignature(Hsm hsm, Algorithm algorithm, HashAlgorithm hash, boolean p1363) {
    if (p1363 && algorithm != Algorithm.ECDSA) {
      throw new IllegalArgumentException("P1363 is an ECDSA signature form");
    }
    this.hsm = hsm;
    this.algorithm = algorithm;
    this.hash = hash;
    this.p1363 = p1363;
  }

  @Override
  protected void engineInitSign(PrivateKey key) throws InvalidKeyException {
    KeyRef ref =
        hsm.own(key, algorithm == Algorithm.ECDSA ? KeyKind.Family.EC : KeyKind.Family.RSA);
    ref.requireUsage(KeyUsage.SIGN);
    reset();
    signer = ref;
    verifier = null;
  }

  @Override
  protected void engineInitVerify(PublicKey key) throws InvalidKeyException {
    KeyKind kind =
        switch (key) {
          case ECPublicKey ec when algorithm == Algorithm.ECDSA -> ecKind(ec.getParams());
          case RSAPublicKey rsa when algorithm != Algorithm.ECDSA -> rsaKind(rsa);
          case null -> throw new InvalidKeyException("no key given");
          default ->
              throw new InvalidKeyException(
                  algorithm + " cannot verify with a " + key.getAlgorithm() + " key");
        };
    if (key.getEncoded() == null) {
      throw new InvalidKeyException("the public key has no X.509 encoding");
    }
    reset();
    verifier = key;
    verifierKind = kind;
    signer = null;
  }

  /**
   * The kind of a key on one of the NIST curves, by all its domain parameters (secp256k1 is not
   * P-256).
   */
  static KeyKind ecKind(ECParameterSpec params) throws InvalidKeyException {
    return EcCurves.kindOf(params)
        .orElseThrow(
            () ->
                new InvalidKeyException(
                    "IHSM offers the NIST curves P-256, P-384 and P-521 only; this key is on another curve"));
  }

  static KeyKind rsaKind(RSAPublicKey key) throws InvalidKeyException {
    return switch (key.getModulus().bitLength()) {
      case 2048 -> KeyKind.RSA_2048;
      case 3072 -> KeyKind.RSA_3072;
      case 4096 -> KeyKind.RSA_4096;
      default ->
          throw new InvalidKeyException("IHSM offers RSA keys of 2048, 3072 and 4096 bits only");
    };
  }

  /** For a key {@link #rsaKind} already accepted. */
  static KeyKind rsaKindUnchecked(RSAPublicKey key) {
    try {
      return rsaKind(key);
    } catch (InvalidKeyException e) {
      throw new IllegalStateException(e.getMessage());
    }
  }

  private void reset() throws InvalidKeyException {
    message.wipe();
    if (algorithm == Algorithm.ECDSA && hash != HashAlgorithm.NONE) {
      try {
        digest = MessageDigest.getInstance(hash.jcaName());
      } catch (NoSuchAlgorithmException e) {
        throw new InvalidKeyException("no " + hash.jcaName() + " on this JDK", e);
      }
    }
  }

  @Override
  protected void engineUpdate(byte b) throws SignatureException {
    engineUpdate(new byte[] {b}, 0, 1);
  }

  @Override
  protected void engineUpdate(byte[] b, int off, int len) throws SignatureException {
    if (signer == null && verifier == null) {
      throw new SignatureException("not initialized");
    }
    if (digest != null) {
      digest.update(b, off, len);
      return;
    }
    if (message.size() + len > Operation.MAX_DATA) {
      throw new SignatureException(
          algorithm + " through IHSM takes at most " + Operation.MAX_DATA + " bytes");
    }
    message.write(b, off, len);
  }

  /** The operation for what was fed in; the input is then reset for the next one. */
  private Operation operation() throws SignatureException {
    byte[] data = digest != null ? digest.digest() : message.toByteArray();
    message.wipe();
    Operation op = Operation.of(0, algorithm, data);
    return switch (algorithm) {
      case ECDSA -> op;
      case RSA_PKCS1 -> op.withHash(hash);
      case RSA_PSS -> {
        if (pss == null) {
          throw new SignatureException(
              "RSASSA-PSS needs its PSSParameterSpec (setParameter) first");
        }
        yield op.withPss(
            hashOf(pss.getDigestAlgorithm()),
            hashOf(((MGF1ParameterSpec) pss.getMGFParameters()).getDigestAlgorithm()),
            pss.getSaltLength());
      }
      default -> throw new IllegalStateException(algorithm.toString());
    };
  }

  @Override
  protected byte[] engineSign() throws SignatureException {
    if (signer == null) {
      throw new SignatureException("not initialized for signing");
    }
    Operation op = operation();
    try {
      byte[] der = hsm.call(p -> p.sign(signer.label(), op));
      return p1363 ? EcdsaEncoding.derToP1363(der, signer.kind.bytes()) : der;
    } catch (IllegalArgumentException e) {
      throw new SignatureException("IHSM returned an ECDSA signature that is not DER", e);
    } catch (IhsmException e) {
      throw new SignatureException(
          "IHSM refused to sign: " + e.getMessage() + " [" + e.status() + "]", e);
    }
  }

  @Override
  protected boolean engineVerify(byte[] signature) throws SignatureException {
    if (verifier == null) {
      throw new SignatureException("not initialized for verification");
    }
    byte[] der;
    try {
      der = p1363 ? EcdsaEncoding.p1363ToDer(signature, verifierKind.bytes()) : signature;
    } catch (IllegalArgumentException wrongLength) {
      operation(); // resets the input for the next signature, as a completed verification does
      return false;
    }
    Operation op = operation().withSignature(der);
    try {
      return hsm.call(p -> p.verifyWith(verifierKind, verifier.getEncoded(), op));
    } catch (IhsmException e) {
      return switch (e.status()) {
        // A malformed signature, or a public key the HSM does not accept: it does not verify.
        case INVALID_PARAMETER,
            INVALID_INPUT_LENGTH,
            INVALID_PUBLIC_KEY,
            INVALID_KEY_MATERIAL,
            MALFORMED_BODY ->
            false;
        default ->
            throw new SignatureException(
                "IHSM could not verify: " + e.getMessage() + " [" + e.status() + "]", e);
      };
    }
  }

  @Override
  protected void engineSetParameter(AlgorithmParameterSpec params)
      throws InvalidAlgorithmParameterException {
    if (algorithm != Algorithm.RSA_PSS) {
      if (params == null) {
        return;
      }
      throw new InvalidAlgorithmParameterException(algorithm + " takes no parameters");
    }
    if (!(params instanceof PSSParameterSpec p)
        || !"MGF1".equalsIgnoreCase(p.getMGFAlgorithm())
        || !(p.getMGFParameters() instanceof MGF1ParameterSpec)
        || p.getTrailerField() != 1) {
      throw new InvalidAlgorithmParameterException(
          "RSASSA-PSS takes a PSSParameterSpec with MGF1 and trailer field 1");
    }
    try {
      hashOf(p.getDigestAlgorithm());
      hashOf(((MGF1ParameterSpec) p.getMGFParameters()).getDigestAlgorithm());
    } catch (SignatureException e) {
      throw new InvalidAlgorithmParameterException(e.getMessage());
    }
    pss = p;
  }

  static HashAlgorithm hashOf(String name) throws SignatureException {
    return switch (name.toUpperCase(Locale.ROOT).replace("-", "")) {
      case "SHA1" -> HashAlgorithm.SHA1;
      case "SHA256" -> HashAlgorithm.SHA256;
      case "SHA384" -> HashAlgorithm.SHA384;
      case "SHA512" -> HashAlgorithm.SHA512;
      default ->
          throw new SignatureException(
              "IHSM hashes with SHA-1, SHA-256, SHA-384 or SHA-512, not " + name);
    };
  }

  @Override
  protected AlgorithmParameters engineGetParameters() {
    if (pss == null) {
      return null;
    }
    try {
      AlgorithmParameters p = AlgorithmParameters.getInstance("RSASSA-PSS");
      p.init(pss);
      return p;
    } catch (Exception e) {
      return null;
    }
  }

  @Override
  @Deprecated
  protected void engineSetParameter(String param, Object value) {
    throw new InvalidParameterException("no string parameters");
  }

  @Override
  @Deprecated
  protected Object engineGetParameter(String param) {
    throw new InvalidParameterException("no string parameters");
  }
}
