package io.ihsm.sdk.cipher;

import java.util.Arrays;
import java.util.Objects;

/**
 * What encryption gives: the IV (GCM, CBC), the counter block (CTR) or tweak (XTS) it used, empty
 * for ECB and RSA-OAEP; and the ciphertext (for GCM with its 16-byte tag at the end).
 */
public final class Ciphertext {
  private final byte[] iv;
  private final byte[] bytes;

  private Ciphertext(byte[] iv, byte[] bytes) {
    this.iv = iv;
    this.bytes = bytes;
  }

  /**
   * @param iv empty when the mode takes none
   */
  public static Ciphertext of(byte[] iv, byte[] bytes) {
    Objects.requireNonNull(iv, "iv");
    Objects.requireNonNull(bytes, "bytes");
    if (iv.length > 16) {
      throw new IllegalArgumentException(
          "an IV, counter block or tweak is at most 16 bytes, got " + iv.length);
    }
    return new Ciphertext(iv.clone(), bytes.clone());
  }

  public byte[] iv() {
    return iv.clone();
  }

  public byte[] bytes() {
    return bytes.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Ciphertext c && Arrays.equals(c.iv, iv) && Arrays.equals(c.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(iv) + Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "Ciphertext(" + iv.length + "-byte IV, " + bytes.length + " bytes)";
  }
}
