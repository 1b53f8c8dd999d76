package io.ihsm.firmware.crypto;

import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.spec.AlgorithmParameterSpec;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;

/**
 * The firmware's one door to cryptographic primitives. Every algorithm the module runs is taken
 * from here, so the engine behind it (AWS-LC through ACCP, or the JDK's providers) is chosen in one
 * place and the same tests run on each. Names are JCA standard names.
 *
 * @throws UnsupportedAlgorithmException from every method when no provider of the engine offers it
 */
public interface CryptoEngine {
  /** Which engine this is, e.g. "ACCP 2.5.0 (AWS-LC)" or "JDK". */
  String name();

  MessageDigest digest(String algorithm);

  Mac mac(String algorithm);

  Cipher cipher(String transformation);

  Signature signature(String algorithm);

  KeyAgreement keyAgreement(String algorithm);

  KeyPairGenerator keyPairGenerator(String algorithm);

  KeyFactory keyFactory(String algorithm);

  /** A key encapsulation mechanism ("ML-KEM"). */
  javax.crypto.KEM kem(String algorithm);

  /**
   * A cipher initialised with parameters, from the first provider that accepts them: a provider may
   * offer a transformation but not every parameter set (ACCP's OAEP takes no label).
   *
   * @throws InvalidKeyException or InvalidAlgorithmParameterException from the last provider tried
   */
  Cipher initCipher(String transformation, int mode, Key key, AlgorithmParameterSpec params)
      throws InvalidKeyException, InvalidAlgorithmParameterException;

  /**
   * An algorithm the engine does not offer: a module bug or a missing provider, never a caller
   * error.
   */
  final class UnsupportedAlgorithmException extends IllegalStateException {
    public UnsupportedAlgorithmException(String engine, String algorithm) {
      super(engine + " offers no " + algorithm);
    }
  }
}
