package io.ihsm.bench;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.spec.AlgorithmParameterSpec;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The paths without an HSM: the module's own engine with plain keys (the ceiling), and the JDK's
 * providers.
 */
final class SoftwarePaths {
  private SoftwarePaths() {}

  /** AWS-LC through ACCP, the engine the firmware uses, called directly. */
  static JcaPath rawEngine() {
    Provider accp = com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider.INSTANCE;
    return new JcaPath("raw-engine", accp, plainKeys(accp), false);
  }

  /** Whatever providers the JDK uses by default. */
  static JcaPath jdk() {
    return new JcaPath("jdk", null, plainKeys(null), false);
  }

  private static JcaPath.Keys plainKeys(Provider provider) {
    SecureRandom random = new SecureRandom();
    return new JcaPath.Keys() {
      @Override
      public KeyPair pair(String algorithm, AlgorithmParameterSpec spec, boolean forEncryption)
          throws Exception {
        KeyPairGenerator g =
            provider == null
                ? KeyPairGenerator.getInstance(algorithm)
                : KeyPairGenerator.getInstance(algorithm, provider);
        g.initialize(spec);
        return g.generateKeyPair();
      }

      @Override
      public SecretKey secret(String algorithm, int bits) {
        byte[] key = new byte[bits / 8];
        random.nextBytes(key);
        return new SecretKeySpec(key, algorithm);
      }
    };
  }
}
