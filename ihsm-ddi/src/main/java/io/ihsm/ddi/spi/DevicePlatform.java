package io.ihsm.ddi.spi;

/** What the emulated card offers the firmware it runs. */
public interface DevicePlatform {
  /** Fixed facts about the card, set at manufacture. */
  DeviceIdentity identity();

  /** What the boot ROM verified and measured of the running firmware. */
  FirmwareMeasurement measurement();

  /** The card's non-volatile storage for the firmware; survives power cycles, unlike everything else. */
  NonVolatileStore nonVolatileStore();

  /** The per-partition ports the device exposes (one socket each under the daemon). */
  VirtualFunctions virtualFunctions();

  /**
   * Asks the card to power-cycle the firmware once the current request's answer is ready (the
   * Crypto Officer's reset). Volatile state is lost; non-volatile state stays.
   */
  void requestPowerCycle();
}
