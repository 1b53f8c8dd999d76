package io.ihsm.firmware.update;

import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.spi.DevicePlatform;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Optional;

/**
 * A firmware update in progress: the Crypto Officer announces the size and SHA-384 of an image,
 * sends it in order, and finishes; the card then verifies it exactly as its boot ROM would,
 * installs it and reboots into it. One update at a time; a new begin abandons the previous one.
 */
public final class FirmwareUpdate {
  public static final int MAX_IMAGE_BYTES = 64 << 20;

  private final DevicePlatform platform;
  private ByteArrayOutputStream received;
  private int expectedSize;
  private byte[] expectedDigest;

  public FirmwareUpdate(DevicePlatform platform) {
    this.platform = platform;
  }

  public synchronized void begin(int size, byte[] sha384) throws DdiException {
    if (size <= 0 || size > MAX_IMAGE_BYTES || sha384.length != 48) {
      throw new DdiException(
          Status.INVALID_PARAMETER,
          "an update announces 1.." + MAX_IMAGE_BYTES + " bytes and their 48-byte SHA-384");
    }
    received = new ByteArrayOutputStream(size);
    expectedSize = size;
    expectedDigest = sha384.clone();
  }

  public synchronized void chunk(int offset, byte[] data) throws DdiException {
    if (received == null
        || offset != received.size()
        || received.size() + data.length > expectedSize
        || data.length == 0) {
      throw new DdiException(
          Status.FIRMWARE_UPDATE_SEQUENCE,
          "expected the piece at offset "
              + (received == null ? "none: no update begun" : received.size()));
    }
    received.writeBytes(data);
  }

  /** Verifies and installs; the caller then requests the power cycle that boots the new image. */
  public synchronized void finish() throws DdiException {
    if (received == null || received.size() != expectedSize) {
      throw new DdiException(Status.FIRMWARE_UPDATE_SEQUENCE, "the image is not complete");
    }
    byte[] image = received.toByteArray();
    received = null;
    if (!MessageDigest.isEqual(sha384(image), expectedDigest)) {
      throw new DdiException(
          Status.FIRMWARE_INVALID, "the image does not match its announced SHA-384");
    }
    Optional<String> refused = platform.installFirmware(image);
    if (refused.isPresent()) {
      throw new DdiException(Status.FIRMWARE_INVALID, refused.get());
    }
  }

  private static byte[] sha384(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-384").digest(b);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Drops a partial upload (power-off). */
  public synchronized void abandon() {
    received = null;
    if (expectedDigest != null) {
      Arrays.fill(expectedDigest, (byte) 0);
    }
  }
}
