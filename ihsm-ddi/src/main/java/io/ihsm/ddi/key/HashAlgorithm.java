package io.ihsm.ddi.key;

/** Hash functions named in requests. Wire numbers (u8) are stable. */
public enum HashAlgorithm {
  NONE(0, null, 0),
  SHA1(1, "SHA-1", 20),
  SHA256(2, "SHA-256", 32),
  SHA384(3, "SHA-384", 48),
  SHA512(4, "SHA-512", 64);

  private final int code;
  private final String jcaName;
  private final int length;

  HashAlgorithm(int code, String jcaName, int length) {
    this.code = code;
    this.jcaName = jcaName;
    this.length = length;
  }

  public int code() {
    return code;
  }

  /** "SHA-256" and the like. */
  public String jcaName() {
    return jcaName;
  }

  /** "SHA256" and the like, as in "SHA256withECDSA". */
  public String compactName() {
    return jcaName == null ? "NONE" : jcaName.replace("-", "");
  }

  public int length() {
    return length;
  }

  public static HashAlgorithm fromCode(int code) {
    for (HashAlgorithm h : values()) {
      if (h.code == code) {
        return h;
      }
    }
    return null;
  }
}
