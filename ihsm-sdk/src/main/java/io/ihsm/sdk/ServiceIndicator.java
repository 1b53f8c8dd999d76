package io.ihsm.sdk;

import io.ihsm.sdk.internal.LastResponse;

/**
 * The FIPS 140-3 service indicator as the device reported it: whether the last call this thread
 * made through the SDK was an approved service. Every successful response carries the flag; a call
 * that failed, or has not been made, reads as not approved. Ask right after the call:
 *
 * <pre>{@code
 * byte[] sig = app.sign("k", op);
 * boolean approved = ServiceIndicator.lastCallApproved();
 * }</pre>
 */
public final class ServiceIndicator {
  private ServiceIndicator() {}

  public static boolean lastCallApproved() {
    return LastResponse.approved();
  }
}
