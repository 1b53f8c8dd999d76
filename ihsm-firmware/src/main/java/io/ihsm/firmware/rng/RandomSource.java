package io.ihsm.firmware.rng;

import java.security.DrbgParameters;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * The module's single source of random bytes: every nonce, id and (later) key comes from here.
 * For now it is the JDK's SP 800-90A DRBG (Hash_DRBG by default) seeded by the operating system;
 * the assurance work replaces its inside with the module's own CTR_DRBG and health-tested entropy
 * source without changing callers.
 */
public final class RandomSource {
  private final SecureRandom drbg;

  public RandomSource() {
    try {
      drbg = SecureRandom.getInstance("DRBG",
          DrbgParameters.instantiation(256, DrbgParameters.Capability.PR_AND_RESEED, "ihsm-firmware".getBytes()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no DRBG in this JDK", e);
    }
  }

  /** For engine calls that take randomness (key generation, signing): the same generator. */
  public SecureRandom secureRandom() {
    return drbg;
  }

  public byte[] bytes(int n) {
    byte[] b = new byte[n];
    drbg.nextBytes(b);
    return b;
  }

  /** A uniformly random non-zero u32, for identifiers where 0 means "none". */
  public int nonZeroInt() {
    int v;
    do {
      v = drbg.nextInt();
    } while (v == 0);
    return v;
  }
}
