package io.ihsm.device;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How to power on a device: where its persistent state lives, which firmware image to boot (empty:
 * an installed update, else the factory image inside the device jar), and how often the firmware
 * re-runs a self-test (seconds; 0 never); and whether this power-on performs the Crypto Officer
 * recovery (every partition and key destroyed, the Crypto Officer removed), which only the owner of
 * the state directory can ask for; and how long to wait for the state directory while another
 * device holds it (zero: fail at once, as a daemon does; commands on one home wait for each other).
 */
public record DeviceConfig(
    Path stateDirectory,
    Optional<Path> firmwareImage,
    int selfTestIntervalSeconds,
    boolean recovery,
    Duration lockWait) {
  /** The reference firmware's cadence: one self-test a minute, round robin. */
  public static final int DEFAULT_SELF_TEST_INTERVAL = 60;

  public DeviceConfig {
    if (stateDirectory == null) {
      throw new IllegalArgumentException("a state directory is required");
    }
    if (selfTestIntervalSeconds < 0) {
      throw new IllegalArgumentException("the self-test interval cannot be negative");
    }
    firmwareImage = firmwareImage == null ? Optional.empty() : firmwareImage;
    lockWait = lockWait == null || lockWait.isNegative() ? Duration.ZERO : lockWait;
  }

  public DeviceConfig(
      Path stateDirectory,
      Optional<Path> firmwareImage,
      int selfTestIntervalSeconds,
      boolean recovery) {
    this(stateDirectory, firmwareImage, selfTestIntervalSeconds, recovery, Duration.ZERO);
  }

  public DeviceConfig(
      Path stateDirectory, Optional<Path> firmwareImage, int selfTestIntervalSeconds) {
    this(stateDirectory, firmwareImage, selfTestIntervalSeconds, false);
  }

  public DeviceConfig(Path stateDirectory, Optional<Path> firmwareImage) {
    this(stateDirectory, firmwareImage, DEFAULT_SELF_TEST_INTERVAL);
  }

  /** This configuration, asking the first power-on for the Crypto Officer recovery. */
  public DeviceConfig withRecovery() {
    return new DeviceConfig(stateDirectory, firmwareImage, selfTestIntervalSeconds, true, lockWait);
  }

  /** This configuration, waiting up to {@code wait} for a state directory another device holds. */
  public DeviceConfig withLockWait(Duration wait) {
    return new DeviceConfig(stateDirectory, firmwareImage, selfTestIntervalSeconds, recovery, wait);
  }

  public static DeviceConfig of(Path stateDirectory) {
    return new DeviceConfig(stateDirectory, Optional.empty());
  }
}
