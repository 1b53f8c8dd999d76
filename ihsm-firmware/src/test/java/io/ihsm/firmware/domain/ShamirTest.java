package io.ihsm.firmware.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.firmware.crypto.CryptoEngines;
import io.ihsm.firmware.rng.RandomSource;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Shamir sharing over GF(2^8): the field is the AES one, and any M of N shares give the secret. */
class ShamirTest {
  final RandomSource random =
      new RandomSource(
          CryptoEngines.best(),
          n -> {
            byte[] b = new byte[n];
            new SecureRandom().nextBytes(b);
            return b;
          },
          failure -> {
            throw new AssertionError(failure);
          });

  @Test
  void theFieldIsTheAesFieldAndEveryNonZeroElementHasAnInverse() {
    assertThat(Shamir.mul(0x57, 0x83)).as("FIPS 197, 4.2").isEqualTo(0xc1);
    assertThat(Shamir.mul(0x57, 0x13)).isEqualTo(0xfe);
    for (int a = 1; a < 256; a++) {
      assertThat(Shamir.mul(a, Shamir.inverse(a))).as("a = " + a).isEqualTo(1);
    }
  }

  @Test
  void everyThresholdSizedSubsetGivesTheSecretAndASmallerOneDoesNot() {
    byte[] secret = random.bytes(32);
    for (int[] mn : new int[][] {{2, 3}, {3, 5}, {1, 2}, {5, 5}}) {
      int m = mn[0];
      int n = mn[1];
      byte[][] shares = Shamir.split(secret, m, n, random);
      for (List<Integer> subset : subsets(n, m)) {
        assertThat(combine(shares, subset)).as(m + " of " + n + ": " + subset).isEqualTo(secret);
      }
      if (m > 1) {
        for (List<Integer> subset : subsets(n, m - 1)) {
          assertThat(combine(shares, subset)).as("too few: " + subset).isNotEqualTo(secret);
        }
      }
    }
  }

  private static byte[] combine(byte[][] shares, List<Integer> subset) {
    int[] xs = subset.stream().mapToInt(i -> i + 1).toArray();
    byte[][] ys = subset.stream().map(i -> shares[i]).toArray(byte[][]::new);
    return Shamir.combine(xs, ys);
  }

  private static List<List<Integer>> subsets(int n, int k) {
    List<List<Integer>> all = new ArrayList<>();
    for (int mask = 0; mask < 1 << n; mask++) {
      if (Integer.bitCount(mask) == k) {
        List<Integer> s = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          if ((mask & 1 << i) != 0) {
            s.add(i);
          }
        }
        all.add(s);
      }
    }
    return all;
  }
}
