package io.ihsm.firmware.crypto;

/**
 * A cryptographic input the module refuses, with a reason the dispatcher turns into a status.
 * Messages describe the input's shape (lengths, curves), never its content.
 */
public final class CryptoRefusal extends Exception {
  /** Why an input was refused. */
  public enum Reason {
    /** Lengths or formats that cannot be right (an empty CBC ciphertext, a 13-byte IV). */
    INVALID_INPUT,
    /** An AEAD tag that does not verify. */
    BAD_TAG,
    /** Padding that does not check out (CBC, OAEP, key wrap integrity). */
    BAD_PADDING,
    /** A public key or point that is not valid (off the curve, at infinity, malformed). */
    INVALID_PUBLIC_KEY,
    /** A peer key on another curve than ours. */
    CURVE_MISMATCH,
    /** Input larger than the key allows (RSA input above the modulus). */
    INPUT_TOO_LARGE
  }

  private final Reason reason;

  public CryptoRefusal(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
