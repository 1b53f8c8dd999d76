package io.ihsm.ddi.testing;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Seeded random and mutated inputs for property tests: the same seed gives the same inputs, so a
 * failure names its seed and case and can be run again exactly. (Coverage-guided fuzzing of the
 * same targets is the job of the Jazzer fuzz tests.)
 */
public final class Mutations {
  private Mutations() {}

  /** Random bytes of a random length up to {@code max}. */
  public static byte[] random(Random r, int max) {
    byte[] b = new byte[r.nextInt(max + 1)];
    r.nextBytes(b);
    return b;
  }

  /** One of {@code valid}, changed once: a byte set, cut short, a byte added or one removed. */
  public static byte[] mutate(Random r, List<byte[]> valid) {
    byte[] v = valid.get(r.nextInt(valid.size()));
    if (v.length == 0) {
      return new byte[] {(byte) r.nextInt()};
    }
    int i = r.nextInt(v.length);
    return switch (r.nextInt(4)) {
      case 0 -> {
        byte[] m = v.clone();
        m[i] = (byte) r.nextInt();
        yield m;
      }
      case 1 -> Arrays.copyOf(v, i);
      case 2 -> {
        byte[] m = Arrays.copyOf(v, v.length + 1);
        System.arraycopy(v, i, m, i + 1, v.length - i);
        m[i] = (byte) r.nextInt();
        yield m;
      }
      default -> {
        byte[] m = new byte[v.length - 1];
        System.arraycopy(v, 0, m, 0, i);
        System.arraycopy(v, i + 1, m, i, v.length - i - 1);
        yield m;
      }
    };
  }
}
