package io.ihsm.device;

import java.nio.file.Path;
import java.util.Optional;

/**
 * How to power on a device: where its persistent state lives and which firmware image to boot
 * (empty: the factory image that ships inside the device jar).
 */
public record DeviceConfig(Path stateDirectory, Optional<Path> firmwareImage) {
  public DeviceConfig {
    if (stateDirectory == null) {
      throw new IllegalArgumentException("a state directory is required");
    }
    firmwareImage = firmwareImage == null ? Optional.empty() : firmwareImage;
  }

  public static DeviceConfig of(Path stateDirectory) {
    return new DeviceConfig(stateDirectory, Optional.empty());
  }
}
