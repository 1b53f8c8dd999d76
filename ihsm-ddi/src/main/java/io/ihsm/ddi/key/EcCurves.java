package io.ihsm.ddi.key;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which of the device's curves a key is on, decided by all the domain parameters (field, a, b,
 * generator, order, cofactor), never by the field size alone: secp256k1 is a 256-bit curve too. And
 * whether a public point is valid on its curve (SP 800-56A §5.6.2.3.3: not the point at infinity,
 * coordinates in [0, p-1], on the curve; the NIST curves have cofactor 1, so the order check is
 * implied).
 */
public final class EcCurves {
  private EcCurves() {}

  /** The EC kind whose named curve has exactly these parameters, or empty for any other curve. */
  public static Optional<KeyKind> kindOf(ECParameterSpec params) {
    if (params == null) {
      return Optional.empty();
    }
    for (var curve : Named.SPECS.entrySet()) {
      if (same(params, curve.getValue())) {
        return Optional.of(curve.getKey());
      }
    }
    return Optional.empty();
  }

  /** The standard parameters of an EC kind's named curve. */
  public static ECParameterSpec named(KeyKind kind) {
    ECParameterSpec known = Named.SPECS.get(kind);
    return known != null ? known : lookUp(kind);
  }

  /**
   * The device's curves' parameters, looked up once (kindOf runs on every ECDH and JCA verify
   * init).
   */
  private static final class Named {
    static final Map<KeyKind, ECParameterSpec> SPECS = new EnumMap<>(KeyKind.class);

    static {
      for (KeyKind kind : new KeyKind[] {KeyKind.EC_P256, KeyKind.EC_P384, KeyKind.EC_P521}) {
        SPECS.put(kind, lookUp(kind));
      }
    }
  }

  private static ECParameterSpec lookUp(KeyKind kind) {
    try {
      AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
      p.init(new ECGenParameterSpec(kind.curve()));
      return p.getParameterSpec(ECParameterSpec.class);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks the curve " + kind.curve(), e);
    }
  }

  /** Whether {@code point} is a valid public point (not infinity, in range, on the curve). */
  public static boolean validPoint(ECPoint point, ECParameterSpec params) {
    if (point == null
        || point.equals(ECPoint.POINT_INFINITY)
        || !(params.getCurve().getField() instanceof ECFieldFp f)) {
      return false;
    }
    BigInteger p = f.getP();
    BigInteger x = point.getAffineX();
    BigInteger y = point.getAffineY();
    if (x.signum() < 0 || x.compareTo(p) >= 0 || y.signum() < 0 || y.compareTo(p) >= 0) {
      return false;
    }
    BigInteger lhs = y.multiply(y).mod(p);
    BigInteger rhs =
        x.pow(3).add(params.getCurve().getA().multiply(x)).add(params.getCurve().getB()).mod(p);
    return lhs.equals(rhs);
  }

  private static boolean same(ECParameterSpec a, ECParameterSpec b) {
    return a.getCurve().getField().equals(b.getCurve().getField())
        && a.getCurve().getA().equals(b.getCurve().getA())
        && a.getCurve().getB().equals(b.getCurve().getB())
        && a.getGenerator().equals(b.getGenerator())
        && a.getOrder().equals(b.getOrder())
        && a.getCofactor() == b.getCofactor();
  }
}
