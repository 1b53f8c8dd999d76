package io.ihsm.ddi.spi;

import java.util.Optional;

/** What the emulated card offers the firmware it runs. */
public interface DevicePlatform {
  /**
   * The card's physical noise source: {@code samples} raw 8-bit samples. The firmware runs them
   * through its health tests and conditions them through its DRBG; it never uses them directly.
   */
  byte[] noise(int samples);

  /** Fixed facts about the card, set at manufacture. */
  DeviceIdentity identity();

  /** What the boot ROM verified and measured of the running firmware. */
  FirmwareMeasurement measurement();

  /** Seconds between periodic self-test runs (one test each, round robin); 0 disables them. */
  int selfTestIntervalSeconds();

  /** The lowest firmware SVN the card boots. */
  int fusedSvn();

  /**
   * Verifies an image exactly as the boot ROM would and, when it passes, installs it as the image
   * to boot from; the caller then requests a power cycle.
   *
   * @return empty when installed, else the reason it was refused
   */
  Optional<String> installFirmware(byte[] image);

  /** Raises the fused SVN to the running firmware's SVN (never lowers it). */
  void commitSvn();

  /**
   * The card's non-volatile storage for the firmware; survives power cycles, unlike everything
   * else.
   */
  NonVolatileStore nonVolatileStore();

  /** The per-partition ports the device exposes (one socket each under the daemon). */
  VirtualFunctions virtualFunctions();

  /**
   * Asks the card to power-cycle the firmware once the current request's answer is ready (the
   * Crypto Officer's reset). Volatile state is lost; non-volatile state stays.
   */
  void requestPowerCycle();

  /**
   * Whether the host that owns the card's state asked, for this power-on, for the Crypto Officer
   * recovery: every partition and key is destroyed and the Crypto Officer removed, so a locked-out
   * or lost Crypto Officer can be replaced. Only a process holding the card's state (its files and
   * their lock) can ask; no request over a port can.
   */
  default boolean recoveryRequested() {
    return false;
  }
}
