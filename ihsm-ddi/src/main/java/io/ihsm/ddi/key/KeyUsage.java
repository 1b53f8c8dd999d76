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
  private final String cliName;

  KeyUsage(int code, String cliName) {
    this.code = code;
    this.cliName = cliName;
  }

  public int code() {
    return code;
  }

  public String cliName() {
    return cliName;
  }

  public static KeyUsage fromCode(int code) {
    for (KeyUsage u : values()) {
      if (u.code == code) {
        return u;
      }
    }
    return null;
  }

  public static KeyUsage fromCliName(String name) {
    for (KeyUsage u : values()) {
      if (u.cliName.equals(name)) {
        return u;
      }
    }
    return null;
  }
}
