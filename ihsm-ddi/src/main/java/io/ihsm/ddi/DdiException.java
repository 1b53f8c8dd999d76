package io.ihsm.ddi;

/**
 * A request or frame that cannot be served, with the status that says why. Decoders throw it; the
 * firmware's dispatcher turns it into a response in one place, so it never escapes the device.
 * Messages name fields and bounds, never field contents.
 */
public final class DdiException extends Exception {
  private final Status status;

  public DdiException(Status status, String message) {
    super(message);
    this.status = status;
  }

  public Status status() {
    return status;
  }
}
