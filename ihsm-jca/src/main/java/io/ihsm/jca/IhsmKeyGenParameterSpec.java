package io.ihsm.jca;

import io.ihsm.ddi.key.KeyUsage;
import java.security.spec.AlgorithmParameterSpec;

/**
 * What an HSM key is for, beyond its algorithm: each key has one usage (sign, encrypt, wrap,
 * derive) and may or may not leave the device wrapped. Give it to {@code KeyPairGenerator} or
 * {@code KeyGenerator.init}; without it, EC and RSA keys sign, AES keys encrypt, HMAC keys sign,
 * and no key is extractable.
 *
 * @param keySpec the algorithm's own parameters: an {@code ECGenParameterSpec}, an {@code
 *     RSAKeyGenParameterSpec}, or null for a symmetric key of {@code keyBits}
 * @param keyBits RSA modulus or symmetric key size when {@code keySpec} is null; 0 for the default
 */
public record IhsmKeyGenParameterSpec(
    AlgorithmParameterSpec keySpec, int keyBits, KeyUsage usage, boolean extractable)
    implements AlgorithmParameterSpec {
  public IhsmKeyGenParameterSpec {
    if (usage == null) {
      throw new IllegalArgumentException("a key needs a usage");
    }
  }
}
