package io.ihsm.sdk.key;

/** The one thing a partition key is for; the device refuses it everything else. */
public enum KeyPurpose {
  /** Sign and verify: ECDSA, RSA, HMAC, AES-CMAC. */
  SIGN,
  /** Encrypt and decrypt: AES modes, RSA-OAEP. */
  ENCRYPT,
  /** Wrap and unwrap other keys. */
  WRAP,
  /** Derive keys: ECDH, HKDF, KBKDF. */
  DERIVE
}
