package io.ihsm.ddi.key;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.Arrays;

/**
 * The two encodings of an ECDSA signature: DER (a SEQUENCE of two INTEGERs, what the device speaks)
 * and IEEE P1363 (r || s, each as long as the curve's order: PKCS#11's CKM_ECDSA, JOSE, WebAuthn).
 * Conversions are strict: anything else is refused.
 */
public final class EcdsaEncoding {
  private EcdsaEncoding() {}

  /**
   * r || s of {@code size} bytes each, from DER.
   *
   * @throws IllegalArgumentException when {@code der} is not a DER ECDSA signature with values that
   *     fit
   */
  public static byte[] derToP1363(byte[] der, int size) {
    try {
      int i = 0;
      if (der[i++] != 0x30) {
        throw new IllegalArgumentException("not a DER SEQUENCE");
      }
      int[] len = length(der, i);
      i = len[1];
      if (len[0] != der.length - i) {
        throw new IllegalArgumentException("the SEQUENCE length does not match");
      }
      byte[] out = new byte[2 * size];
      for (int part = 0; part < 2; part++) {
        if (der[i++] != 0x02) {
          throw new IllegalArgumentException("not a DER INTEGER");
        }
        int[] l = length(der, i);
        i = l[1];
        byte[] v =
            UnsignedBytes.fixed(new BigInteger(1, Arrays.copyOfRange(der, i, i + l[0])), size);
        System.arraycopy(v, 0, out, part * size, size);
        i += l[0];
      }
      if (i != der.length) {
        throw new IllegalArgumentException("bytes after the two INTEGERs");
      }
      return out;
    } catch (ArrayIndexOutOfBoundsException e) {
      throw new IllegalArgumentException("a cut DER signature", e);
    }
  }

  /**
   * DER from r || s.
   *
   * @throws IllegalArgumentException when {@code raw} is not exactly {@code 2 * size} bytes
   */
  public static byte[] p1363ToDer(byte[] raw, int size) {
    if (raw.length != 2 * size) {
      throw new IllegalArgumentException(
          "an ECDSA signature on this curve is "
              + 2 * size
              + " bytes in P1363 form, got "
              + raw.length);
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (int part = 0; part < 2; part++) {
      byte[] v =
          new BigInteger(1, Arrays.copyOfRange(raw, part * size, (part + 1) * size)).toByteArray();
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
      throw new IllegalArgumentException("a DER length beyond what ECDSA needs");
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
