package io.ihsm.sdk.signature;

/** HMAC with the hash of the key's type (HMAC_SHA256 keys use SHA-256, and so on). */
public final class HmacParameters implements SignatureParameters {
  private static final HmacParameters INSTANCE = new HmacParameters();

  private HmacParameters() {}

  public static HmacParameters create() {
    return INSTANCE;
  }

  @Override
  public String toString() {
    return "HMAC";
  }
}
