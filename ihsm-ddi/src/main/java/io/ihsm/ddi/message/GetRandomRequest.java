package io.ihsm.ddi.message;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;

/** GetRandom request: u32 number of bytes wanted, 1 to {@value #MAX_LENGTH}. */
public record GetRandomRequest(int length) implements Body {
  public static final int MAX_LENGTH = 1024;

  public GetRandomRequest {
    if (length < 1 || length > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "random length must be 1.." + MAX_LENGTH + ", got " + length);
    }
  }

  @Override
  public void writeTo(BodyWriter w) {
    w.u32(length);
  }

  public static GetRandomRequest read(BodyReader r) throws DdiException {
    int n = r.u32("length");
    r.end();
    if (n < 1 || n > MAX_LENGTH) {
      throw new DdiException(Status.MALFORMED_BODY, "field 'length': must be 1.." + MAX_LENGTH);
    }
    return new GetRandomRequest(n);
  }
}
