package io.ihsm.ddi.cose;

import io.ihsm.ddi.cbor.CborException;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.PostQuantumKeys;
import io.ihsm.ddi.key.UnsignedBytes;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Map;

/**
 * Public keys as COSE_Key maps: EC2 (RFC 9053 section 7.1: kty 2, crv 1/2/3 for P-256/P-384/P-521,
 * x and y left-padded to the field size), RSA (RFC 8230: kty 3, n and e unsigned big-endian), and
 * AKP (RFC 9964: kty 7, alg, pub the raw public key) for ML-DSA (alg -48, -49, -50) and, with the
 * parameter set's name as a text alg, ML-KEM, which has no registered COSE algorithm yet.
 */
public final class CoseKey {
  public static final long KTY = 1, KTY_EC2 = 2, KTY_RSA = 3;
  public static final long EC_CRV = -1, EC_X = -2, EC_Y = -3;
  public static final long RSA_N = -1, RSA_E = -2;
  public static final long KTY_AKP = 7, ALG = 3, AKP_PUB = -1;

  /**
   * The AKP parameter sets and their COSE alg; ML-KEM, with no COSE algorithm registered yet, names
   * its parameter set as a text alg.
   */
  private enum Akp {
    ML_DSA_44(KeyKind.ML_DSA_44, -48L),
    ML_DSA_65(KeyKind.ML_DSA_65, -49L),
    ML_DSA_87(KeyKind.ML_DSA_87, -50L),
    ML_KEM_512(KeyKind.ML_KEM_512, "ML-KEM-512"),
    ML_KEM_768(KeyKind.ML_KEM_768, "ML-KEM-768"),
    ML_KEM_1024(KeyKind.ML_KEM_1024, "ML-KEM-1024");

    final KeyKind kind;
    final Object alg;

    Akp(KeyKind kind, Object alg) {
      this.kind = kind;
      this.alg = alg;
    }

    static Akp named(String name) {
      return Arrays.stream(values())
          .filter(a -> a.kind.parameterSet().equals(name))
          .findFirst()
          .orElse(null);
    }

    static Akp of(Object alg) {
      return Arrays.stream(values()).filter(a -> a.alg.equals(alg)).findFirst().orElse(null);
    }
  }

  private CoseKey() {}

  public static Map<Long, Object> of(PublicKey key) {
    return switch (key) {
      case ECPublicKey ec -> {
        Curve c = Curve.of(ec.getParams().getCurve().getField().getFieldSize());
        yield Map.of(
            KTY,
            KTY_EC2,
            EC_CRV,
            c.crv,
            EC_X,
            UnsignedBytes.fixed(ec.getW().getAffineX(), c.bytes),
            EC_Y,
            UnsignedBytes.fixed(ec.getW().getAffineY(), c.bytes));
      }
      case RSAPublicKey rsa ->
          Map.of(
              KTY,
              KTY_RSA,
              RSA_N,
              UnsignedBytes.of(rsa.getModulus()),
              RSA_E,
              UnsignedBytes.of(rsa.getPublicExponent()));
      default -> {
        Akp akp =
            key.getParams() instanceof java.security.spec.NamedParameterSpec n
                ? Akp.named(n.getName())
                : null;
        if (akp == null) {
          throw new IllegalArgumentException("no COSE_Key for a " + key.getAlgorithm() + " key");
        }
        yield Map.of(
            KTY, KTY_AKP, ALG, akp.alg, AKP_PUB, PostQuantumKeys.raw(akp.kind, key.getEncoded()));
      }
    };
  }

  /** The JCA public key a COSE_Key map describes; a malformed or unsupported map is refused. */
  public static PublicKey toPublicKey(Map<?, ?> map) {
    try {
      if (Long.valueOf(KTY_EC2).equals(map.get(KTY)) && map.size() == 4) {
        Curve c = Curve.fromCrv(map.get(EC_CRV));
        if (!(map.get(EC_X) instanceof byte[] x && x.length == c.bytes)
            || !(map.get(EC_Y) instanceof byte[] y && y.length == c.bytes)) {
          throw new CborException("COSE_Key x and y must be " + c.bytes + " bytes each");
        }
        AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
        p.init(new ECGenParameterSpec(c.jcaName));
        ECParameterSpec params = p.getParameterSpec(ECParameterSpec.class);
        ECPoint w = new ECPoint(new BigInteger(1, x), new BigInteger(1, y));
        if (!onCurve(w, params)) {
          throw new CborException("the COSE_Key point is not on its curve");
        }
        return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, params));
      }
      if (Long.valueOf(KTY_RSA).equals(map.get(KTY))
          && map.size() == 3
          && map.get(RSA_N) instanceof byte[] n
          && map.get(RSA_E) instanceof byte[] e) {
        return KeyFactory.getInstance("RSA")
            .generatePublic(new RSAPublicKeySpec(new BigInteger(1, n), new BigInteger(1, e)));
      }
      if (Long.valueOf(KTY_AKP).equals(map.get(KTY)) && map.size() == 3) {
        Akp akp = Akp.of(map.get(ALG));
        if (akp == null
            || !(map.get(AKP_PUB) instanceof byte[] pub)
            || pub.length != akp.kind.bytes()) {
          throw new CborException("the AKP COSE_Key is not ML-DSA or ML-KEM of its size");
        }
        return KeyFactory.getInstance(akp.kind.keyAlgorithm())
            .generatePublic(new X509EncodedKeySpec(PostQuantumKeys.spki(akp.kind, pub)));
      }
    } catch (GeneralSecurityException e) {
      throw new CborException("the COSE_Key is not a valid public key");
    }
    throw new CborException(
        "the COSE_Key is neither EC2 (kty 2, crv, x, y), RSA (kty 3, n, e) nor AKP (kty 7, alg, pub)");
  }

  /**
   * y^2 = x^3 + ax + b (mod p), with both coordinates below p: the JDK's key factory does not check
   * it.
   */
  private static boolean onCurve(ECPoint w, ECParameterSpec params) {
    BigInteger p = ((ECFieldFp) params.getCurve().getField()).getP();
    BigInteger x = w.getAffineX();
    BigInteger y = w.getAffineY();
    if (x.compareTo(p) >= 0 || y.compareTo(p) >= 0) {
      return false;
    }
    BigInteger rhs =
        x.pow(3).add(params.getCurve().getA().multiply(x)).add(params.getCurve().getB()).mod(p);
    return y.pow(2).mod(p).equals(rhs);
  }

  private enum Curve {
    P256(1, 32, "secp256r1"),
    P384(2, 48, "secp384r1"),
    P521(3, 66, "secp521r1");

    final long crv;
    final int bytes;
    final String jcaName;

    Curve(long crv, int bytes, String jcaName) {
      this.crv = crv;
      this.bytes = bytes;
      this.jcaName = jcaName;
    }

    static Curve of(int fieldBits) {
      return Arrays.stream(values())
          .filter(c -> c.bytes == (fieldBits + 7) / 8)
          .findFirst()
          .orElseThrow(
              () -> new IllegalArgumentException("no COSE curve of " + fieldBits + " bits"));
    }

    static Curve fromCrv(Object crv) {
      return Arrays.stream(values())
          .filter(c -> Long.valueOf(c.crv).equals(crv))
          .findFirst()
          .orElseThrow(
              () -> new CborException("COSE_Key curve " + crv + " is not P-256, P-384 or P-521"));
    }
  }
}
