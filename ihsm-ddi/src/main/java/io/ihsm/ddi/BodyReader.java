package io.ihsm.ddi;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads a body in the canonical DDI encoding (see {@link BodyWriter}), strictly: every read is
 * bounds-checked, every variable field has a caller-given maximum, booleans must be 0 or 1, strings
 * must be valid UTF-8, and {@link #end()} refuses trailing bytes. Failures are {@link
 * DdiException}s with {@link Status#MALFORMED_BODY}, naming the field, never its content.
 */
public final class BodyReader {
  private final byte[] buf;
  private final int limit;
  private int pos;

  public BodyReader(byte[] buf, int offset, int length) {
    if (offset < 0 || length < 0 || offset + length > buf.length) {
      throw new IllegalArgumentException("slice outside the buffer");
    }
    this.buf = buf;
    this.pos = offset;
    this.limit = offset + length;
  }

  public static BodyReader of(byte[] body) {
    return new BodyReader(body, 0, body.length);
  }

  public int u8(String field) throws DdiException {
    need(1, field);
    return buf[pos++] & 0xFF;
  }

  public int u16(String field) throws DdiException {
    need(2, field);
    int v = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
    pos += 2;
    return v;
  }

  /** The raw 32 bits; callers treat them as unsigned where the field says so. */
  public int u32(String field) throws DdiException {
    need(4, field);
    int v = Frames.getU32(buf, pos);
    pos += 4;
    return v;
  }

  public long u64(String field) throws DdiException {
    long hi = u32(field) & 0xFFFFFFFFL;
    long lo = u32(field) & 0xFFFFFFFFL;
    return (hi << 32) | lo;
  }

  public boolean bool(String field) throws DdiException {
    int v = u8(field);
    if (v > 1) {
      throw malformed(field, "boolean must be 0 or 1");
    }
    return v == 1;
  }

  public byte[] bytes(String field, int max) throws DdiException {
    int len = length(field, max);
    byte[] v = Arrays.copyOfRange(buf, pos, pos + len);
    pos += len;
    return v;
  }

  public String string(String field, int maxBytes) throws DdiException {
    int len = length(field, maxBytes);
    try {
      String s =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(buf, pos, len))
              .toString();
      pos += len;
      return s;
    } catch (CharacterCodingException e) {
      throw malformed(field, "not valid UTF-8");
    }
  }

  /** Refuses trailing bytes: a body has exactly one encoding. */
  public void end() throws DdiException {
    if (pos != limit) {
      throw new DdiException(Status.MALFORMED_BODY, (limit - pos) + " unexpected trailing bytes");
    }
  }

  public int remaining() {
    return limit - pos;
  }

  private int length(String field, int max) throws DdiException {
    long len = u32(field) & 0xFFFFFFFFL;
    if (len > max) {
      throw malformed(field, "length " + len + " exceeds its bound of " + max);
    }
    need((int) len, field);
    return (int) len;
  }

  private void need(int n, String field) throws DdiException {
    if (limit - pos < n) {
      throw malformed(field, "body ends early");
    }
  }

  private static DdiException malformed(String field, String why) {
    return new DdiException(Status.MALFORMED_BODY, "field '" + field + "': " + why);
  }
}
