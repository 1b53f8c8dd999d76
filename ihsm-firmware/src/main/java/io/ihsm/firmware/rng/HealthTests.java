package io.ihsm.firmware.rng;

/**
 * SP 800-90B 4.4 continuous health tests on noise samples, with cutoffs computed from the claimed
 * min-entropy per sample H and a false-positive rate of 2^-20: the repetition count test (cutoff 1
 * + ceil(20 / H)) and the adaptive proportion test (window 512, cutoff the smallest C with P(X ≥ C)
 * ≤ 2^-20 for X binomial(512, 2^-H)). A failure is sticky until {@link #reset()}.
 */
public final class HealthTests {
  static final int APT_WINDOW = 512;
  static final double ALPHA_LOG2 = -20;

  private final int rctCutoff;
  private final int aptCutoff;
  private int last = -1;
  private int repeats;
  private int aptFirst = -1;
  private int aptCount;
  private int aptSeen;
  private String failure;

  /**
   * @param minEntropyBits the claimed min-entropy of one sample, in (0, 8] bits
   */
  public HealthTests(double minEntropyBits) {
    if (!(minEntropyBits > 0 && minEntropyBits <= 8)) {
      throw new IllegalArgumentException("claimed min-entropy per 8-bit sample must be in (0, 8]");
    }
    this.rctCutoff = 1 + (int) Math.ceil(-ALPHA_LOG2 / minEntropyBits);
    this.aptCutoff = aptCutoff(APT_WINDOW, Math.pow(2, -minEntropyBits));
  }

  public int repetitionCutoff() {
    return rctCutoff;
  }

  public int adaptiveProportionCutoff() {
    return aptCutoff;
  }

  /** Feeds one sample; false once either test has failed. */
  public boolean accept(int sample) {
    if (failure != null) {
      return false;
    }
    if (sample == last) {
      if (++repeats >= rctCutoff) {
        failure = "repetition count test: " + repeats + " identical samples";
      }
    } else {
      last = sample;
      repeats = 1;
    }
    if (aptSeen == 0) {
      aptFirst = sample;
      aptCount = 1;
    } else if (sample == aptFirst && ++aptCount >= aptCutoff) {
      failure = "adaptive proportion test: " + aptCount + " of " + APT_WINDOW + " samples alike";
    }
    aptSeen = (aptSeen + 1) % APT_WINDOW;
    return failure == null;
  }

  /** Why the source failed, or null. */
  public String failure() {
    return failure;
  }

  public void reset() {
    failure = null;
    last = -1;
    repeats = 0;
    aptSeen = 0;
  }

  /** 1 + CRITBINOM(W, p, 1 - 2^-20), computed exactly in log space. */
  static int aptCutoff(int window, double p) {
    double logP = Math.log(p);
    double logQ = Math.log1p(-p);
    double[] logPmf = new double[window + 1];
    double logBinom = 0; // log C(W, 0)
    for (int k = 0; k <= window; k++) {
      if (k > 0) {
        logBinom += Math.log(window - k + 1) - Math.log(k);
      }
      logPmf[k] = logBinom + k * logP + (window - k) * logQ;
    }
    double tail = 0;
    double alpha = Math.pow(2, ALPHA_LOG2);
    for (int c = window; c >= 0; c--) {
      double t = tail + Math.exp(logPmf[c]);
      if (t > alpha) {
        return c + 1; // P(X >= c + 1) <= alpha < P(X >= c)
      }
      tail = t;
    }
    return 1;
  }
}
