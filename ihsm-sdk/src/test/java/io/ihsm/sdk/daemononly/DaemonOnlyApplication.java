package io.ihsm.sdk.daemononly;

import io.ihsm.sdk.DeviceAddress;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.IhsmException;
import java.nio.file.Path;

/**
 * Run in a JVM of its own by {@link NoEmulatorOnTheClassPathTest} with only the SDK, the host
 * module and the protocol on its class path: it talks to a daemon, and says what it finds.
 */
public final class DaemonOnlyApplication {
  private DaemonOnlyApplication() {}

  public static void main(String[] args) {
    try {
      Class.forName("io.ihsm.device.Device");
      System.out.println("emulator on the class path");
    } catch (ClassNotFoundException expected) {
      System.out.println("no emulator on the class path");
    }
    try (IhsmClient hsm = IhsmClient.connect(DeviceAddress.daemon(Path.of(args[0])))) {
      System.out.println("daemon state " + hsm.deviceStatus().state());
    }
    try (IhsmClient embedded = IhsmClient.connect(DeviceAddress.embedded(Path.of(args[1])))) {
      System.out.println("embedded device reached");
    } catch (IhsmException e) {
      System.out.println("embedded: " + e.status() + ": " + e.getMessage());
    }
  }
}
