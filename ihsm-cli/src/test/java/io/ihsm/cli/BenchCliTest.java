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
  void theModuleTheBatchesAndTheCliAreMeasuredWithTheSameHarness() throws Exception {
    Path json = dir.resolve("out.json");
    CliRun r =
        CliRun.of(
            "bench",
            "--paths",
            "ihsm-daemon,ihsm-pkcs11",
            "--workloads",
            "cli-sign,ecdsa-p256-sign,hmac-sha256-64-batch,pkcs11-init",
            "--threads",
            "1",
            "--seconds",
            "0.2",
            "--json",
            json.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    String rows = Files.readString(json);
    for (String row :
        new String[] {
          "\"workload\":\"ecdsa-p256-sign\",\"path\":\"ihsm-daemon\"",
          "\"workload\":\"ecdsa-p256-sign\",\"path\":\"ihsm-pkcs11\"",
          "\"workload\":\"hmac-sha256-64-batch\",\"path\":\"ihsm-daemon\"",
          "\"workload\":\"pkcs11-init\",\"path\":\"ihsm-pkcs11\"",
          "\"workload\":\"cli-sign\",\"path\":\"ihsm-daemon\""
        }) {
      assertThat(rows).as(r.err()).contains(row);
    }
    assertThat(rows)
        .as("a batch workload is ihsm's alone; the module has no batch call through SunPKCS11")
        .doesNotContain("\"workload\":\"hmac-sha256-64-batch\",\"path\":\"ihsm-pkcs11\"");
    java.util.regex.Matcher runs =
        java.util.regex.Pattern.compile("cli-sign on ihsm-daemon: p50 \\S+ ms over (\\d+) runs")
            .matcher(r.err());
    assertThat(runs.find()).as(r.err()).isTrue();
    assertThat(Integer.parseInt(runs.group(1)))
        .as("at least 20 runs, whatever the time")
        .isGreaterThanOrEqualTo(20);
    assertThat(r.err())
        .containsPattern("pkcs11-init on ihsm-pkcs11: the module added at most \\d+ KiB");
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
