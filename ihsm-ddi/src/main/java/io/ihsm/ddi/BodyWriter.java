package io.ihsm.ddi;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a body in the canonical DDI encoding: fixed-width big-endian integers, booleans as one
 * byte 0 or 1, and variable fields as a u32 length followed by that many bytes (strings in UTF-8).
 * Fields appear in the order the message defines; there are no tags and no optional trailers, so
 * each value has exactly one encoding.
 */
public final class BodyWriter {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream(64);

  public BodyWriter u8(int v) {
    checkRange(v, 0xFF, "u8");
    out.write(v);
    return this;
  }

  public BodyWriter u16(int v) {
    checkRange(v, 0xFFFF, "u16");
    out.write(v >>> 8);
    out.write(v);
    return this;
  }

  /** Writes the low 32 bits, unsigned. */
  public BodyWriter u32(int v) {
    out.write(v >>> 24);
    out.write(v >>> 16);
    out.write(v >>> 8);
    out.write(v);
    return this;
  }

  public BodyWriter u64(long v) {
    u32((int) (v >>> 32));
    return u32((int) v);
  }

  public BodyWriter bool(boolean v) {
    out.write(v ? 1 : 0);
    return this;
  }

  /** A length-prefixed byte field; {@code max} is the bound the decoder enforces. */
  public BodyWriter bytes(byte[] v, int max) {
    if (v.length > max) {
      throw new IllegalArgumentException("field of " + v.length + " bytes exceeds its bound of " + max);
    }
    u32(v.length);
    out.writeBytes(v);
    return this;
  }

  /** A length-prefixed UTF-8 string; {@code maxBytes} bounds its encoded length. */
  public BodyWriter string(String v, int maxBytes) {
    return bytes(v.getBytes(StandardCharsets.UTF_8), maxBytes);
  }

  public byte[] toByteArray() {
    return out.toByteArray();
  }

  private static void checkRange(int v, int max, String type) {
    if (v < 0 || v > max) {
      throw new IllegalArgumentException(type + " out of range: " + v);
    }
  }
}
