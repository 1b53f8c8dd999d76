package io.ihsm.pkcs11;

import static io.ihsm.pkcs11.Ck.*;

import io.ihsm.ddi.key.DeriveKeyRequest;
import io.ihsm.ddi.key.HashAlgorithm;
import io.ihsm.ddi.key.KeyAttributes;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.pkcs11.mechanism.Hashes;
import io.ihsm.pkcs11.wire.MechanismSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * CKM_HKDF_DERIVE and CKM_SP800_108_COUNTER_KDF parameters as the device's derivations take them.
 */
final class Kdfs {
  private Kdfs() {}

  static final long DKM_SUM_OF_KEYS = 1;

  /** HKDF extract-then-expand, salt given or none, as the device runs it. */
  static DeriveKeyRequest hkdf(MechanismSpec m, int length, KeyAttributes attrs) {
    MechanismSpec.Hkdf p = m.parameter(MechanismSpec.Hkdf.class);
    if (!p.extract() || !p.expand()) {
      throw new CkException(
          CKR_MECHANISM_PARAM_INVALID, "HKDF here is extract then expand (both true)");
    }
    HashAlgorithm h = Hashes.of(Hashes.HKDF, p.prf(), "an HKDF hash (SHA-256, SHA-384 or SHA-512)");
    byte[] salt;
    if (p.saltType() == CKF_HKDF_SALT_NULL) {
      salt = new byte[0];
    } else if (p.saltType() == CKF_HKDF_SALT_DATA && p.salt() != null) {
      salt = p.salt();
    } else {
      throw new CkException(
          CKR_MECHANISM_PARAM_INVALID, "the HKDF salt is data or none (a salt key is not taken)");
    }
    return new DeriveKeyRequest(
        0,
        DeriveKeyRequest.Method.HKDF,
        h,
        new byte[0],
        bounded(salt),
        bounded(orEmpty(p.info())),
        outputLength(attrs.kind(), length),
        attrs);
  }

  /**
   * SP 800-108 counter mode with an HMAC PRF, in the one layout the device computes: a 32-bit
   * big-endian counter, then label || 0x00 || context || [L]32 (big-endian, the sum of key
   * lengths).
   */
  static DeriveKeyRequest counterKdf(MechanismSpec m, int length, KeyAttributes attrs) {
    MechanismSpec.Kdf108 p = m.parameter(MechanismSpec.Kdf108.class);
    HashAlgorithm h = Hashes.of(Hashes.HMAC_PRFS, p.prf(), "an HMAC-SHA-2 PRF");
    List<MechanismSpec.DataParam> d = p.data();
    if (p.additionalKeys() != 0
        || d.size() != 5
        || d.get(0).type() != CK_SP800_108_ITERATION_VARIABLE
        || !counter32(d.get(0).value())
        || d.get(1).type() != CK_SP800_108_BYTE_ARRAY
        || d.get(2).type() != CK_SP800_108_BYTE_ARRAY
        || d.get(2).value() == null
        || d.get(2).value().length != 1
        || d.get(2).value()[0] != 0
        || d.get(3).type() != CK_SP800_108_BYTE_ARRAY
        || d.get(4).type() != CK_SP800_108_DKM_LENGTH
        || !dkm32(d.get(4).value())) {
      throw new CkException(
          CKR_MECHANISM_PARAM_INVALID,
          "the counter KDF takes: counter (32-bit big-endian), label, "
              + "a 0x00 byte, context, DKM length (sum of keys, 32-bit big-endian); no additional keys");
    }
    return new DeriveKeyRequest(
        0,
        DeriveKeyRequest.Method.KBKDF,
        h,
        new byte[0],
        bounded(orEmpty(d.get(1).value())),
        bounded(orEmpty(d.get(3).value())),
        outputLength(attrs.kind(), length),
        attrs);
  }

  /**
   * CK_SP800_108_COUNTER_FORMAT { CK_BBOOL bLittleEndian; CK_ULONG ulWidthInBits } as laid out in
   * memory.
   */
  private static boolean counter32(byte[] v) {
    if (v == null || v.length != 16) {
      return false;
    }
    ByteBuffer b = ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN);
    return b.get(0) == 0 && b.getLong(8) == 32;
  }

  /** CK_SP800_108_DKM_LENGTH_FORMAT { method; CK_BBOOL bLittleEndian; CK_ULONG ulWidthInBits }. */
  private static boolean dkm32(byte[] v) {
    if (v == null || v.length != 24) {
      return false;
    }
    ByteBuffer b = ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN);
    return b.getLong(0) == DKM_SUM_OF_KEYS && b.get(8) == 0 && b.getLong(16) == 32;
  }

  /** A generic secret's length is asked for; other kinds fix theirs (the device takes 0). */
  private static int outputLength(KeyKind kind, int length) {
    return kind == KeyKind.SECRET ? length : 0;
  }

  private static byte[] orEmpty(byte[] b) {
    return b == null ? new byte[0] : b;
  }

  private static byte[] bounded(byte[] b) {
    if (b.length > DeriveKeyRequest.MAX_FIELD) {
      throw new CkException(
          CKR_MECHANISM_PARAM_INVALID,
          "KDF inputs are at most " + DeriveKeyRequest.MAX_FIELD + " bytes");
    }
    return b;
  }
}
