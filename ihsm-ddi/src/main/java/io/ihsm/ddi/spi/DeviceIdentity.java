package io.ihsm.ddi.spi;

import java.util.regex.Pattern;

/** The card's fixed identity, as the device reports it whether or not firmware is running. */
public record DeviceIdentity(String vendor, String model, String serialNumber) {
  private static final Pattern SERIAL = Pattern.compile("IHSM-[0-9A-F]{16}");

  /**
   * Whether {@code serial} has the one form a card's serial number takes, {@code IHSM-} and 16
   * upper-case hex digits. Hosts name files after serials: anything else (a path, "..") is refused.
   */
  public static boolean isValidSerial(String serial) {
    return serial != null && SERIAL.matcher(serial).matches();
  }
}
