package io.ihsm.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Debian package on this machine, as an administrator uses it: `dpkg -i`, the installed `ihsm
 * --version` and `ihsm demo` (the jars as they are, nothing built), its man pages, completion and
 * systemd unit in place, then `dpkg --purge` leaving none of its files. Needs root and dpkg (CI
 * runs as root); it refuses to touch a machine where a package named ihsm is already installed.
 */
class DebianPackageIT {
  static final Path TARGET = Path.of(System.getProperty("ihsm.dist.target", "target"));

  @TempDir Path home;

  record Run(int code, String out) {}

  static Run run(Map<String, String> env, Path dir, String... cmd) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(env);
    if (dir != null) {
      pb.directory(dir.toFile());
    }
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).as(String.join(" ", cmd)).isTrue();
    return new Run(p.exitValue(), out);
  }

  static Run run(String... cmd) throws Exception {
    return run(Map.of(), null, cmd);
  }

  static Path deb() throws IOException {
    try (Stream<Path> s = Files.list(TARGET)) {
      return s.filter(p -> p.getFileName().toString().matches("ihsm_.*_amd64\\.deb"))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no .deb in " + TARGET + ": run ./mvnw package"));
    }
  }

  @Test
  void installsRunsTheDemoAndRemovesCleanly() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/dpkg")), "dpkg is not on this machine");
    assumeTrue(
        "root".equals(System.getProperty("user.name")),
        "installing a package needs root (CI runs as root)");
    assumeTrue(
        run("dpkg-query", "-W", "-f=${Status}", "ihsm").out().contains("not-installed")
            || run("dpkg-query", "-W", "-f=${Status}", "ihsm").code() != 0,
        "a package named ihsm is already installed here; not touching it");

    Run installed = run("dpkg", "-i", deb().toString());
    assertThat(installed.code()).as(installed.out()).isZero();
    List<String> files = new ArrayList<>();
    try {
      for (String f : run("dpkg", "-L", "ihsm").out().split("\n")) {
        if (Files.isRegularFile(Path.of(f))) {
          files.add(f);
        }
      }
      assertThat(files)
          .contains(
              "/usr/bin/ihsm",
              "/lib/systemd/system/ihsm.service",
              "/usr/lib/ihsm/libihsm-pkcs11.so",
              "/usr/share/man/man1/ihsm.1",
              "/usr/share/man/man1/ihsm-daemon.1",
              "/usr/share/bash-completion/completions/ihsm",
              "/usr/share/doc/ihsm/bom.json",
              "/etc/default/ihsm")
          .anyMatch(f -> f.matches("/usr/share/ihsm/lib/ihsm-jca.*\\.jar"))
          .anyMatch(f -> f.matches("/usr/share/ihsm/lib/ihsm-pkcs11.*\\.jar"));
      assertThat(run("getent", "passwd", "ihsm").code()).as("the daemon's user").isZero();

      // Run from an empty directory: nothing from a source checkout is at hand.
      Map<String, String> env = Map.of("IHSM_HOME", home.toString(), "IHSM_PIN", "demo-pin-1234");
      Run version = run(env, home, "/usr/bin/ihsm", "--version");
      assertThat(version.code()).as(version.out()).isZero();
      assertThat(version.out()).contains("0.1.0");
      Run demo = run(env, home, "/usr/bin/ihsm", "demo");
      assertThat(demo.code()).as(demo.out()).isZero();
      assertThat(demo.out()).doesNotContain("building");
      Run module = run(env, home, "/usr/bin/ihsm", "pkcs11", "module-path");
      assertThat(module.out().strip()).isEqualTo("/usr/lib/ihsm/libihsm-pkcs11.so");
      Run completion =
          run("bash", "-c", ". /usr/share/bash-completion/completions/ihsm && complete -p ihsm");
      assertThat(completion.code()).as(completion.out()).isZero();
      assertThat(Files.readString(Path.of("/lib/systemd/system/ihsm.service")))
          .contains("ExecStart=/usr/bin/ihsm daemon")
          .contains("NoNewPrivileges=yes")
          .contains("ProtectSystem=strict");
      if (Files.isExecutable(Path.of("/usr/bin/systemd-analyze"))) {
        Run unit = run("systemd-analyze", "verify", "/lib/systemd/system/ihsm.service");
        assertThat(unit.code()).as(unit.out()).isZero();
      }
    } finally {
      Run purged = run("dpkg", "--purge", "ihsm");
      assertThat(purged.code()).as(purged.out()).isZero();
    }
    assertThat(run("dpkg-query", "-W", "-f=${Status}", "ihsm").out()).doesNotContain("installed ");
    assertThat(files).isNotEmpty().noneMatch(f -> Files.exists(Path.of(f)));
    assertThat(Path.of("/usr/share/ihsm")).doesNotExist();
  }
}
