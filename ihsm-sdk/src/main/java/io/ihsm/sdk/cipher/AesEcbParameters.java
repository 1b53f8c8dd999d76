package io.ihsm.sdk.cipher;

/**
 * AES-ECB on whole 16-byte blocks, each alone: for key check values and building blocks, not for
 * data.
 */
public final class AesEcbParameters implements CipherParameters {
  private static final AesEcbParameters INSTANCE = new AesEcbParameters();

  private AesEcbParameters() {}

  public static AesEcbParameters create() {
    return INSTANCE;
  }

  @Override
  public String toString() {
    return "AES-ECB";
  }
}
