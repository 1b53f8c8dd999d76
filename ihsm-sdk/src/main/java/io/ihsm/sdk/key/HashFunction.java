package io.ihsm.sdk.key;

/** The hash functions parameters name. SHA-1 is for RSA-OAEP and legacy verification only. */
public enum HashFunction {
  SHA1(20),
  SHA256(32),
  SHA384(48),
  SHA512(64);

  private final int length;

  HashFunction(int length) {
    this.length = length;
  }

  /** The digest's length in bytes. */
  public int length() {
    return length;
  }
}
