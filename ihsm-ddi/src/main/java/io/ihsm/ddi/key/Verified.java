package io.ihsm.ddi.key;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.message.Body;

/**
 * Verify response: whether the signature or tag is valid (a bad signature is an answer, not an
 * error).
 */
public record Verified(boolean valid) implements Body {
  @Override
  public void writeTo(BodyWriter w) {
    w.bool(valid);
  }

  public static Verified read(BodyReader r) throws DdiException {
    Verified v = new Verified(r.bool("valid"));
    r.end();
    return v;
  }
}
