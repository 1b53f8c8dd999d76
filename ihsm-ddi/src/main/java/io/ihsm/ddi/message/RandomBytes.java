package io.ihsm.ddi.message;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;

/**
 * GetRandom response: the random bytes, length-prefixed (≤ {@value GetRandomRequest#MAX_LENGTH}).
 */
public record RandomBytes(byte[] bytes) implements Body {
  public RandomBytes {
    bytes = bytes.clone();
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  @Override
  public void writeTo(BodyWriter w) {
    w.bytes(bytes, GetRandomRequest.MAX_LENGTH);
  }

  public static RandomBytes read(BodyReader r) throws DdiException {
    byte[] b = r.bytes("bytes", GetRandomRequest.MAX_LENGTH);
    r.end();
    return new RandomBytes(b);
  }
}
