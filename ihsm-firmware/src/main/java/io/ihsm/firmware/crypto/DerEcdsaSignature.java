package io.ihsm.firmware.crypto;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Optional;

/**
 * ECDSA signatures in DER (SEQUENCE of two INTEGERs), parsed strictly: definite minimal lengths,
 * minimal positive integers, nothing trailing. Some engines accept looser BER encodings; the module
 * does not, so that a signature has exactly one accepted form (no malleability).
 */
public final class DerEcdsaSignature {
  private DerEcdsaSignature() {}

  /**
   * (r, s) when {@code der} is the canonical encoding of two positive integers; empty otherwise.
   */
  public static Optional<BigInteger[]> parse(byte[] der) {
    Reader in = new Reader(der);
    if (in.next() != 0x30) {
      return Optional.empty();
    }
    int seqLen = in.length();
    if (seqLen < 0 || seqLen != in.remaining()) {
      return Optional.empty();
    }
    BigInteger r = in.positiveInteger();
    BigInteger s = in.positiveInteger();
    if (r == null || s == null || in.remaining() != 0) {
      return Optional.empty();
    }
    return Optional.of(new BigInteger[] {r, s});
  }

  private static final class Reader {
    private final byte[] b;
    private int pos;

    Reader(byte[] b) {
      this.b = b;
    }

    int remaining() {
      return b.length - pos;
    }

    int next() {
      return pos < b.length ? b[pos++] & 0xFF : -1;
    }

    /** A definite length in its minimal form, or -1. */
    int length() {
      int first = next();
      if (first < 0) {
        return -1;
      }
      if (first < 0x80) {
        return first;
      }
      int n = first & 0x7F;
      if (n == 0 || n > 2) {
        return -1; // indefinite, or longer than any ECDSA signature needs
      }
      int len = 0;
      for (int i = 0; i < n; i++) {
        int v = next();
        if (v < 0) {
          return -1;
        }
        len = (len << 8) | v;
      }
      boolean minimal = len >= 0x80 && (n == 1 || len > 0xFF);
      return minimal ? len : -1;
    }

    BigInteger positiveInteger() {
      if (next() != 0x02) {
        return null;
      }
      int len = length();
      if (len <= 0 || len > remaining()) {
        return null;
      }
      int start = pos;
      pos += len;
      if ((b[start] & 0x80) != 0) {
        return null; // negative
      }
      if (len > 1 && b[start] == 0 && (b[start + 1] & 0x80) == 0) {
        return null; // a leading zero that is not needed
      }
      BigInteger v = new BigInteger(1, Arrays.copyOfRange(b, start, start + len));
      return v.signum() > 0 ? v : null;
    }
  }
}
