package io.ihsm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `ihsm daemon` as a real process: served over its socket, configured from the environment, stopped
 * by SIGTERM.
 */
class DaemonProcessTest {
  @TempDir Path tmp;

  Process daemon;

  static ProcessBuilder ihsm(List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElseThrow());
    // As the launcher runs it (./ihsm): netty's native transport and buffers without warnings.
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.add("--sun-misc-unsafe-memory-access=allow");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    cmd.addAll(args);
    return new ProcessBuilder(cmd);
  }

  Process startDaemon(Path sockets) throws Exception {
    return startDaemon(tmp, sockets);
  }

  /** `ihsm daemon` in its own process, state under {@code tmp}; returns once it serves. */
  static Process startDaemon(Path tmp, Path sockets) throws Exception {
    Path log = tmp.resolve("daemon.log");
    Process p =
        ihsm(List.of(
                "daemon",
                "--state-dir",
                tmp.resolve("state").toString(),
                "--socket-dir",
                sockets.toString()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!Files.readString(log).contains("serving")) {
      assertThat(p.isAlive()).as("daemon exited early:\n%s", Files.readString(log)).isTrue();
      assertThat(System.nanoTime()).as("daemon did not start in time").isLessThan(deadline);
      Thread.sleep(50);
    }
    return p;
  }

  @AfterEach
  void kill() {
    if (daemon != null && daemon.isAlive()) {
      daemon.destroyForcibly();
    }
  }

  @Test
  void statusAgainstARunningDaemonThenCleanShutdownOnSigterm() throws Exception {
    Path sockets = tmp.resolve("sock");
    daemon = startDaemon(sockets);
    assertThat(Files.readString(tmp.resolve("daemon.log"))).contains("is OPERATIONAL");

    CliRun r = CliRun.of("device", "status", "--json", "--socket-dir", sockets.toString());
    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.OK);
    assertThat(CliTest.field(r.out(), "state")).isEqualTo("OPERATIONAL");
    assertThat(CliTest.field(r.out(), "apiRevision")).isEqualTo("1.0");
    assertThat(CliTest.field(r.out(), "version")).isNotBlank();
    assertThat(CliTest.field(r.out(), "transport"))
        .contains(sockets.resolve("management.sock").toString());

    // The same command with the socket directory from the environment, in its own process.
    ProcessBuilder viaEnv = ihsm(List.of("device", "status", "--json"));
    viaEnv.environment().put("IHSM_SOCKET_DIR", sockets.toString());
    Process client = viaEnv.redirectErrorStream(true).start();
    String out = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(client.waitFor()).as(out).isZero();
    assertThat(CliTest.field(out, "state")).isEqualTo("OPERATIONAL");

    daemon.destroy(); // SIGTERM
    assertThat(daemon.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(daemon.exitValue()).isZero();
    assertThat(Files.readString(tmp.resolve("daemon.log"))).contains("ihsm daemon: stopped");
    try (var left = Files.list(sockets)) {
      assertThat(left).as("sockets removed on shutdown").isEmpty();
    }
    // The state directory is free again: an embedded device can use it.
    CliRun embedded = CliRun.of("device", "status", "--json", "--home", tmp.toString());
    assertThat(embedded.exitCode()).isZero();
  }

  @Test
  void afterATamperOperationsSayTamperedNotUnreachable() throws Exception {
    Path sockets = tmp.resolve("sock");
    String home = tmp.resolve("home").toString();
    daemon = startDaemon(sockets);
    String[] common = {"--home", home, "--socket-dir", sockets.toString()};
    assertThat(run(common, "device", "init").exitCode()).isZero();
    assertThat(
            run(common, "partition", "create", "app", "--pin-file", PinFiles.of("pin-12345"))
                .exitCode())
        .isZero();
    assertThat(
            run(
                    common,
                    "key",
                    "generate",
                    "--partition",
                    "app",
                    "--kind",
                    "ec-p256",
                    "--usage",
                    "sign",
                    "--label",
                    "k",
                    "--pin-file",
                    PinFiles.of("pin-12345"))
                .exitCode())
        .isZero();
    assertThat(run(common, "device", "tamper", "--sensor", "case-open").exitCode()).isZero();
    Path msg = tmp.resolve("msg");
    Files.writeString(msg, "after tamper");
    CliRun signed =
        run(
            common,
            "sign",
            "--partition",
            "app",
            "--key",
            "k",
            "--alg",
            "SHA256withECDSA",
            "--in",
            msg.toString(),
            "--out",
            tmp.resolve("sig").toString(),
            "--pin-file",
            PinFiles.of("pin-12345"));
    assertThat(signed.exitCode()).as(signed.err()).isEqualTo(ExitCodes.FAILED);
    assertThat(signed.err())
        .contains("TAMPERED", "tamper: case-open", "ihsm device reinit", "DEVICE_NOT_OPERATIONAL");
  }

  @Test
  void keysMadeBeforeADaemonRestartStillWorkAfterIt() throws Exception {
    Path sockets = tmp.resolve("sock");
    String home = tmp.resolve("home").toString();
    daemon = startDaemon(sockets);
    String[] common = {"--home", home, "--socket-dir", sockets.toString()};
    assertThat(
            run(common, "partition", "create", "app", "--pin-file", PinFiles.of("pin-12345")).err())
        .contains("device init");
    assertThat(run(common, "device", "init").exitCode()).isZero();
    assertThat(
            run(common, "partition", "create", "app", "--pin-file", PinFiles.of("pin-12345"))
                .exitCode())
        .isZero();
    assertThat(Files.list(sockets).map(p -> p.getFileName().toString()))
        .contains("management.sock", "partition-1.sock");
    assertThat(
            run(
                    common,
                    "key",
                    "generate",
                    "--partition",
                    "app",
                    "--kind",
                    "ec-p256",
                    "--usage",
                    "sign",
                    "--label",
                    "k",
                    "--pin-file",
                    PinFiles.of("pin-12345"))
                .exitCode())
        .isZero();

    daemon.destroy();
    assertThat(daemon.waitFor(20, TimeUnit.SECONDS)).isTrue();
    daemon = startDaemon(sockets);

    Path msg = tmp.resolve("msg");
    Files.writeString(msg, "after restart");
    Path sig = tmp.resolve("sig");
    CliRun signed =
        run(
            common,
            "sign",
            "--partition",
            "app",
            "--key",
            "k",
            "--alg",
            "SHA256withECDSA",
            "--in",
            msg.toString(),
            "--out",
            sig.toString(),
            "--pin-file",
            PinFiles.of("pin-12345"));
    assertThat(signed.exitCode()).as(signed.err()).isZero();
    assertThat(
            run(
                    common,
                    "verify",
                    "--partition",
                    "app",
                    "--key",
                    "k",
                    "--alg",
                    "SHA256withECDSA",
                    "--in",
                    msg.toString(),
                    "--signature",
                    sig.toString(),
                    "--pin-file",
                    PinFiles.of("pin-12345"))
                .exitCode())
        .isZero();

    // The daemon's audit log holds both lives of the device, and verifies.
    Path log = tmp.resolve("audit.log");
    assertThat(run(common, "audit", "export", "--out", log.toString()).exitCode()).isZero();
    assertThat(run(common, "audit", "verify", log.toString()).out()).contains("good:");
    assertThat(Files.readString(log))
        .contains("|GENERATE_KEY|partition-1")
        .doesNotContain("pin-12345");
    assertThat(Files.readString(log).lines().filter(l -> l.contains("|SELF_TESTS|power-on")))
        .hasSize(2);
  }

  static CliRun run(String[] common, String... args) {
    String[] all = new String[common.length + args.length];
    System.arraycopy(common, 0, all, 0, common.length);
    System.arraycopy(args, 0, all, common.length, args.length);
    return CliRun.of(all);
  }

  @Test
  void aPinNeverStandsOnAnyCommandLineAndAPinArgumentIsRefused() throws Exception {
    Path home = tmp.resolve("pin-home");
    String pin = "pin-" + HexFormat.of().formatHex(SecureRandom.getSeed(8));
    // The PIN comes on a file descriptor: while the command waits for it, no process shows it.
    Process p =
        ihsm(List.of("--home", home.toString(), "partition", "create", "app", "--pin-fd", "0"))
            .redirectErrorStream(true)
            .start();
    Thread.sleep(1500);
    assertThat(p.isAlive()).as("waiting for its PIN").isTrue();
    assertThat(commandLinesHolding(pin)).isEmpty();
    p.getOutputStream().write((pin + "\n").getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    assertThat(out).doesNotContain(pin);

    // The same PIN from the environment signs; the environment is the owner's only
    // (/proc/PID/environ).
    ProcessBuilder gen =
        ihsm(
            List.of(
                "--home",
                home.toString(),
                "key",
                "generate",
                "--partition",
                "app",
                "--kind",
                "ec-p256",
                "--usage",
                "sign",
                "--label",
                "k"));
    gen.environment().put("IHSM_PIN", pin);
    Process g = gen.redirectErrorStream(true).start();
    assertThat(commandLinesHolding(pin)).isEmpty();
    String genOut = new String(g.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(g.waitFor()).as(genOut).isZero();

    // A PIN given as an argument is refused as a usage error, and not echoed back.
    CliRun refused = CliRun.inHome(home, "key", "list", "--partition", "app", "--pin", pin);
    assertThat(refused.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(refused.err()).contains("--pin-file").doesNotContain(pin);
  }

  /** The pids whose command line (/proc/PID/cmdline) contains {@code text}. */
  static List<String> commandLinesHolding(String text) throws Exception {
    List<String> found = new ArrayList<>();
    try (var procs = Files.list(Path.of("/proc"))) {
      for (Path proc : procs.filter(d -> d.getFileName().toString().matches("\\d+")).toList()) {
        try {
          String cmdline =
              new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8);
          if (cmdline.contains(text)) {
            found.add(proc.getFileName() + ": " + cmdline.replace('\0', ' '));
          }
        } catch (IOException gone) {
          // the process ended while we looked
        }
      }
    }
    return found;
  }

  @Test
  void homeFromTheEnvironmentSelectsTheEmbeddedDevice() throws Exception {
    Path home = tmp.resolve("env-home");
    ProcessBuilder pb = ihsm(List.of("device", "info", "--json"));
    Map<String, String> env = pb.environment();
    env.put("IHSM_HOME", home.toString());
    env.remove("IHSM_SOCKET_DIR");
    Process p = pb.redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    // The card's serial record (authenticated: header, payload, tag) holds the serial the device
    // reports.
    String record =
        new String(
            Files.readAllBytes(home.resolve("device/rom/serial")), StandardCharsets.ISO_8859_1);
    assertThat(CliTest.field(out, "serialNumber")).matches("IHSM-[0-9A-F]{16}");
    assertThat(record).contains(CliTest.field(out, "serialNumber"));
  }

  @Test
  void aSecondDaemonOnTheSameStateIsRefusedWithOneLine() throws Exception {
    daemon = startDaemon(tmp.resolve("sock"));
    CliRun r =
        CliRun.of(
            "daemon",
            "--state-dir",
            tmp.resolve("state").toString(),
            "--socket-dir",
            tmp.resolve("sock2").toString());
    assertThat(r.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err()).contains("is in use by another ihsm device");
  }
}
