package io.ihsm.pkcs11.mechanism;

import io.ihsm.ddi.key.EcdsaEncoding;
import io.ihsm.pkcs11.Ck;
import io.ihsm.pkcs11.CkException;

/**
 * PKCS#11 ECDSA signatures are r || s, each as long as the curve's order; the device speaks DER.
 * The conversions ({@link EcdsaEncoding}) with PKCS#11's return values.
 */
final class EcdsaSignatures {
  private EcdsaSignatures() {}

  static byte[] derToRaw(byte[] der, int size) {
    try {
      return EcdsaEncoding.derToP1363(der, size);
    } catch (IllegalArgumentException e) {
      throw new CkException(Ck.CKR_DEVICE_ERROR, "the device's ECDSA signature is not DER");
    }
  }

  /** A caller's r || s as DER; a signature of the wrong length is CKR_SIGNATURE_LEN_RANGE. */
  static byte[] rawToDer(byte[] raw, int size) {
    try {
      return EcdsaEncoding.p1363ToDer(raw, size);
    } catch (IllegalArgumentException e) {
      throw new CkException(
          Ck.CKR_SIGNATURE_LEN_RANGE, "an ECDSA signature on this curve is " + 2 * size + " bytes");
    }
  }
}
