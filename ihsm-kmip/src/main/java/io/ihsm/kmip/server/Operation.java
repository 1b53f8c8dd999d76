package io.ihsm.kmip.server;

/** The KMIP operations this server serves (KMIP 1.4 section 9.1.3.2.27), by number. */
final class Operation {
  static final int CREATE = 0x01;
  static final int CREATE_KEY_PAIR = 0x02;
  static final int REGISTER = 0x03;
  static final int REKEY = 0x04;
  static final int LOCATE = 0x08;
  static final int GET = 0x0A;
  static final int GET_ATTRIBUTES = 0x0B;
  static final int GET_ATTRIBUTE_LIST = 0x0C;
  static final int ADD_ATTRIBUTE = 0x0D;
  static final int MODIFY_ATTRIBUTE = 0x0E;
  static final int DELETE_ATTRIBUTE = 0x0F;
  static final int ACTIVATE = 0x12;
  static final int REVOKE = 0x13;
  static final int DESTROY = 0x14;
  static final int QUERY = 0x18;
  static final int DISCOVER_VERSIONS = 0x1E;
  static final int ENCRYPT = 0x1F;
  static final int DECRYPT = 0x20;
  static final int SIGN = 0x21;
  static final int SIGNATURE_VERIFY = 0x22;
  static final int MAC = 0x23;

  private Operation() {}
}
