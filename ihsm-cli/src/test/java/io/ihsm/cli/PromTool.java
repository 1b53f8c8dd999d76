package io.ihsm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Prometheus's own checker of an exposition: `promtool check metrics` (Debian `prometheus`). */
final class PromTool {
  private PromTool() {}

  static void check(String metrics, Path tmp) throws Exception {
    Path promtool = Path.of("/usr/bin/promtool");
    assumeTrue(
        Files.isExecutable(promtool),
        "promtool is not installed (Debian package prometheus; .ci/run installs it)");
    Path file = Files.writeString(Files.createTempFile(tmp, "metrics", ".txt"), metrics);
    Process p =
        new ProcessBuilder(promtool.toString(), "check", "metrics")
            .redirectInput(file.toFile())
            .redirectErrorStream(true)
            .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.exitValue()).as("promtool check metrics:\n" + out).isZero();
    assertThat(out).as("promtool's lint findings").isBlank();
  }
}
