package io.ihsm.pkcs11.wire;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** The answer to one call: the return value first, then the function's outputs in their order. */
public final class Response {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream(64);

  public Response(long rv) {
    ulong(rv);
  }

  public static Response ok() {
    return new Response(0);
  }

  /**
   * A result for a caller's buffer: its length always; the bytes when the buffer holds them, else
   * CKR_BUFFER_TOO_SMALL, or CKR_OK alone for a length query (no buffer).
   */
  public static Response output(byte[] value, Request.OutputBuffer out) {
    if (!out.present()) {
      return ok().ulong(value.length).bytes(null);
    }
    if (!fits(value, out)) {
      return new Response(0x150).ulong(value.length).bytes(null);
    }
    return ok().ulong(value.length).bytes(value);
  }

  /** Whether the caller's buffer takes the whole value (the call then hands it over). */
  public static boolean fits(byte[] value, Request.OutputBuffer out) {
    return out.present() && Long.compareUnsigned(out.capacity(), value.length) >= 0;
  }

  public Response ulong(long v) {
    out.writeBytes(ByteBuffer.allocate(8).putLong(v).array());
    return this;
  }

  public Response u32(int v) {
    out.writeBytes(ByteBuffer.allocate(4).putInt(v).array());
    return this;
  }

  public Response u8(int v) {
    out.write(v);
    return this;
  }

  /** A byte array; null is sent as absent. */
  public Response bytes(byte[] b) {
    u8(b == null ? 0 : 1);
    u32(b == null ? 0 : b.length);
    if (b != null) {
      out.writeBytes(b);
    }
    return this;
  }

  /** A padded blank string field of a CK_*_INFO structure. */
  public Response text(String s) {
    return bytes(s.getBytes(StandardCharsets.UTF_8));
  }

  public byte[] toBytes() {
    return out.toByteArray();
  }
}
