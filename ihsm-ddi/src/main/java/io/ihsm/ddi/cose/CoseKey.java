package io.ihsm.ddi.cose;

import io.ihsm.ddi.cbor.CborException;
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
   * The AKP parameter sets: COSE alg, the OID of its SubjectPublicKeyInfo (FIPS 203/204 via NIST's
   * arc 2.16.840.1.101.3.4), and the raw public key's size.
   */
  private enum Akp {
    ML_DSA_44("ML-DSA-44", -48L, 0x03, 0x11, 1312),
    ML_DSA_65("ML-DSA-65", -49L, 0x03, 0x12, 1952),
    ML_DSA_87("ML-DSA-87", -50L, 0x03, 0x13, 2592),
    ML_KEM_512("ML-KEM-512", "ML-KEM-512", 0x04, 0x01, 800),
    ML_KEM_768("ML-KEM-768", "ML-KEM-768", 0x04, 0x02, 1184),
    ML_KEM_1024("ML-KEM-1024", "ML-KEM-1024", 0x04, 0x03, 1568);

    final String name;
    final Object alg;
    final byte[] oid;
    final int bytes;

    Akp(String name, Object alg, int arc, int last, int bytes) {
      this.name = name;
      this.alg = alg;
      this.oid =
          new byte[] {0x60, (byte) 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, (byte) arc, (byte) last};
      this.bytes = bytes;
    }

    /** SEQUENCE { SEQUENCE { OID }, BIT STRING { 0 unused bits, raw } }. */
    byte[] spki(byte[] raw) {
      int bitString = 1 + raw.length;
      int inner = 2 + 11 + 4 + bitString; // algorithm identifier, then the BIT STRING's header
      java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
      b.write(0x30);
      b.write(0x82);
      b.write(inner >> 8);
      b.write(inner);
      b.writeBytes(new byte[] {0x30, 0x0b, 0x06, 0x09});
      b.writeBytes(oid);
      b.write(0x03);
      b.write(0x82);
      b.write(bitString >> 8);
      b.write(bitString);
      b.write(0);
      b.writeBytes(raw);
      return b.toByteArray();
    }

    static Akp named(String name) {
      return Arrays.stream(values()).filter(a -> a.name.equals(name)).findFirst().orElse(null);
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
        byte[] spki = key.getEncoded();
        if (akp == null || spki.length < akp.bytes) {
          throw new IllegalArgumentException("no COSE_Key for a " + key.getAlgorithm() + " key");
        }
        yield Map.of(
            KTY,
            KTY_AKP,
            ALG,
            akp.alg,
            AKP_PUB,
            Arrays.copyOfRange(spki, spki.length - akp.bytes, spki.length));
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
        if (akp == null || !(map.get(AKP_PUB) instanceof byte[] pub) || pub.length != akp.bytes) {
          throw new CborException("the AKP COSE_Key is not ML-DSA or ML-KEM of its size");
        }
        return KeyFactory.getInstance(akp.name.startsWith("ML-DSA") ? "ML-DSA" : "ML-KEM")
            .generatePublic(new X509EncodedKeySpec(akp.spki(pub)));
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
