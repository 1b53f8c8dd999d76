package io.ihsm.sdk;

import io.ihsm.ddi.Status;

/**
 * The one exception the SDK throws for a refused or failed device call. {@link #status()} is the
 * device's status, or a host-side status (transport unavailable, timeout, connection lost).
 */
public final class IhsmException extends RuntimeException {
  private final Status status;

  public IhsmException(Status status, String message) {
    super(message);
    this.status = status;
  }

  public IhsmException(Status status, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  public Status status() {
    return status;
  }

  /**
   * True when the device could not be reached at all, as opposed to refusing the request (a label
   * the host key store does not have, also raised on the host, is a refusal).
   */
  public boolean isTransportFailure() {
    return status == Status.TRANSPORT_UNAVAILABLE
        || status == Status.TIMEOUT
        || status == Status.CONNECTION_LOST;
  }
}
