package io.ihsm.ddi.message;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;

/** Tamper request: which emulated sensor fired (string ≤ 32: case-open, voltage, temperature). */
public record TamperRequest(String sensor) implements Body {
  @Override
  public void writeTo(BodyWriter w) {
    w.string(sensor, 32);
  }

  public static TamperRequest read(BodyReader r) throws DdiException {
    TamperRequest t = new TamperRequest(r.string("sensor", 32));
    r.end();
    return t;
  }
}
