package io.ihsm.firmware.policy;

import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.spi.NonVolatileStore;

/**
 * Approved-only mode, on by default and kept in non-volatile storage. While it is on, a request
 * using a non-approved algorithm or parameter is refused with {@code NOT_APPROVED}; with it off
 * (the Crypto Officer's choice) the request is served and its response's approved-service flag is
 * 0. The table of what is approved is in docs/compliance.md.
 */
public final class ApprovedMode {
  static final String NV = "approved-mode";

  private final NonVolatileStore nv;
  private volatile boolean approvedOnly;

  public ApprovedMode(NonVolatileStore nv) {
    this.nv = nv;
    this.approvedOnly = nv.readExactly(NV, 1).map(b -> b[0] != 0).orElse(true);
  }

  private ApprovedMode() {
    this.nv = null;
    this.approvedOnly = true;
  }

  /** The mode of a module that could not read its stored state: approved-only, never changed. */
  public static ApprovedMode fixed() {
    return new ApprovedMode();
  }

  public boolean approvedOnly() {
    return approvedOnly;
  }

  public synchronized void set(boolean on) {
    if (nv == null) {
      throw new IllegalStateException("the module could not read its stored state");
    }
    nv.write(NV, new byte[] {(byte) (on ? 1 : 0)});
    approvedOnly = on;
  }

  /** Zeroization returns the module to its default: approved-only. */
  public synchronized void reset() {
    if (nv != null) {
      nv.delete(NV);
    }
    approvedOnly = true;
  }

  /**
   * Passes an approved parameter; passes a non-approved one only outside approved-only mode.
   *
   * @param what the non-approved thing, named for the error (never data)
   */
  public void check(boolean approved, String what) throws DdiException {
    if (!approved && approvedOnly) {
      throw new DdiException(
          Status.NOT_APPROVED, what + " is not approved; refused in approved-only mode");
    }
  }
}
