package io.ihsm.ddi.message;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;

/** A body that is one u32: a session id, a partition id, an audit export offset. */
public record Id(int value) implements Body {
  @Override
  public void writeTo(BodyWriter w) {
    w.u32(value);
  }

  public static Id read(BodyReader r) throws DdiException {
    Id id = new Id(r.u32("id"));
    r.end();
    return id;
  }
}
