package io.ihsm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.ddi.testing.ExternalCommand;
import io.ihsm.device.boundary.FirmwareBoundaryCheck;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `ihsm jca classpath` and `ihsm jca config` give keytool all it needs to use a partition's keys.
 */
class JcaCliTest {
  /** Whether a class path entry (a jar or a classes directory) holds device or firmware classes. */
  static boolean holdsEmulatorClasses(String entry) {
    try {
      return FirmwareBoundaryCheck.holdsAny(entry, "io/ihsm/device/", "io/ihsm/firmware/");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @TempDir Path home;

  @Test
  void keytoolRunsWithTheClasspathAndConfigTheCommandsPrint() throws Exception {
    CliRun.okInHome(home, "partition", "create", "app", "--pin-file", PinFiles.of("pin-12345"));
    Path conf = home.resolve("ihsm-jca.conf");
    CliRun.okInHome(home, "jca", "config", "--partition", "app", "--out", conf.toString());
    assertThat(Files.readString(conf))
        .contains("partition = app")
        .contains("home = " + home.toAbsolutePath())
        .doesNotContain("pin-12345");
    String classpath = CliRun.okInHome(home, "jca", "classpath").out().strip();
    assertThat(classpath.split(File.pathSeparator))
        .as("the provider, SDK, host, protocol and, embedded, the device")
        .hasSize(5)
        .allMatch(p -> Files.exists(Path.of(p)))
        .anyMatch(JcaCliTest::holdsEmulatorClasses);

    List<String> provider =
        List.of(
            "-storetype",
            "IHSM",
            "-keystore",
            "NONE",
            "-storepass",
            "pin-12345",
            "-providerpath",
            classpath,
            "-providerclass",
            "io.ihsm.jca.IhsmProvider",
            "-providerarg",
            conf.toString());
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    List<String> gen =
        new ArrayList<>(
            List.of(
                keytool,
                "-genkeypair",
                "-alias",
                "web",
                "-keyalg",
                "EC",
                "-groupname",
                "secp384r1",
                "-sigalg",
                "SHA384withECDSA",
                "-dname",
                "CN=web",
                "-providername",
                "IHSM"));
    gen.addAll(provider);
    ExternalCommand.Result made = ExternalCommand.run(gen);
    assertThat(made.exitCode()).as(made.output()).isZero();
    assertThat(CliRun.okInHome(home, "key", "list", "--partition", "app").out()).contains("web");

    String daemonPath =
        CliRun.okInHome(
                home, "--socket-dir", home.resolve("sockets").toString(), "jca", "classpath")
            .out()
            .strip();
    assertThat(daemonPath.split(File.pathSeparator))
        .as("pointed at a daemon: no emulator, no firmware")
        .hasSize(4)
        .noneMatch(JcaCliTest::holdsEmulatorClasses);

    CliRun missing = CliRun.inHome(home, "jca", "config", "--partition", "nope");
    assertThat(missing.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(missing.err()).contains("no partition 'nope'");
  }
}
