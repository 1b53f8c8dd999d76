package io.ihsm.ddi.key;

/** A key's one usage class; each names its pair of operations. Wire numbers (u8) are stable. */
public enum KeyUsage {
  /** sign and verify (ECDSA, RSA, HMAC) */
  SIGN(1, "sign"),
  /** encrypt and decrypt (AES modes, RSA-OAEP) */
  ENCRYPT(2, "encrypt"),
  /** wrap and unwrap other keys (AES-KW/KWP, RSA-OAEP + AES-KWP import) */
  WRAP(3, "wrap"),
  /** derive new keys (ECDH, HKDF, KBKDF) */
  DERIVE(4, "derive");

  private final int code;
  private final String textName;

  KeyUsage(int code, String textName) {
    this.code = code;
    this.textName = textName;
  }

  public int code() {
    return code;
  }

  /**
   * The stable text form ("ec-p256", "sign"), part of the formats: attestation claims, the host key
   * store's records and the device's reasons use it. Front ends parse their own spellings (the CLI
   * happens to use these; the SDK has {@code KeyType} and {@code KeyPurpose}).
   */
  public String textName() {
    return textName;
  }

  public static KeyUsage fromCode(int code) {
    for (KeyUsage u : values()) {
      if (u.code == code) {
        return u;
      }
    }
    return null;
  }

  public static KeyUsage fromTextName(String name) {
    for (KeyUsage u : values()) {
      if (u.textName.equals(name)) {
        return u;
      }
    }
    return null;
  }
}
