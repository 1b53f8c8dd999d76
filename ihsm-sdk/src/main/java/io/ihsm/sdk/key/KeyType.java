package io.ihsm.sdk.key;

/** What a partition key is: its algorithm family and size. */
public enum KeyType {
  AES_128,
  AES_192,
  AES_256,
  /** AES-256-XTS: two AES-256 keys for disk encryption. */
  AES_XTS_256,
  HMAC_SHA256,
  HMAC_SHA384,
  HMAC_SHA512,
  EC_P256,
  EC_P384,
  EC_P521,
  RSA_2048,
  RSA_3072,
  RSA_4096,
  /** ML-DSA (FIPS 204): post-quantum signatures, with {@code MlDsaParameters}. */
  ML_DSA_44,
  ML_DSA_65,
  ML_DSA_87,
  /**
   * ML-KEM (FIPS 203): post-quantum key encapsulation; {@code PartitionClient.decapsulate} makes
   * the shared secret a key inside the device.
   */
  ML_KEM_512,
  ML_KEM_768,
  ML_KEM_1024
}
