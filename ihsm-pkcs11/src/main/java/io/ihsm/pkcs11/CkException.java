package io.ihsm.pkcs11;

/**
 * A PKCS#11 return value other than CKR_OK, with a message for the bridge's log. Messages name what
 * was wrong, never key bytes or PINs.
 */
public final class CkException extends RuntimeException {
  private final long rv;

  public CkException(long rv, String message) {
    super(message, null, false, false);
    this.rv = rv;
  }

  public long rv() {
    return rv;
  }
}
