package io.ihsm.firmware.dispatch;

import io.ihsm.ddi.message.Body;

/**
 * A handler's successful answer and whether it was an approved service (the FIPS 140-3 service
 * indicator, bit 0 of the response flags). Every service the module offers is approved; only a
 * request that used a non-approved parameter, which approved-only mode refuses, is answered with
 * the flag clear (docs/compliance.md). An audited request's reply may say what it changed, for its
 * audit entry ({@code auditDetail}: names and states, never secrets; empty for none).
 */
public record Reply(Body body, boolean approved, String auditDetail) {
  public Reply(Body body, boolean approved) {
    this(body, approved, "");
  }

  public static Reply approved(Body body) {
    return new Reply(body, true);
  }

  /** An approved reply whose audit entry says {@code detail}. */
  public static Reply audited(Body body, String detail) {
    return new Reply(body, true, detail);
  }
}
