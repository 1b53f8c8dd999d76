package io.ihsm.kmip.protocol;

/**
 * A batch item the server refuses: the KMIP result reason and a message saying what was wrong in
 * the request (never a secret). Becomes an Operation Failed result for that item alone.
 */
public final class KmipException extends Exception {
  private final ResultReason reason;

  public KmipException(ResultReason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public ResultReason reason() {
    return reason;
  }
}
