package io.ihsm.ddi.message;

import io.ihsm.ddi.ApiRevision;
import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;

/**
 * GetApiRev response: the oldest and newest revisions the device speaks (u8 major, u8 minor each).
 */
public record ApiRevisionRange(ApiRevision min, ApiRevision max) implements Body {
  public ApiRevisionRange {
    if (min.compareTo(max) > 0) {
      throw new IllegalArgumentException("min revision " + min + " is above max " + max);
    }
  }

  /** The newest revision both sides speak, or null when the ranges do not meet. */
  public ApiRevision newestCommon() {
    for (ApiRevision r : ApiRevision.SUPPORTED.reversed()) {
      if (r.compareTo(min) >= 0 && r.compareTo(max) <= 0) {
        return r;
      }
    }
    return null;
  }

  @Override
  public void writeTo(BodyWriter w) {
    w.u8(min.major()).u8(min.minor()).u8(max.major()).u8(max.minor());
  }

  public static ApiRevisionRange read(BodyReader r) throws DdiException {
    ApiRevision min = new ApiRevision(r.u8("min.major"), r.u8("min.minor"));
    ApiRevision max = new ApiRevision(r.u8("max.major"), r.u8("max.minor"));
    r.end();
    if (min.compareTo(max) > 0 || min.isNone()) {
      throw new DdiException(Status.MALFORMED_BODY, "revision range is empty");
    }
    return new ApiRevisionRange(min, max);
  }
}
