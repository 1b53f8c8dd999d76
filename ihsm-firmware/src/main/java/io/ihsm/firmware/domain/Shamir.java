package io.ihsm.firmware.domain;

import io.ihsm.firmware.rng.RandomSource;
import java.util.Arrays;

/**
 * Shamir secret sharing over GF(2^8) (the AES field, x^8 + x^4 + x^3 + x + 1), byte by byte: a
 * random polynomial of degree M − 1 per byte whose constant term is the secret byte, evaluated at x
 * = 1..N. Arithmetic is branch-free and table-free, so timing does not depend on the secret.
 */
final class Shamir {
  private Shamir() {}

  /**
   * N shares of {@code secret}; any {@code threshold} of them give it back. Share i is at x = i +
   * 1.
   */
  static byte[][] split(byte[] secret, int threshold, int count, RandomSource random) {
    if (threshold < 1 || threshold > count || count > 255) {
      throw new IllegalArgumentException("1 <= threshold <= count <= 255");
    }
    byte[][] shares = new byte[count][secret.length];
    byte[] coefficients = new byte[threshold];
    for (int b = 0; b < secret.length; b++) {
      coefficients[0] = secret[b];
      byte[] r = random.bytes(threshold - 1);
      System.arraycopy(r, 0, coefficients, 1, threshold - 1);
      Arrays.fill(r, (byte) 0);
      for (int i = 0; i < count; i++) {
        int x = i + 1;
        int y = 0;
        for (int c = threshold - 1; c >= 0; c--) { // Horner
          y = mul(y, x) ^ (coefficients[c] & 0xff);
        }
        shares[i][b] = (byte) y;
      }
    }
    Arrays.fill(coefficients, (byte) 0);
    return shares;
  }

  /** The secret from shares at distinct, non-zero {@code xs} (Lagrange interpolation at 0). */
  static byte[] combine(int[] xs, byte[][] ys) {
    int length = ys[0].length;
    byte[] secret = new byte[length];
    for (int i = 0; i < xs.length; i++) {
      int weight = 1; // the Lagrange basis polynomial i at 0: product of x_j / (x_j - x_i)
      for (int j = 0; j < xs.length; j++) {
        if (j != i) {
          weight = mul(weight, mul(xs[j], inverse(xs[j] ^ xs[i])));
        }
      }
      for (int b = 0; b < length; b++) {
        secret[b] ^= (byte) mul(ys[i][b] & 0xff, weight);
      }
    }
    return secret;
  }

  /** Multiplication in GF(2^8), eight fixed rounds with masks instead of branches. */
  static int mul(int a, int b) {
    int p = 0;
    for (int i = 0; i < 8; i++) {
      p ^= a & -(b & 1);
      int carry = -((a >> 7) & 1);
      a = ((a << 1) ^ (0x1b & carry)) & 0xff;
      b >>= 1;
    }
    return p;
  }

  /** a^254 = a^-1 for a != 0 (and 0 for 0). */
  static int inverse(int a) {
    int result = 1;
    int base = a;
    for (int e = 254; e > 0; e >>= 1) { // the exponent is public: branching on it leaks nothing
      if ((e & 1) != 0) {
        result = mul(result, base);
      }
      base = mul(base, base);
    }
    return result;
  }
}
