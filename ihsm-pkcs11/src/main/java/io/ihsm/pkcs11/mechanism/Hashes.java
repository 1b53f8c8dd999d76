package io.ihsm.pkcs11.mechanism;

import static io.ihsm.pkcs11.Ck.*;

import io.ihsm.ddi.key.HashAlgorithm;
import io.ihsm.pkcs11.CkException;
import java.util.Map;

/** The hashes mechanism parameters name, by the PKCS#11 number each family uses for them. */
public final class Hashes {
  private Hashes() {}

  /** Hash mechanisms as OAEP and PSS parameters name them. */
  public static final Map<Long, HashAlgorithm> DIGESTS =
      Map.of(
          CKM_SHA_1,
          HashAlgorithm.SHA1,
          CKM_SHA256,
          HashAlgorithm.SHA256,
          CKM_SHA384,
          HashAlgorithm.SHA384,
          CKM_SHA512,
          HashAlgorithm.SHA512);

  public static final Map<Long, HashAlgorithm> MGF1 =
      Map.of(
          CKG_MGF1_SHA1,
          HashAlgorithm.SHA1,
          CKG_MGF1_SHA256,
          HashAlgorithm.SHA256,
          CKG_MGF1_SHA384,
          HashAlgorithm.SHA384,
          CKG_MGF1_SHA512,
          HashAlgorithm.SHA512);

  /** HKDF's PRF hashes: SHA-2 only. */
  public static final Map<Long, HashAlgorithm> HKDF =
      Map.of(
          CKM_SHA256,
          HashAlgorithm.SHA256,
          CKM_SHA384,
          HashAlgorithm.SHA384,
          CKM_SHA512,
          HashAlgorithm.SHA512);

  /** SP 800-108's PRFs: HMAC with SHA-2. */
  public static final Map<Long, HashAlgorithm> HMAC_PRFS =
      Map.of(
          CKM_SHA256_HMAC,
          HashAlgorithm.SHA256,
          CKM_SHA384_HMAC,
          HashAlgorithm.SHA384,
          CKM_SHA512_HMAC,
          HashAlgorithm.SHA512);

  /**
   * The hash {@code value} names in {@code family}, or CKR_MECHANISM_PARAM_INVALID saying what was
   * expected.
   */
  public static HashAlgorithm of(Map<Long, HashAlgorithm> family, long value, String expected) {
    HashAlgorithm h = family.get(value);
    if (h == null) {
      throw new CkException(
          CKR_MECHANISM_PARAM_INVALID, "0x" + Long.toHexString(value) + " is not " + expected);
    }
    return h;
  }
}
