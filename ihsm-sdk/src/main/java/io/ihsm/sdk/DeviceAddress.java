package io.ihsm.sdk;

import java.nio.file.Path;

/**
 * Where the device is: a daemon's socket directory, or an embedded device kept under a home
 * directory.
 */
public sealed interface DeviceAddress {
  /**
   * A daemon (`ihsm daemon`) serving its sockets in {@code socketDirectory}: the isolated
   * deployment.
   */
  record Daemon(Path socketDirectory) implements DeviceAddress {}

  /**
   * The device running inside this process, its state under {@code home}/device. For development
   * and tests: the firmware shares this process's memory, so it is not an isolation boundary.
   */
  record Embedded(Path home) implements DeviceAddress {
    public Path stateDirectory() {
      return home.resolve("device");
    }
  }

  static DeviceAddress daemon(Path socketDirectory) {
    return new Daemon(socketDirectory);
  }

  static DeviceAddress embedded(Path home) {
    return new Embedded(home);
  }
}
