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
  UNMASK_KEY("unmask-key"),
  /**
   * Not a crypto operation: one request that does nothing (GET_API_REV), the fixed cost of a device
   * call.
   */
  ROUNDTRIP("roundtrip");

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

  /** The message or plaintext size, for the workloads that take one. */
  int dataBytes() {
    return switch (this) {
      case AES256_GCM_64, HMAC_SHA256_64 -> 64;
      case AES256_GCM_4K -> 4096;
      case AES256_GCM_64K -> 65536;
      default -> 32;
    };
  }
}
