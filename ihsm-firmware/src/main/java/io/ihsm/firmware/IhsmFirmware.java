package io.ihsm.firmware;

import io.ihsm.ddi.spi.DevicePlatform;
import io.ihsm.ddi.spi.FirmwareEntryPoint;
import io.ihsm.ddi.spi.FirmwareInstance;

/** The firmware's entry point, found by the boot ROM through META-INF/services. */
public final class IhsmFirmware implements FirmwareEntryPoint {
  @Override
  public FirmwareInstance boot(DevicePlatform platform) {
    return Firmware.powerOn(platform);
  }
}
