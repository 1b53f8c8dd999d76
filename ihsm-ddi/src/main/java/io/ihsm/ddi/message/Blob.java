package io.ihsm.ddi.message;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;

/** A body that is one masked blob (≤ {@value #MAX_BYTES} bytes): a partition blob, a masked key. */
public record Blob(byte[] bytes) implements Body {
  public static final int MAX_BYTES = 16384;

  public Blob {
    bytes = bytes.clone();
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  @Override
  public void writeTo(BodyWriter w) {
    w.bytes(bytes, MAX_BYTES);
  }

  public static Blob read(BodyReader r) throws DdiException {
    Blob b = new Blob(r.bytes("blob", MAX_BYTES));
    r.end();
    return b;
  }
}
