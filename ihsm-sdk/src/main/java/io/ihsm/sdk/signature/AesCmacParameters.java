package io.ihsm.sdk.signature;

/**
 * AES-CMAC (SP 800-38B) with an AES key for SIGN: a 16-byte tag; verification takes one truncated
 * to 8 bytes or more.
 */
public final class AesCmacParameters implements SignatureParameters {
  private static final AesCmacParameters INSTANCE = new AesCmacParameters();

  private AesCmacParameters() {}

  public static AesCmacParameters create() {
    return INSTANCE;
  }

  @Override
  public String toString() {
    return "AES-CMAC";
  }
}
