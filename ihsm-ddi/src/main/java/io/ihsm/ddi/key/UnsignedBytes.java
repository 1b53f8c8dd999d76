package io.ihsm.ddi.key;

import java.math.BigInteger;
import java.util.Arrays;

/**
 * Non-negative integers as big-endian bytes without a sign byte: key components, EC coordinates,
 * signature halves.
 */
public final class UnsignedBytes {
  private UnsignedBytes() {}

  /** The shortest form (at least one byte). */
  public static byte[] of(BigInteger v) {
    byte[] b = v.toByteArray();
    return b[0] == 0 && b.length > 1 ? Arrays.copyOfRange(b, 1, b.length) : b;
  }

  /**
   * Left-padded with zeros to {@code length} bytes (an EC coordinate, half of an r || s signature).
   */
  public static byte[] fixed(BigInteger v, int length) {
    byte[] b = of(v);
    if (b.length > length) {
      throw new IllegalArgumentException("the value does not fit in " + length + " bytes");
    }
    byte[] out = new byte[length];
    System.arraycopy(b, 0, out, length - b.length, b.length);
    return out;
  }
}
