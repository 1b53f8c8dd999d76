package io.ihsm.firmware.selftest;

import java.security.SecureRandom;
import java.security.SecureRandomSpi;

/**
 * A "random" source that gives the fixed bytes it was made with, in order, and fails when they run
 * out: for the known-answer tests, and to make an imported ML-DSA or ML-KEM key pair again from its
 * seed (their key generation is deterministic in it). Never a source of new keys.
 */
public final class SeededRandom extends SecureRandom {
  private static final long serialVersionUID = 1L;
  private final byte[] data;
  private int pos;

  public SeededRandom(byte[] data) {
    super(new NoSpi(), null);
    this.data = data.clone();
  }

  @Override
  public synchronized void nextBytes(byte[] bytes) {
    if (pos + bytes.length > data.length) {
      throw new IllegalStateException("the fixed input ran out");
    }
    System.arraycopy(data, pos, bytes, 0, bytes.length);
    pos += bytes.length;
  }

  private static final class NoSpi extends SecureRandomSpi {
    private static final long serialVersionUID = 1L;

    @Override
    protected void engineSetSeed(byte[] seed) {}

    @Override
    protected void engineNextBytes(byte[] bytes) {
      throw new IllegalStateException("a seeded source serves only its fixed bytes");
    }

    @Override
    protected byte[] engineGenerateSeed(int n) {
      throw new IllegalStateException("a seeded source serves only its fixed bytes");
    }
  }
}
