package io.ihsm.sdk.cipher;

import java.util.Objects;

/**
 * AES-GCM with a 128-bit tag and optional additional authenticated data. The device chooses the
 * 96-bit IV of every encryption (a caller's IV risks reuse, SP 800-38D); decryption takes the IV
 * from the {@link Ciphertext}.
 */
public final class AesGcmParameters implements CipherParameters {
  public static final int MAX_AAD = 4096;
  private static final AesGcmParameters NO_AAD = new AesGcmParameters(new byte[0]);

  private final byte[] aad;

  private AesGcmParameters(byte[] aad) {
    this.aad = aad;
  }

  public static AesGcmParameters create() {
    return NO_AAD;
  }

  /**
   * @throws IllegalArgumentException when the AAD is longer than {@value #MAX_AAD} bytes
   */
  public static AesGcmParameters withAad(byte[] aad) {
    Objects.requireNonNull(aad, "aad");
    if (aad.length > MAX_AAD) {
      throw new IllegalArgumentException(
          "GCM additional data is at most " + MAX_AAD + " bytes, got " + aad.length);
    }
    return new AesGcmParameters(aad.clone());
  }

  public byte[] aad() {
    return aad.clone();
  }

  @Override
  public String toString() {
    return "AES-GCM(" + aad.length + "-byte AAD)";
  }
}
