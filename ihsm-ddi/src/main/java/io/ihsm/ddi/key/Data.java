package io.ihsm.ddi.key;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.message.Body;

/** A body of bytes: a signature, a plaintext, a public key (≤ {@link Operation#MAX_DATA} + 64). */
public record Data(byte[] bytes) implements Body {
  public static final int MAX_BYTES = Operation.MAX_DATA + 64;

  public Data {
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

  public static Data read(BodyReader r) throws DdiException {
    Data d = new Data(r.bytes("data", MAX_BYTES));
    r.end();
    return d;
  }
}
