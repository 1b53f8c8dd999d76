package io.ihsm.ddi;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Writes a body in the canonical DDI encoding: fixed-width big-endian integers, booleans as one
 * byte 0 or 1, and variable fields as a u32 length followed by that many bytes (strings in UTF-8).
 * Fields appear in the order the message defines; there are no tags and no optional trailers, so
 * each value has exactly one encoding.
 */
public final class BodyWriter {
  /** Null while only counting (the first pass of {@link #encode}). */
  private byte[] buf;

  private int pos;

  public BodyWriter() {
    this(new byte[64], 0);
  }

  private BodyWriter(byte[] buf, int pos) {
    this.buf = buf;
    this.pos = pos;
  }

  /**
   * Encodes fields into an array of exactly the right size with {@code headerBytes} left free at
   * its start for the caller's header. Two passes, the first only counting, so a large data field
   * is copied once, straight into place (growing a buffer and trimming it copied it three times
   * more).
   *
   * @throws IllegalArgumentException when the body is longer than {@code maxBodyBytes}, or a field
   *     is over its bound
   */
  public static byte[] encode(Consumer<BodyWriter> fields, int headerBytes, int maxBodyBytes) {
    BodyWriter counter = new BodyWriter(null, headerBytes);
    fields.accept(counter);
    int bodyBytes = counter.pos - headerBytes;
    if (bodyBytes > maxBodyBytes) {
      throw new IllegalArgumentException(
          "body of " + bodyBytes + " bytes exceeds the bound of " + maxBodyBytes);
    }
    BodyWriter w = new BodyWriter(new byte[counter.pos], headerBytes);
    fields.accept(w);
    if (w.pos != w.buf.length) {
      throw new IllegalStateException(
          "a body wrote " + (w.pos - headerBytes) + " bytes after counting " + bodyBytes);
    }
    return w.buf;
  }

  public BodyWriter u8(int v) {
    checkRange(v, 0xFF, "u8");
    room(1);
    if (buf != null) {
      buf[pos] = (byte) v;
    }
    pos += 1;
    return this;
  }

  public BodyWriter u16(int v) {
    checkRange(v, 0xFFFF, "u16");
    room(2);
    if (buf != null) {
      buf[pos] = (byte) (v >>> 8);
      buf[pos + 1] = (byte) v;
    }
    pos += 2;
    return this;
  }

  /** Writes the low 32 bits, unsigned. */
  public BodyWriter u32(int v) {
    room(4);
    if (buf != null) {
      buf[pos] = (byte) (v >>> 24);
      buf[pos + 1] = (byte) (v >>> 16);
      buf[pos + 2] = (byte) (v >>> 8);
      buf[pos + 3] = (byte) v;
    }
    pos += 4;
    return this;
  }

  public BodyWriter u64(long v) {
    u32((int) (v >>> 32));
    return u32((int) v);
  }

  public BodyWriter bool(boolean v) {
    return u8(v ? 1 : 0);
  }

  /** A length-prefixed byte field; {@code max} is the bound the decoder enforces. */
  public BodyWriter bytes(byte[] v, int max) {
    if (v.length > max) {
      throw new IllegalArgumentException(
          "field of " + v.length + " bytes exceeds its bound of " + max);
    }
    u32(v.length);
    room(v.length);
    if (buf != null) {
      System.arraycopy(v, 0, buf, pos, v.length);
    }
    pos += v.length;
    return this;
  }

  /** A length-prefixed UTF-8 string; {@code maxBytes} bounds its encoded length. */
  public BodyWriter string(String v, int maxBytes) {
    return bytes(v.getBytes(StandardCharsets.UTF_8), maxBytes);
  }

  public byte[] toByteArray() {
    return Arrays.copyOf(buf, pos);
  }

  private void room(int n) {
    if (buf != null && pos + n > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
    }
  }

  private static void checkRange(int v, int max, String type) {
    if (v < 0 || v > max) {
      throw new IllegalArgumentException(type + " out of range: " + v);
    }
  }
}
