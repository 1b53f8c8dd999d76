package io.ihsm.bench;

import java.util.Arrays;
import java.util.Locale;

/** What is measured: one operation each, the same on every path. */
public enum Workload {
  ECDSA_P256_SIGN("ecdsa-p256-sign"),
  ECDSA_P384_SIGN("ecdsa-p384-sign"),
  RSA2048_PSS_SIGN("rsa2048-pss-sign"),
  RSA3072_PSS_SIGN("rsa3072-pss-sign"),
  RSA2048_OAEP_DECRYPT("rsa2048-oaep-decrypt"),
  AES256_GCM_64("aes256-gcm-64"),
  AES256_GCM_4K("aes256-gcm-4k"),
  AES256_GCM_64K("aes256-gcm-64k"),
  HMAC_SHA256_64("hmac-sha256-64"),
  EC_P256_KEYGEN("ec-p256-keygen"),
  /** ML-DSA-65 (FIPS 204) signature of 32 bytes. */
  ML_DSA65_SIGN("ml-dsa65-sign"),
  /**
   * ML-KEM-768 (FIPS 203) decapsulation of one ciphertext into a 32-byte secret. Through ihsm the
   * secret becomes a session key in the device, which the operation also unloads (two calls).
   */
  ML_KEM768_DECAPS("ml-kem768-decaps"),
  UNMASK_KEY("unmask-key"),
  /**
   * Not a crypto operation: one request that does nothing (GET_API_REV), the fixed cost of a device
   * call.
   */
  ROUNDTRIP("roundtrip"),
  /**
   * AES-256-GCM of 4 KiB, {@value #BATCH} at a time: one batch call through ihsm (DDI BATCH), 32
   * calls elsewhere. ops/s counts operations; latency is that of the 32.
   */
  AES256_GCM_4K_BATCH("aes256-gcm-4k-batch"),
  /** HMAC-SHA256 of 64 bytes, {@value #BATCH} at a time, as {@link #AES256_GCM_4K_BATCH}. */
  HMAC_SHA256_64_BATCH("hmac-sha256-64-batch"),
  /**
   * C_Initialize then C_Finalize in a fresh process ({@code pkcs11-probe}), what every PKCS#11
   * application pays to start; timed by the probe, one process after another.
   */
  PKCS11_INIT("pkcs11-init"),
  /** One `ihsm sign` process, start to exit (wall time), one after another. */
  CLI_SIGN("cli-sign");

  /** How many operations a batch workload's call carries. */
  static final int BATCH = 32;

  private final String id;

  Workload(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  public static Workload fromId(String id) {
    return Arrays.stream(values())
        .filter(w -> w.id.equals(id.toLowerCase(Locale.ROOT)))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown workload "
                        + id
                        + "; known: "
                        + String.join(", ", Arrays.stream(values()).map(Workload::id).toList())));
  }

  /** How many operations one call of the workload is. */
  int operationsPerCall() {
    return this == AES256_GCM_4K_BATCH || this == HMAC_SHA256_64_BATCH ? BATCH : 1;
  }

  /** The workload a batch workload repeats; itself for the others. */
  Workload single() {
    return switch (this) {
      case AES256_GCM_4K_BATCH -> AES256_GCM_4K;
      case HMAC_SHA256_64_BATCH -> HMAC_SHA256_64;
      default -> this;
    };
  }

  /**
   * Whether each run is a process timed on its own, one after another (threads do not apply), not
   * an operation in the bench's threads.
   */
  boolean selfTimed() {
    return this == PKCS11_INIT || this == CLI_SIGN;
  }

  /** The message or plaintext size, for the workloads that take one. */
  int dataBytes() {
    return switch (this) {
      case AES256_GCM_64, HMAC_SHA256_64, HMAC_SHA256_64_BATCH -> 64;
      case AES256_GCM_4K, AES256_GCM_4K_BATCH -> 4096;
      case AES256_GCM_64K -> 65536;
      default -> 32;
    };
  }
}
