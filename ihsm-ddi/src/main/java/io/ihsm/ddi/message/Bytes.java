package io.ihsm.ddi.message;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;

/**
 * A body that is one byte string: a masked blob or partition blob (read with {@link #readBlob}, at
 * most {@value #MAX_BLOB} bytes), or data: a signature, a plaintext, a public key (read with {@link
 * #read}, at most {@value #MAX_DATA} bytes: an operation's 128 KiB and room for padding or a tag).
 */
public record Bytes(byte[] bytes) implements Body {
  public static final int MAX_BLOB = 16384;
  public static final int MAX_DATA = 128 * 1024 + 64;

  public Bytes {
    bytes = bytes.clone();
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  @Override
  public void writeTo(BodyWriter w) {
    w.bytes(bytes, MAX_DATA);
  }

  /** Data: a signature, a plaintext, a public key. */
  public static Bytes read(BodyReader r) throws DdiException {
    return read(r, "data", MAX_DATA);
  }

  /** A masked blob or a partition blob. */
  public static Bytes readBlob(BodyReader r) throws DdiException {
    return read(r, "blob", MAX_BLOB);
  }

  private static Bytes read(BodyReader r, String field, int max) throws DdiException {
    Bytes b = new Bytes(r.bytes(field, max));
    r.end();
    return b;
  }
}
