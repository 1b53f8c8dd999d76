package io.ihsm.kmip.ttlv;

/** The TTLV item types and their wire numbers (KMIP 1.x, 9.1.1.2). */
public enum ItemType {
  STRUCTURE(0x01),
  INTEGER(0x02),
  LONG_INTEGER(0x03),
  BIG_INTEGER(0x04),
  ENUMERATION(0x05),
  BOOLEAN(0x06),
  TEXT_STRING(0x07),
  BYTE_STRING(0x08),
  DATE_TIME(0x09),
  INTERVAL(0x0A);

  private final int code;

  ItemType(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** The type with this wire number, or null. */
  public static ItemType fromCode(int code) {
    return code >= 1 && code <= BY_CODE.length ? BY_CODE[code - 1] : null;
  }

  /** Read for every item decoded: the codes are 1 to 10, in order. */
  private static final ItemType[] BY_CODE = values();
}
