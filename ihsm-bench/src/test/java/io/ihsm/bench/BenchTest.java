package io.ihsm.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness and the report on a short run: one row per workload, path and thread count, the
 * JSON with exactly its six fields, the chart and the table. Numbers are not judged here (a
 * benchmark is not a timed test); docs/performance.md has a real run.
 */
class BenchTest {
  @TempDir
  Path dir;

  @Test
  void aShortRunGivesARowPerWorkloadPathAndThreadsAndTheReportsShowThem() throws Exception {
    StringWriter log = new StringWriter();
    List<Result> results = Bench.run(new Bench.Options(List.of(Workload.ECDSA_P256_SIGN, Workload.HMAC_SHA256_64,
        Workload.UNMASK_KEY, Workload.ROUNDTRIP), List.of(1, 2), Duration.ofMillis(150),
        List.of("ihsm-embedded", "raw-engine", "jdk"), List.of(), dir), new PrintWriter(log));
    // Two workloads on three paths, and two that only ihsm has, each with 1 and 2 threads.
    assertThat(results).as(log.toString()).hasSize((2 * 3 + 2) * 2);
    assertThat(results).allSatisfy(r -> {
      assertThat(r.opsPerSec()).isPositive();
      assertThat(r.p50Micros()).isLessThanOrEqualTo(r.p99Micros());
    });
    assertThat(results).filteredOn(r -> r.workload().equals("unmask-key")).extracting(Result::path)
        .containsOnly("ihsm-embedded");

    JsonNode json = new ObjectMapper().readTree(Report.json(results));
    assertThat(json).hasSize(results.size());
    for (JsonNode row : json) {
      assertThat(Set.copyOf(iterable(row.fieldNames()))).isEqualTo(Set.of("workload", "path", "threads", "opsPerSec",
          "p50Micros", "p99Micros"));
    }
    String svg = Report.svg(results);
    assertThat(svg).startsWith("<svg").contains("ecdsa-p256-sign").contains("of raw-engine");
    assertThat(svg.split("<rect ", -1)).as("a bar per 2-thread row, and the background").hasSize(8 + 1 + 1);

    StringWriter table = new StringWriter();
    Report.table(results, new PrintWriter(table));
    assertThat(table.toString()).contains("vs raw-engine").contains("100.0%").contains("ihsm-embedded");
  }

  private static List<String> iterable(java.util.Iterator<String> it) {
    List<String> out = new java.util.ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }
}
