package io.ihsm.pkcs11.wire;

import io.ihsm.pkcs11.Ck;
import io.ihsm.pkcs11.CkException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Attribute values travel as the caller's memory holds them: a CK_ULONG is 8 little-endian bytes
 * and a CK_BBOOL one byte (the LP64 little-endian platforms the C module is built for; it checks
 * that at compile time).
 */
public final class Native {
  private Native() {}

  public static byte[] ulong(long v) {
    return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
  }

  public static byte[] bool(boolean b) {
    return new byte[] {(byte) (b ? 1 : 0)};
  }

  public static long toUlong(byte[] v) {
    if (v == null || v.length != 8) {
      throw new CkException(Ck.CKR_ATTRIBUTE_VALUE_INVALID, "a CK_ULONG attribute is 8 bytes");
    }
    return ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).getLong();
  }

  public static boolean toBool(byte[] v) {
    if (v == null || v.length != 1) {
      throw new CkException(Ck.CKR_ATTRIBUTE_VALUE_INVALID, "a CK_BBOOL attribute is 1 byte");
    }
    return v[0] != 0;
  }

  /**
   * CK_ULONG fields of a parameter structure passed as it is in memory (e.g.
   * CK_RSA_PKCS_PSS_PARAMS).
   */
  public static long[] ulongs(byte[] struct, int count) {
    if (struct == null || struct.length != 8 * count) {
      throw new CkException(
          Ck.CKR_MECHANISM_PARAM_INVALID, "the mechanism parameter has the wrong size");
    }
    ByteBuffer b = ByteBuffer.wrap(struct).order(ByteOrder.LITTLE_ENDIAN);
    long[] v = new long[count];
    for (int i = 0; i < count; i++) {
      v[i] = b.getLong();
    }
    return v;
  }
}
