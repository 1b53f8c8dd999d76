package io.ihsm.pkcs11.mechanism;

import static io.ihsm.pkcs11.Ck.*;

import io.ihsm.pkcs11.CkException;
import io.ihsm.pkcs11.wire.MechanismSpec;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * CK_AES_CTR_PARAMS: how many low bits of the counter block count ({@code ulCounterBits}, 1 to 128)
 * and the initial counter block. The device increments the whole block as one 128-bit number, which
 * is the same keystream as long as the counting bits do not wrap; an input that would wrap them is
 * refused rather than enciphered under a repeated or differently counted block.
 */
record AesCtr(int counterBits, byte[] counterBlock) {
  /** The C struct as it lies in memory (LP64): an 8-byte little-endian CK_ULONG, then 16 bytes. */
  private static final int STRUCT_BYTES = 8 + 16;

  static AesCtr of(MechanismSpec m) {
    byte[] raw = m.parameter(MechanismSpec.Raw.class).bytes();
    if (raw.length != STRUCT_BYTES) {
      throw new CkException(CKR_MECHANISM_PARAM_INVALID, "CKM_AES_CTR takes a CK_AES_CTR_PARAMS");
    }
    long bits = ByteBuffer.wrap(raw, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (bits < 1 || bits > 128) {
      throw new CkException(
          CKR_MECHANISM_PARAM_INVALID,
          "ulCounterBits is 1 to 128, not " + Long.toUnsignedString(bits));
    }
    return new AesCtr((int) bits, Arrays.copyOfRange(raw, 8, STRUCT_BYTES));
  }

  /**
   * For CKM_AES_CTR, refuses (with {@code rv}) an input whose blocks would wrap the counting bits.
   */
  void requireRoom(int inputLength, long rv) {
    BigInteger counter = new BigInteger(1, counterBlock).mod(BigInteger.ONE.shiftLeft(counterBits));
    long blocks = (inputLength + 15L) / 16;
    BigInteger last = counter.add(BigInteger.valueOf(blocks)).subtract(BigInteger.ONE);
    if (blocks > 0 && last.bitLength() > counterBits) {
      throw new CkException(
          rv,
          "the input needs "
              + blocks
              + " counter values; the "
              + counterBits
              + "-bit counter would wrap");
    }
  }
}
