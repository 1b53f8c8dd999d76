package io.ihsm.jca;

import io.ihsm.ddi.message.GetRandomRequest;
import java.security.SecureRandomSpi;

/**
 * Bytes from the HSM's CTR_DRBG (SP 800-90A); seeding by the caller is ignored, as the module seeds
 * itself.
 */
final class HsmSecureRandom extends SecureRandomSpi {
  private static final long serialVersionUID = 1L;
  private final transient Hsm hsm;

  HsmSecureRandom(Hsm hsm) {
    this.hsm = hsm;
  }

  @Override
  protected void engineSetSeed(byte[] seed) {
    // The module's DRBG is seeded from its own health-tested entropy source only.
  }

  @Override
  protected void engineNextBytes(byte[] bytes) {
    for (int off = 0; off < bytes.length; off += GetRandomRequest.MAX_LENGTH) {
      int n = Math.min(GetRandomRequest.MAX_LENGTH, bytes.length - off);
      System.arraycopy(hsm.device().randomBytes(n), 0, bytes, off, n);
    }
  }

  @Override
  protected byte[] engineGenerateSeed(int numBytes) {
    byte[] seed = new byte[numBytes];
    engineNextBytes(seed);
    return seed;
  }
}
