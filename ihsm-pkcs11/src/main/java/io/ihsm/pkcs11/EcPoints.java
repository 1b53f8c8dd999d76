package io.ihsm.pkcs11;

import io.ihsm.ddi.key.KeyKind;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;

/**
 * EC points as PKCS#11 passes them (raw uncompressed, or inside a DER OCTET STRING) into SPKI DER.
 */
final class EcPoints {
  private EcPoints() {}

  static byte[] spki(KeyKind kind, byte[] encoded) {
    int size = kind.bytes();
    byte[] point = unwrapOctetString(encoded, 1 + 2 * size);
    if (point == null || point[0] != 4) {
      throw new CkException(
          Ck.CKR_MECHANISM_PARAM_INVALID,
          "an EC point here is uncompressed (04 || X || Y) on "
              + kind.textName()
              + ", raw or in an OCTET STRING");
    }
    try {
      AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
      p.init(new ECGenParameterSpec(kind.curve()));
      ECPoint w =
          new ECPoint(
              new BigInteger(1, Arrays.copyOfRange(point, 1, 1 + size)),
              new BigInteger(1, Arrays.copyOfRange(point, 1 + size, 1 + 2 * size)));
      return KeyFactory.getInstance("EC")
          .generatePublic(new ECPublicKeySpec(w, p.getParameterSpec(ECParameterSpec.class)))
          .getEncoded();
    } catch (GeneralSecurityException e) {
      throw new CkException(
          Ck.CKR_MECHANISM_PARAM_INVALID, "the EC point is not on " + kind.textName());
    }
  }

  private static byte[] unwrapOctetString(byte[] b, int pointLength) {
    if (b == null) {
      return null;
    }
    if (b.length == pointLength) {
      return b;
    }
    int header = pointLength < 128 ? 2 : 3;
    if (b.length == header + pointLength && b[0] == 4) {
      return Arrays.copyOfRange(b, header, b.length);
    }
    return null;
  }
}
