package io.ihsm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.ddi.testing.ExternalCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `ihsm pkcs11 module-path` and `ihsm pkcs11 config` are all pkcs11-tool needs to reach a daemon's
 * partitions.
 */
class Pkcs11CliTest {
  @TempDir Path tmp;
  Process daemon;

  @AfterEach
  void kill() {
    if (daemon != null && daemon.isAlive()) {
      daemon.destroyForcibly();
    }
  }

  @Test
  void pkcs11ToolFindsThePartitionsWithTheModulePathAndConfigTheCommandsPrint() throws Exception {
    String module = CliRun.of("pkcs11", "module-path").out().strip();
    assertThat(Path.of(module)).isAbsolute().exists().hasFileName("libihsm-pkcs11.so");
    assertThat(Path.of(module).resolveSibling("ihsm-pkcs11-bridge")).isExecutable();

    CliRun noDaemon = CliRun.inHome(tmp.resolve("home"), "pkcs11", "config");
    assertThat(noDaemon.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(noDaemon.err()).contains("give --socket-dir");

    Path sockets = tmp.resolve("sock");
    daemon = DaemonProcessTest.startDaemon(tmp, sockets);
    String home = tmp.resolve("home").toString();
    String[] common = {"--home", home, "--socket-dir", sockets.toString()};
    assertThat(CliRun.of(concat(common, "device", "init")).exitCode()).isZero();
    assertThat(
            CliRun.of(
                    concat(
                        common,
                        "partition",
                        "create",
                        "payments",
                        "--pin-file",
                        PinFiles.of("pin-12345")))
                .exitCode())
        .isZero();
    Path conf = tmp.resolve("ihsm-pkcs11.conf");
    assertThat(CliRun.of(concat(common, "pkcs11", "config", "--out", conf.toString())).exitCode())
        .isZero();
    assertThat(Files.readString(conf))
        .contains("socket-dir = " + sockets.toAbsolutePath())
        .doesNotContain("pin-12345");

    ExternalCommand.Result slots =
        ExternalCommand.run(
            List.of("pkcs11-tool", "--module", module, "--list-slots"),
            Map.of(
                "IHSM_PKCS11_CONF",
                conf.toString(),
                // the bridge service in this test's directory: it leaves when the directory goes
                "IHSM_PKCS11_BRIDGE_DIR",
                tmp.resolve("bridge").toString()));
    assertThat(slots.exitCode()).as(slots.output()).isZero();
    assertThat(slots.output()).contains("ihsm partition payments", "token label        : payments");
  }

  static String[] concat(String[] a, String... b) {
    String[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
