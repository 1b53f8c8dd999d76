package io.ihsm.ddi.key;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * ML-DSA and ML-KEM public keys between their two standard forms: the encoded key of FIPS 203/204
 * (a COSE AKP key's {@code pub}, PKCS#11's {@code CKA_VALUE}) and its SubjectPublicKeyInfo, whose
 * algorithm is the parameter set's NIST OID (2.16.840.1.101.3.4.3.17-19 for ML-DSA,
 * 2.16.840.1.101.3.4.4.1-3 for ML-KEM) with no parameters and whose BIT STRING is the key.
 */
public final class PostQuantumKeys {
  private PostQuantumKeys() {}

  /** SEQUENCE { SEQUENCE { OID }, BIT STRING { 0 unused bits, raw } }. */
  public static byte[] spki(KeyKind kind, byte[] raw) {
    if (raw == null || raw.length != kind.bytes()) {
      throw new IllegalArgumentException(
          "a " + kind.textName() + " public key is " + kind.bytes() + " bytes");
    }
    int arc =
        switch (kind) {
          case ML_DSA_44 -> 0x0311;
          case ML_DSA_65 -> 0x0312;
          case ML_DSA_87 -> 0x0313;
          case ML_KEM_512 -> 0x0401;
          case ML_KEM_768 -> 0x0402;
          case ML_KEM_1024 -> 0x0403;
          default -> throw new IllegalArgumentException(kind + " is not ML-DSA or ML-KEM");
        };
    int bitString = 1 + raw.length;
    int inner = 2 + 11 + 4 + bitString; // the algorithm identifier, then the BIT STRING's header
    ByteArrayOutputStream b = new ByteArrayOutputStream(4 + inner);
    b.writeBytes(new byte[] {0x30, (byte) 0x82, (byte) (inner >> 8), (byte) inner});
    b.writeBytes(new byte[] {0x30, 0x0b, 0x06, 0x09, 0x60, (byte) 0x86, 0x48, 0x01, 0x65, 0x03});
    b.writeBytes(new byte[] {0x04, (byte) (arc >> 8), (byte) arc});
    b.writeBytes(new byte[] {0x03, (byte) 0x82, (byte) (bitString >> 8), (byte) bitString, 0x00});
    b.writeBytes(raw);
    return b.toByteArray();
  }

  /** The encoded key an SPKI of this kind ends with (fixed sizes, no unused bits). */
  public static byte[] raw(KeyKind kind, byte[] spki) {
    if (spki == null || spki.length <= kind.bytes()) {
      throw new IllegalArgumentException("not a " + kind.textName() + " public key");
    }
    return Arrays.copyOfRange(spki, spki.length - kind.bytes(), spki.length);
  }
}
