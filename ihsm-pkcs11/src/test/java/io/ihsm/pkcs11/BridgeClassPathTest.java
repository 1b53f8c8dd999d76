package io.ihsm.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.device.boundary.FirmwareBoundaryCheck;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The bridge always talks to a daemon: its class path (what the launcher puts on it) holds no
 * emulator or firmware.
 */
class BridgeClassPathTest {
  @Test
  void theBridgesClassPathHoldsNoDeviceOrFirmwareClasses() throws Exception {
    Path target = Path.of("target");
    List<Path> jars;
    try (Stream<Path> s = Files.list(target.resolve("lib"))) {
      jars = s.filter(p -> p.toString().endsWith(".jar")).toList();
    }
    assertThat(jars)
        .extracting(p -> p.getFileName().toString())
        .anyMatch(n -> n.startsWith("ihsm-sdk"))
        .anyMatch(n -> n.startsWith("ihsm-host"))
        .noneMatch(n -> n.startsWith("ihsm-device") || n.startsWith("ihsm-firmware"));
    for (Path jar : jars) {
      assertThat(holdsEmulatorClasses(jar)).as(jar.toString()).isFalse();
    }
    assertThat(target.resolve("classes/io/ihsm/device")).doesNotExist();
    assertThat(target.resolve("classes/io/ihsm/firmware")).doesNotExist();
    assertThat(Files.readString(target.resolve("native/ihsm-pkcs11-bridge")))
        .contains("$here/../classes:$here/../lib/*");
  }

  static boolean holdsEmulatorClasses(Path jar) {
    try {
      return FirmwareBoundaryCheck.holdsAny(jar.toString(), "io/ihsm/device/", "io/ihsm/firmware/");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
