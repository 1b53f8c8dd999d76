package io.ihsm.sdk.signature;

/**
 * ML-DSA (FIPS 204), pure: the message itself is signed, with an empty context; the device hedges
 * each signature with its own randomness. The key's type decides the parameter set (ML-DSA-44, -65
 * or -87). The JDK's {@code Signature.getInstance("ML-DSA")} verifies what it signs.
 */
public final class MlDsaParameters implements SignatureParameters {
  private static final MlDsaParameters PURE = new MlDsaParameters();

  private MlDsaParameters() {}

  public static MlDsaParameters create() {
    return PURE;
  }

  @Override
  public String toString() {
    return "ML-DSA";
  }
}
