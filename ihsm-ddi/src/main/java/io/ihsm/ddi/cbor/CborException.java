package io.ihsm.ddi.cbor;

/** Input that is not CBOR in the strict, deterministic form {@link Cbor} reads. */
public final class CborException extends RuntimeException {
  public CborException(String message) {
    super(message);
  }
}
