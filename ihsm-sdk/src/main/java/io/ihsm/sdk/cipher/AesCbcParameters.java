package io.ihsm.sdk.cipher;

import java.util.Objects;

/**
 * AES-CBC, with PKCS#7 padding or on whole blocks. Encryption uses the IV given here or, without
 * one, an IV the device draws; decryption takes the IV from the {@link Ciphertext}.
 */
public final class AesCbcParameters implements CipherParameters {
  private final boolean padded;
  private final byte[] iv;

  private AesCbcParameters(boolean padded, byte[] iv) {
    this.padded = padded;
    this.iv = iv;
  }

  /**
   * @param padded PKCS#7 padding; false: the input must be whole 16-byte blocks
   */
  public static AesCbcParameters of(boolean padded) {
    return new AesCbcParameters(padded, new byte[0]);
  }

  /**
   * @throws IllegalArgumentException unless the IV is 16 bytes
   */
  public static AesCbcParameters of(boolean padded, byte[] iv) {
    Objects.requireNonNull(iv, "iv");
    if (iv.length != 16) {
      throw new IllegalArgumentException("a CBC IV is 16 bytes, got " + iv.length);
    }
    return new AesCbcParameters(padded, iv.clone());
  }

  public boolean padded() {
    return padded;
  }

  /** The caller's IV, or empty: the device chooses one. */
  public byte[] iv() {
    return iv.clone();
  }

  @Override
  public String toString() {
    return "AES-CBC(" + (padded ? "PKCS#7" : "no padding") + ")";
  }
}
