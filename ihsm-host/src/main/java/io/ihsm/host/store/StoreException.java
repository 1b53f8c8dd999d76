package io.ihsm.host.store;

/**
 * A store refused a call or could not be reached; {@link #reason()} says which, the message why.
 */
public final class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why a call failed. */
  public enum Reason {
    /** A create found the key there already. */
    EXISTS,
    /** A compare-and-swap found another revision than the caller read: someone changed it since. */
    CONFLICT,
    /** The key is not there. */
    NOT_FOUND,
    /** A key or value outside the bounds, or a closed store. */
    INVALID,
    /**
     * The store cannot be reached or did not answer in time. A write that timed out may or may not
     * have been applied: read before retrying (the conditional writes make that safe).
     */
    UNAVAILABLE,
    /** What the store holds does not read as a record: damage, to be restored from a backup. */
    CORRUPT
  }

  private final Reason reason;

  public StoreException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public StoreException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
