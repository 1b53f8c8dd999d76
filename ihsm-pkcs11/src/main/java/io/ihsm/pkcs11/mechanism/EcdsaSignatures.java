package io.ihsm.pkcs11.mechanism;

import io.ihsm.pkcs11.Ck;
import io.ihsm.ddi.key.UnsignedBytes;
import io.ihsm.pkcs11.CkException;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.Arrays;

/**
 * PKCS#11 ECDSA signatures are r || s, each as long as the curve's order; the device speaks DER
 * (SEQUENCE of two INTEGERs). These convert between the two, strictly.
 */
final class EcdsaSignatures {
  private EcdsaSignatures() {}

  static byte[] derToRaw(byte[] der, int size) {
    try {
      int i = 0;
      if (der[i++] != 0x30) {
        throw new IllegalArgumentException();
      }
      int[] len = length(der, i);
      i = len[1];
      if (len[0] != der.length - i) {
        throw new IllegalArgumentException();
      }
      byte[] out = new byte[2 * size];
      for (int part = 0; part < 2; part++) {
        if (der[i++] != 0x02) {
          throw new IllegalArgumentException();
        }
        int[] l = length(der, i);
        i = l[1];
        byte[] v = UnsignedBytes.fixed(new BigInteger(1, Arrays.copyOfRange(der, i, i + l[0])), size);
        System.arraycopy(v, 0, out, part * size, size);
        i += l[0];
      }
      return out;
    } catch (RuntimeException e) {
      throw new CkException(Ck.CKR_DEVICE_ERROR, "the device's ECDSA signature is not DER");
    }
  }

  /** A caller's r || s as DER; a signature of the wrong length is CKR_SIGNATURE_LEN_RANGE. */
  static byte[] rawToDer(byte[] raw, int size) {
    if (raw.length != 2 * size) {
      throw new CkException(Ck.CKR_SIGNATURE_LEN_RANGE, "an ECDSA signature on this curve is " + 2 * size + " bytes");
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (int part = 0; part < 2; part++) {
      byte[] v = new BigInteger(1, Arrays.copyOfRange(raw, part * size, (part + 1) * size)).toByteArray();
      body.write(0x02);
      writeLength(body, v.length);
      body.writeBytes(v);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x30);
    writeLength(out, body.size());
    out.writeBytes(body.toByteArray());
    return out.toByteArray();
  }

  private static int[] length(byte[] b, int i) {
    int first = b[i++] & 0xff;
    if (first < 0x80) {
      return new int[] {first, i};
    }
    if (first != 0x81) {
      throw new IllegalArgumentException();
    }
    return new int[] {b[i] & 0xff, i + 1};
  }

  private static void writeLength(ByteArrayOutputStream out, int n) {
    if (n >= 0x80) {
      out.write(0x81);
    }
    out.write(n);
  }
}
