package io.ihsm.pkcs11.mechanism;

import static io.ihsm.pkcs11.Ck.*;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The mechanisms the module offers, with what C_GetMechanismInfo says of each: key sizes (bits for
 * RSA and EC, bytes for AES, HMAC and generic secrets) and flags. All are served by the device
 * except the digests, which are not keyed and run in the bridge.
 */
public final class Mechanisms {
  private Mechanisms() {}

  public record Info(long minKeySize, long maxKeySize, long flags) {}

  private static final long EC_FLAGS = CKF_HW | CKF_EC_F_P | CKF_EC_NAMEDCURVE | CKF_EC_UNCOMPRESS;
  private static final Map<Long, Info> TABLE = new LinkedHashMap<>();

  static {
    put(CKM_RSA_PKCS_KEY_PAIR_GEN, 2048, 4096, CKF_HW | CKF_GENERATE_KEY_PAIR);
    put(CKM_RSA_PKCS, 2048, 4096, CKF_HW | CKF_SIGN | CKF_VERIFY);
    for (long m :
        new long[] {
          CKM_SHA256_RSA_PKCS,
          CKM_SHA384_RSA_PKCS,
          CKM_SHA512_RSA_PKCS,
          CKM_RSA_PKCS_PSS,
          CKM_SHA256_RSA_PKCS_PSS,
          CKM_SHA384_RSA_PKCS_PSS,
          CKM_SHA512_RSA_PKCS_PSS
        }) {
      put(m, 2048, 4096, CKF_HW | CKF_SIGN | CKF_VERIFY);
    }
    put(CKM_RSA_PKCS_OAEP, 2048, 4096, CKF_HW | CKF_ENCRYPT | CKF_DECRYPT);
    put(CKM_RSA_AES_KEY_WRAP, 2048, 4096, CKF_HW | CKF_WRAP | CKF_UNWRAP);
    put(CKM_EC_KEY_PAIR_GEN, 256, 521, EC_FLAGS | CKF_GENERATE_KEY_PAIR);
    for (long m :
        new long[] {
          CKM_ECDSA, CKM_ECDSA_SHA1, CKM_ECDSA_SHA256, CKM_ECDSA_SHA384, CKM_ECDSA_SHA512
        }) {
      put(m, 256, 521, EC_FLAGS | CKF_SIGN | CKF_VERIFY);
    }
    put(CKM_ECDH1_DERIVE, 256, 521, EC_FLAGS | CKF_DERIVE);
    put(CKM_AES_KEY_GEN, 16, 32, CKF_HW | CKF_GENERATE);
    put(CKM_AES_CBC, 16, 32, CKF_HW | CKF_ENCRYPT | CKF_DECRYPT);
    put(CKM_AES_CBC_PAD, 16, 32, CKF_HW | CKF_ENCRYPT | CKF_DECRYPT);
    put(CKM_AES_GCM, 16, 32, CKF_HW | CKF_ENCRYPT | CKF_DECRYPT);
    put(CKM_AES_CTR, 16, 32, CKF_HW | CKF_ENCRYPT | CKF_DECRYPT);
    put(CKM_AES_ECB, 16, 32, CKF_HW | CKF_ENCRYPT | CKF_DECRYPT);
    put(CKM_AES_CMAC, 16, 32, CKF_HW | CKF_SIGN | CKF_VERIFY);
    put(CKM_AES_CMAC_GENERAL, 16, 32, CKF_HW | CKF_SIGN | CKF_VERIFY);
    put(CKM_AES_KEY_WRAP, 16, 32, CKF_HW | CKF_WRAP | CKF_UNWRAP);
    put(CKM_AES_KEY_WRAP_KWP, 16, 32, CKF_HW | CKF_WRAP | CKF_UNWRAP);
    put(CKM_GENERIC_SECRET_KEY_GEN, 14, 128, CKF_HW | CKF_GENERATE);
    put(CKM_SHA256_HMAC, 14, 128, CKF_HW | CKF_SIGN | CKF_VERIFY);
    put(CKM_SHA384_HMAC, 14, 128, CKF_HW | CKF_SIGN | CKF_VERIFY);
    put(CKM_SHA512_HMAC, 14, 128, CKF_HW | CKF_SIGN | CKF_VERIFY);
    put(CKM_HKDF_DERIVE, 1, 8192, CKF_HW | CKF_DERIVE);
    put(CKM_SP800_108_COUNTER_KDF, 1, 8192, CKF_HW | CKF_DERIVE);
    // PKCS#11 3.2. Key sizes here are the parameter sets (CKP_*): 44, 65, 87 and 512, 768, 1024.
    // ML-KEM encapsulation needs only the public key and runs in the bridge; decapsulation runs in
    // the device.
    put(CKM_ML_DSA_KEY_PAIR_GEN, 1, 3, CKF_HW | CKF_GENERATE_KEY_PAIR);
    put(CKM_ML_DSA, 1, 3, CKF_HW | CKF_SIGN | CKF_VERIFY);
    put(CKM_ML_KEM_KEY_PAIR_GEN, 1, 3, CKF_HW | CKF_GENERATE_KEY_PAIR);
    put(CKM_ML_KEM, 1, 3, CKF_HW | CKF_ENCAPSULATE | CKF_DECAPSULATE);
    put(CKM_SHA256, 0, 0, CKF_DIGEST);
    put(CKM_SHA384, 0, 0, CKF_DIGEST);
    put(CKM_SHA512, 0, 0, CKF_DIGEST);
  }

  private static void put(long type, long min, long max, long flags) {
    TABLE.put(type, new Info(min, max, flags));
  }

  /** Mechanisms approved-only mode refuses outright: signing with SHA-1 (SP 800-131A). */
  private static final Set<Long> NOT_APPROVED = Set.of(CKM_ECDSA_SHA1);

  public static long[] types() {
    return TABLE.keySet().stream().mapToLong(Long::longValue).toArray();
  }

  /** The mechanisms offered in approved-only mode, so tools pick one that works. */
  public static long[] approvedTypes() {
    return TABLE.keySet().stream()
        .filter(t -> !NOT_APPROVED.contains(t))
        .mapToLong(Long::longValue)
        .toArray();
  }

  /** The mechanism's info, or null when the module does not offer it. */
  public static Info info(long type) {
    return TABLE.get(type);
  }

  public static boolean offers(long type, long flag) {
    Info i = TABLE.get(type);
    return i != null && (i.flags() & flag) != 0;
  }
}
