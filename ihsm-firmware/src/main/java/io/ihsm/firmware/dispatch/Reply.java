package io.ihsm.firmware.dispatch;

import io.ihsm.ddi.message.Body;

/** A handler's successful answer and whether it was an approved service (the FIPS indicator). */
public record Reply(Body body, boolean approved) {
  public static Reply nonApproved(Body body) {
    return new Reply(body, false);
  }
}
