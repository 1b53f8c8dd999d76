package io.ihsm.kmip.protocol;

/** The KMIP result reasons the server answers with (KMIP 1.4 section 9.1.3.2.29). */
public enum ResultReason {
  ITEM_NOT_FOUND(0x01),
  RESPONSE_TOO_LARGE(0x02),
  AUTHENTICATION_NOT_SUCCESSFUL(0x03),
  INVALID_MESSAGE(0x04),
  OPERATION_NOT_SUPPORTED(0x05),
  MISSING_DATA(0x06),
  INVALID_FIELD(0x07),
  FEATURE_NOT_SUPPORTED(0x08),
  CRYPTOGRAPHIC_FAILURE(0x0A),
  ILLEGAL_OPERATION(0x0B),
  PERMISSION_DENIED(0x0C),
  INDEX_OUT_OF_BOUNDS(0x0E),
  KEY_FORMAT_TYPE_NOT_SUPPORTED(0x10),
  SENSITIVE(0x16),
  NOT_EXTRACTABLE(0x17),
  OBJECT_ALREADY_EXISTS(0x18),
  GENERAL_FAILURE(0x100);

  private final int code;

  ResultReason(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }
}
