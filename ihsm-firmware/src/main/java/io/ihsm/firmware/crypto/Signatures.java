package io.ihsm.firmware.crypto;

import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAKey;
import java.security.spec.PSSParameterSpec;

/**
 * Signature verification with the module's rules: strict DER for ECDSA, exact-length RSA
 * signatures.
 */
public final class Signatures {
  private final CryptoEngine engine;

  public Signatures(CryptoEngine engine) {
    this.engine = engine;
  }

  /**
   * @param algorithm e.g. "SHA256withECDSA"; the signature must be canonical DER
   */
  public boolean verifyEcdsa(String algorithm, PublicKey key, byte[] message, byte[] derSignature) {
    if (DerEcdsaSignature.parse(derSignature).isEmpty()) {
      return false;
    }
    return verify(engine.signature(algorithm), key, message, derSignature);
  }

  /**
   * @param algorithm e.g. "SHA256withRSA"
   */
  public boolean verifyRsaPkcs1(String algorithm, PublicKey key, byte[] message, byte[] signature) {
    if (!exactModulusLength(key, signature)) {
      return false;
    }
    return verify(engine.signature(algorithm), key, message, signature);
  }

  public boolean verifyRsaPss(
      PSSParameterSpec params, PublicKey key, byte[] message, byte[] signature) {
    if (!exactModulusLength(key, signature)) {
      return false;
    }
    Signature s = engine.signature("RSASSA-PSS");
    try {
      s.setParameter(params);
    } catch (InvalidAlgorithmParameterException e) {
      return false;
    }
    return verify(s, key, message, signature);
  }

  private static boolean exactModulusLength(PublicKey key, byte[] signature) {
    return key instanceof RSAKey rsa && signature.length == (rsa.getModulus().bitLength() + 7) / 8;
  }

  private static boolean verify(Signature s, PublicKey key, byte[] message, byte[] signature) {
    try {
      s.initVerify(key);
      s.update(message);
      return s.verify(signature);
    } catch (GeneralSecurityException | RuntimeException malformed) {
      return false; // a signature that does not even parse does not verify
    }
  }
}
