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
  RSA_4096
}
