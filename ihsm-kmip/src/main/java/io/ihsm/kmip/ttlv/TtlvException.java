package io.ihsm.kmip.ttlv;

/** Bytes that are not a well-formed TTLV item within the decoder's bounds; says what and where. */
public final class TtlvException extends Exception {
  public TtlvException(String message) {
    super(message);
  }
}
