package io.ihsm.sdk.cipher;

import java.util.Objects;

/**
 * AES-XTS (SP 800-38E) for storage: the 16-byte tweak of the first data unit (little-endian, +1 per
 * unit) and the data unit size, a whole number of 16-byte blocks from 16 bytes to 16 MiB.
 */
public final class AesXtsParameters implements CipherParameters {
  public static final int MAX_DATA_UNIT = 1 << 24;

  private final byte[] tweak;
  private final int dataUnitSize;

  private AesXtsParameters(byte[] tweak, int dataUnitSize) {
    this.tweak = tweak;
    this.dataUnitSize = dataUnitSize;
  }

  /**
   * @throws IllegalArgumentException for a tweak that is not 16 bytes or a unit size out of range
   */
  public static AesXtsParameters of(byte[] tweak, int dataUnitSize) {
    Objects.requireNonNull(tweak, "tweak");
    if (tweak.length != 16) {
      throw new IllegalArgumentException("an XTS tweak is 16 bytes, got " + tweak.length);
    }
    if (dataUnitSize < 16 || dataUnitSize > MAX_DATA_UNIT || dataUnitSize % 16 != 0) {
      throw new IllegalArgumentException(
          "an XTS data unit is whole 16-byte blocks, 16 bytes to 16 MiB, got " + dataUnitSize);
    }
    return new AesXtsParameters(tweak.clone(), dataUnitSize);
  }

  public byte[] tweak() {
    return tweak.clone();
  }

  public int dataUnitSize() {
    return dataUnitSize;
  }

  @Override
  public String toString() {
    return "AES-XTS(unit " + dataUnitSize + ")";
  }
}
