package io.ihsm.firmware.rng;

import java.util.function.IntFunction;

/**
 * The module's entropy source: the card's noise samples, each through the continuous health tests,
 * with a start-up test over 1024 samples before first use. The claimed min-entropy sets how many
 * samples make a seed of a given strength. A failed test raises {@link EntropyFailure}.
 */
public final class EntropySource {
  public static final int STARTUP_SAMPLES = 1024;

  /** Conservative claim for the emulated noise: one bit of min-entropy per 8-bit sample. */
  public static final double CLAIMED_MIN_ENTROPY = 1.0;

  private final IntFunction<byte[]> noise;
  private final HealthTests health;
  private final double minEntropyBits;

  /** An entropy source failed its health tests: the module must stop. */
  public static final class EntropyFailure extends RuntimeException {
    EntropyFailure(String reason) {
      super("entropy source failed its " + reason);
    }
  }

  public EntropySource(IntFunction<byte[]> noise, double minEntropyBits) {
    this.noise = noise;
    this.minEntropyBits = minEntropyBits;
    this.health = new HealthTests(minEntropyBits);
    samples(STARTUP_SAMPLES); // the start-up test; these samples are discarded
  }

  /** The health tests' cutoffs and the claim they were computed from, for the compliance report. */
  public record Claims(
      double minEntropyPerSample, int repetitionCutoff, int adaptiveProportionCutoff) {}

  public Claims claims() {
    return new Claims(minEntropyBits, health.repetitionCutoff(), health.adaptiveProportionCutoff());
  }

  /** Samples carrying at least {@code bits} of min-entropy, all health-tested. */
  public synchronized byte[] entropy(int bits) {
    return samples((int) Math.ceil(bits / minEntropyBits));
  }

  private byte[] samples(int n) {
    byte[] s = noise.apply(n);
    if (s.length != n) {
      throw new EntropyFailure("read: the noise source gave " + s.length + " of " + n + " samples");
    }
    for (byte b : s) {
      if (!health.accept(b & 0xFF)) {
        throw new EntropyFailure(health.failure());
      }
    }
    return s;
  }
}
