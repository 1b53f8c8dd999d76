package io.ihsm.device.boundary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * A host-side module's test class path holds no firmware class: only the firmware image's bytes,
 * which the device loads into its own class loader. Every host module (device, sdk, cli, and the
 * providers to come) runs this through a one-line subclass, so each checks its own class path. The
 * build also bans the dependency itself (maven-enforcer, root pom).
 */
public abstract class FirmwareBoundaryCheck {
  static final String FIRMWARE_PACKAGE = "io/ihsm/firmware/";

  @Test
  public void noFirmwareClassIsReachable() {
    assertThatThrownBy(() -> Class.forName("io.ihsm.firmware.IhsmFirmware"))
        .isInstanceOf(ClassNotFoundException.class);
    assertThatThrownBy(() -> Class.forName("io.ihsm.firmware.Firmware"))
        .isInstanceOf(ClassNotFoundException.class);
  }

  @Test
  public void noClassPathEntryContainsTheFirmwarePackage() throws IOException {
    List<String> offenders = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (holdsAny(entry, FIRMWARE_PACKAGE)) {
        offenders.add(entry);
      }
    }
    assertThat(offenders).as("class path entries holding firmware classes").isEmpty();
  }

  /**
   * Whether a class path entry (a classes directory or a jar) holds any of the packages, given as
   * paths ("io/ihsm/firmware/"); an entry that does not exist holds none.
   */
  public static boolean holdsAny(String entry, String... packagePaths) throws IOException {
    Path p = Path.of(entry);
    if (Files.isDirectory(p)) {
      for (String pkg : packagePaths) {
        if (Files.exists(p.resolve(pkg))) {
          return true;
        }
      }
      return false;
    }
    if (!entry.endsWith(".jar") || !Files.exists(p)) {
      return false;
    }
    try (JarFile jar = new JarFile(p.toFile())) {
      return jar.stream()
          .anyMatch(e -> java.util.Arrays.stream(packagePaths).anyMatch(e.getName()::startsWith));
    }
  }
}
