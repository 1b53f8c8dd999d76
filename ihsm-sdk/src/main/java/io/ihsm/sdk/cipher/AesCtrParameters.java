package io.ihsm.sdk.cipher;

import java.util.Objects;

/**
 * AES-CTR: a 16-byte initial counter block that rises as one 128-bit big-endian number. Encryption
 * uses the block given here or, without one, a block the device draws; never reuse a block under
 * one key. Decryption takes the block from the {@link Ciphertext}.
 */
public final class AesCtrParameters implements CipherParameters {
  private static final AesCtrParameters DEVICE_CHOOSES = new AesCtrParameters(new byte[0]);

  private final byte[] counterBlock;

  private AesCtrParameters(byte[] counterBlock) {
    this.counterBlock = counterBlock;
  }

  public static AesCtrParameters create() {
    return DEVICE_CHOOSES;
  }

  /**
   * @throws IllegalArgumentException unless the block is 16 bytes
   */
  public static AesCtrParameters withCounterBlock(byte[] counterBlock) {
    Objects.requireNonNull(counterBlock, "counterBlock");
    if (counterBlock.length != 16) {
      throw new IllegalArgumentException(
          "a CTR counter block is 16 bytes, got " + counterBlock.length);
    }
    return new AesCtrParameters(counterBlock.clone());
  }

  /** The caller's counter block, or empty: the device chooses one. */
  public byte[] counterBlock() {
    return counterBlock.clone();
  }

  @Override
  public String toString() {
    return "AES-CTR";
  }
}
