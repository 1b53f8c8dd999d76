package io.ihsm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `ihsm bench` starts its own daemon process, measures through it, and writes the JSON and the
 * chart.
 */
class BenchCliTest {
  @TempDir Path dir;

  @Test
  void aShortRunThroughADaemonProcessWritesTheTableJsonAndChart() throws Exception {
    Path json = dir.resolve("out.json");
    Path chart = dir.resolve("chart.svg");
    CliRun r =
        CliRun.of(
            "bench",
            "--paths",
            "ihsm-daemon,softhsm2",
            "--workloads",
            "hmac-sha256-64,roundtrip",
            "--threads",
            "1",
            "--seconds",
            "0.3",
            "--json",
            json.toString(),
            "--chart",
            chart.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("hmac-sha256-64").contains("ihsm-daemon").contains("roundtrip");
    assertThat(r.err()).contains("ihsm-daemon: peak resident memory");
    if (!r.out().contains("softhsm2 ")) {
      assertThat(r.err())
          .as("an absent SoftHSM2 is said, not hidden")
          .contains("softhsm2: not measured");
    }
    assertThat(Files.readString(json))
        .contains("\"path\":\"ihsm-daemon\"")
        .contains("\"workload\":\"roundtrip\"");
    assertThat(Files.readString(chart)).startsWith("<svg");

    CliRun bad = CliRun.of("bench", "--workloads", "nope", "--seconds", "0.1");
    assertThat(bad.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(bad.err()).contains("unknown workload nope");
  }

  @Test
  void aShortFleetRunReportsPropagationReMaskingAndThreeMembersAgainstOne() throws Exception {
    CliRun r = CliRun.of("bench", "--fleet", "--seconds", "0.3");
    assertThat(r.exitCode()).as(r.err()).isZero();
    java.util.regex.Matcher p =
        java.util.regex.Pattern.compile("p50 (\\d+) µs, p99 (\\d+) µs").matcher(r.out());
    assertThat(p.find()).as(r.out()).isTrue();
    assertThat(Long.parseLong(p.group(1)))
        .isPositive()
        .isLessThanOrEqualTo(Long.parseLong(p.group(2)));
    assertThat(r.out())
        .as("every blob of the store moved: 401 keys and their partition")
        .contains("re-masking: 402 blobs")
        .containsPattern("1 member \\d+/s, 3 members \\d+/s, ratio \\d+\\.\\d\\d");
    CliRun bad = CliRun.of("bench", "--fleet", "--store", "nowhere", "--seconds", "0.1");
    assertThat(bad.exitCode()).isNotZero();
    assertThat(bad.err()).contains("a store address is file:/path or etcd://host:port");
  }
}
