package io.ihsm.pkcs11.wire;

import io.ihsm.pkcs11.Ck;
import io.ihsm.pkcs11.CkException;
import java.util.ArrayList;
import java.util.List;

/**
 * A CK_MECHANISM as the C module flattens it: the type, then its parameter. Parameters without
 * pointers come as their raw bytes; those with pointers (OAEP, GCM, ECDH, HKDF, SP 800-108, RSA-AES
 * wrap, ML-DSA's signing context) are flattened field by field by the C side, which knows their
 * layout.
 */
public record MechanismSpec(long type, Object parameter) {
  /** Parameter kinds, as bridge.h numbers them (IHSM_PARAM_*). */
  public static final int NONE = 0,
      RAW = 1,
      OAEP = 2,
      GCM = 3,
      ECDH = 4,
      HKDF = 5,
      KDF_108 = 6,
      RSA_AES = 7,
      SIGN_CONTEXT = 8;

  public record Raw(byte[] bytes) {}

  public record Oaep(long hash, long mgf, long source, byte[] label) {}

  public record Gcm(byte[] iv, long ivBits, byte[] aad, long tagBits) {}

  public record Ecdh(long kdf, byte[] sharedData, byte[] publicData) {}

  public record Hkdf(
      boolean extract,
      boolean expand,
      long prf,
      long saltType,
      byte[] salt,
      long saltKey,
      byte[] info) {}

  public record DataParam(long type, byte[] value) {}

  public record Kdf108(long prf, List<DataParam> data, long additionalKeys) {}

  public record RsaAesWrap(long aesKeyBits, Oaep oaep) {}

  /** CK_SIGN_ADDITIONAL_CONTEXT (PKCS#11 3.2): ML-DSA's hedging and context string. */
  public record SignContext(long hedge, byte[] context) {}

  static MechanismSpec read(Request r) {
    long type = r.ulong();
    int kind = r.u32();
    Object p =
        switch (kind) {
          case NONE -> null;
          case RAW -> new Raw(r.requiredBytes());
          case OAEP -> oaep(r);
          case GCM -> new Gcm(r.bytes(), r.ulong(), r.bytes(), r.ulong());
          case ECDH -> new Ecdh(r.ulong(), r.bytes(), r.bytes());
          case HKDF ->
              new Hkdf(r.flag(), r.flag(), r.ulong(), r.ulong(), r.bytes(), r.ulong(), r.bytes());
          case KDF_108 -> {
            long prf = r.ulong();
            int n = r.u32();
            if (n < 0 || n > 16) {
              throw new CkException(
                  Ck.CKR_MECHANISM_PARAM_INVALID, "too many SP 800-108 data parameters");
            }
            List<DataParam> data = new ArrayList<>();
            for (int i = 0; i < n; i++) {
              long t = r.ulong();
              data.add(new DataParam(t, r.bytes()));
            }
            yield new Kdf108(prf, data, r.ulong());
          }
          case RSA_AES -> new RsaAesWrap(r.ulong(), r.flag() ? oaep(r) : null);
          case SIGN_CONTEXT -> new SignContext(r.ulong(), r.bytes());
          default -> throw new CkException(Ck.CKR_ARGUMENTS_BAD, "unknown parameter kind " + kind);
        };
    return new MechanismSpec(type, p);
  }

  private static Oaep oaep(Request r) {
    return new Oaep(r.ulong(), r.ulong(), r.ulong(), r.bytes());
  }

  /** The parameter as the type a mechanism needs, or CKR_MECHANISM_PARAM_INVALID. */
  public <T> T parameter(Class<T> kind) {
    if (!kind.isInstance(parameter)) {
      throw new CkException(
          Ck.CKR_MECHANISM_PARAM_INVALID,
          "mechanism 0x"
              + Long.toHexString(type)
              + " needs a "
              + kind.getSimpleName()
              + " parameter");
    }
    return kind.cast(parameter);
  }

  /** A mechanism that takes no parameter must get none. */
  public void noParameter() {
    if (parameter != null) {
      throw new CkException(
          Ck.CKR_MECHANISM_PARAM_INVALID,
          "mechanism 0x" + Long.toHexString(type) + " takes no parameter");
    }
  }
}
