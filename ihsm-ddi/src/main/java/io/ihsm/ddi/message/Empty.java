package io.ihsm.ddi.message;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;

/** The empty body, for requests and responses that carry nothing beyond their header. */
public record Empty() implements Body {
  public static final Empty INSTANCE = new Empty();

  @Override
  public void writeTo(BodyWriter w) {}

  public static Empty read(BodyReader r) throws DdiException {
    r.end();
    return INSTANCE;
  }
}
