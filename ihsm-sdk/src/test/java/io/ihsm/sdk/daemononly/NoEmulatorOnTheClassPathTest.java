package io.ihsm.sdk.daemononly;

import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.testing.ExternalCommand;
import io.ihsm.device.Device;
import io.ihsm.device.DeviceConfig;
import io.ihsm.device.daemon.DeviceDaemon;
import io.ihsm.host.SocketNames;
import io.ihsm.sdk.IhsmClient;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An application that talks to a daemon needs no emulator: the SDK, the host module and the
 * protocol are enough.
 */
class NoEmulatorOnTheClassPathTest {
  @TempDir Path dir;

  static String location(Class<?> c) throws Exception {
    return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
  }

  @Test
  void anApplicationReachesADaemonWithTheSdkHostAndProtocolOnlyAndIsToldTheEmbeddedDeviceIsAbsent()
      throws Exception {
    Path sockets = dir.resolve("sock");
    try (Device device = Device.powerOn(DeviceConfig.of(dir.resolve("state")));
        DeviceDaemon daemon = DeviceDaemon.start(device, sockets)) {
      String classPath =
          String.join(
              File.pathSeparator,
              location(IhsmClient.class),
              location(SocketNames.class),
              location(Opcode.class),
              location(DaemonOnlyApplication.class));
      assertThat(classPath).doesNotContain("ihsm-device").doesNotContain("ihsm-firmware");
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      ExternalCommand.Result r =
          ExternalCommand.run(
              List.of(
                  java,
                  "-cp",
                  classPath,
                  DaemonOnlyApplication.class.getName(),
                  sockets.toString(),
                  dir.resolve("embedded").toString()));
      assertThat(r.exitCode()).as(r.output()).isZero();
      assertThat(r.output())
          .contains(
              "no emulator on the class path",
              "daemon state OPERATIONAL",
              "embedded: TRANSPORT_UNAVAILABLE: no embedded device on the class path");
    }
  }
}
