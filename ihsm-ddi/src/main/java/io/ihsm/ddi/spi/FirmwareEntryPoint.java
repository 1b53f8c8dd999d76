package io.ihsm.ddi.spi;

/**
 * The one door between the device and the firmware. The boot ROM loads the firmware image from
 * bytes into its own class loader, finds this service in it (META-INF/services) and boots it. The
 * device never names a firmware class; it only knows this interface.
 */
public interface FirmwareEntryPoint {
  /**
   * Runs the firmware's power-on sequence (self-tests included) and returns the running instance.
   * Failures inside the firmware put it in ERROR; they do not throw.
   */
  FirmwareInstance boot(DevicePlatform platform);
}
