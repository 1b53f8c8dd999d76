package io.ihsm.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.credential.Credential;
import io.ihsm.ddi.key.KeyAttributes;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.ddi.message.PartitionLimits;
import io.ihsm.sdk.DeviceAddress;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.IhsmException;
import io.ihsm.sdk.PartitionClient;
import io.ihsm.sdk.store.HostKeyStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness and the report on a short run: one row per workload, path and thread count, the JSON
 * with exactly its six fields, the chart and the table. Numbers are not judged here (a benchmark is
 * not a timed test); docs/performance.md has a real run.
 */
class BenchTest {
  @TempDir Path dir;

  @Test
  void aShortRunGivesARowPerWorkloadPathAndThreadsAndTheReportsShowThem() throws Exception {
    StringWriter log = new StringWriter();
    List<Result> results =
        Bench.run(
            new Bench.Options(
                List.of(
                    Workload.ECDSA_P256_SIGN,
                    Workload.HMAC_SHA256_64,
                    Workload.UNMASK_KEY,
                    Workload.ROUNDTRIP),
                List.of(1, 2),
                Duration.ofMillis(150),
                List.of("ihsm-embedded", "raw-engine", "jdk"),
                List.of(),
                dir),
            new PrintWriter(log));
    // Two workloads on three paths, and two that only ihsm has, each with 1 and 2 threads.
    assertThat(results).as(log.toString()).hasSize((2 * 3 + 2) * 2);
    assertThat(results)
        .allSatisfy(
            r -> {
              assertThat(r.opsPerSec()).isPositive();
              assertThat(r.p50Micros()).isLessThanOrEqualTo(r.p99Micros());
            });
    assertThat(results)
        .filteredOn(r -> r.workload().equals("unmask-key"))
        .extracting(Result::path)
        .containsOnly("ihsm-embedded");

    JsonNode json = new ObjectMapper().readTree(Report.json(results));
    assertThat(json).hasSize(results.size());
    for (JsonNode row : json) {
      assertThat(Set.copyOf(iterable(row.fieldNames())))
          .isEqualTo(Set.of("workload", "path", "threads", "opsPerSec", "p50Micros", "p99Micros"));
    }
    String svg = Report.svg(results);
    assertThat(svg).startsWith("<svg").contains("ecdsa-p256-sign").contains("of raw-engine");
    assertThat(svg.split("<rect ", -1))
        .as("a bar per 2-thread row, and the background")
        .hasSize(8 + 1 + 1);

    StringWriter table = new StringWriter();
    Report.table(results, new PrintWriter(table));
    assertThat(table.toString())
        .contains("vs raw-engine")
        .contains("100.0%")
        .contains("ihsm-embedded");
  }

  @Test
  void thePostQuantumWorkloadsRunOnTheIhsmAndSoftwarePaths() throws Exception {
    StringWriter log = new StringWriter();
    List<Result> results =
        Bench.run(
            new Bench.Options(
                List.of(Workload.ML_DSA65_SIGN, Workload.ML_KEM768_DECAPS),
                List.of(1),
                Duration.ofMillis(300),
                List.of("ihsm-embedded", "raw-engine", "jdk"),
                List.of(),
                dir),
            new PrintWriter(log));
    assertThat(results).as(log.toString()).hasSize(2 * 3);
    assertThat(results)
        .allSatisfy(r -> assertThat(r.opsPerSec()).as(r.toString()).isPositive())
        .extracting(Result::workload)
        .containsOnly("ml-dsa65-sign", "ml-kem768-decaps");
  }

  @Test
  void aBatchWorkloadCountsEachOperationAndRunsWhereThereIsNoBatchCallAsSingleCalls()
      throws Exception {
    StringWriter log = new StringWriter();
    List<Result> results =
        Bench.run(
            new Bench.Options(
                List.of(Workload.HMAC_SHA256_64_BATCH, Workload.PKCS11_INIT, Workload.CLI_SIGN),
                List.of(1),
                Duration.ofMillis(150),
                List.of("ihsm-embedded", "raw-engine"),
                List.of(),
                dir),
            new PrintWriter(log));
    assertThat(results)
        .as(log.toString())
        .extracting(Result::workload, Result::path)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("hmac-sha256-64-batch", "ihsm-embedded"),
            org.assertj.core.groups.Tuple.tuple("hmac-sha256-64-batch", "raw-engine"));
    // ops/s counts operations: 32 per call, so at least 32 over the measured time.
    assertThat(results).allSatisfy(r -> assertThat(r.opsPerSec()).isGreaterThan(32 / 0.15));
    assertThat(log.toString())
        .as("cli-sign on the embedded path without an `ihsm` command says why")
        .contains("cli-sign on ihsm-embedded: not measured");
  }

  @Test
  void aSelfTimedWorkloadWarmsUpOnceThenRunsAtLeastItsMinimum() throws Exception {
    List<Long> runs = new ArrayList<>();
    Harness.Measured m =
        Harness.measureSelfTimed(
            () -> {
              runs.add((long) runs.size());
              return 1_000_000L * (runs.size() == 1 ? 500 : 2); // the warm-up run is slow
            },
            Duration.ofMillis(1),
            20);
    assertThat(m.operations()).isGreaterThanOrEqualTo(20);
    assertThat(runs).hasSize((int) m.operations() + 1);
    assertThat(m.p50Micros()).as("the warm-up is not counted").isBetween(1900.0, 2100.0);
    assertThat(m.opsPerSec()).isBetween(499.0, 501.0);
  }

  private static List<String> iterable(Iterator<String> it) {
    List<String> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  @Test
  void keyLoadsAreTimedInBatchesAndEveryKeyLoadedIsUnloadedAgain() throws Exception {
    try (IhsmClient device = IhsmClient.connect(DeviceAddress.embedded(dir))) {
      var officer = Credential.of(device.randomBytes(Credential.ID_BYTES), "officer-0001");
      device.initCryptoOfficer(officer);
      var store = HostKeyStore.at(dir.resolve("home"));
      var anchor = KeyPairGenerator.getInstance("EC");
      anchor.initialize(new ECGenParameterSpec("secp384r1"));
      HostKeyStore.PartitionEntry entry;
      try (var co = device.loginCryptoOfficer(officer)) {
        // Room for exactly one batch of four keys.
        entry =
            PartitionClient.create(
                device,
                co,
                store,
                "loads",
                new PartitionLimits(8, 4, 16384, 10, 100, 900),
                anchor.generateKeyPair().getPublic().getEncoded(),
                "load-pin-0001");
      }
      try (var c = device.partition(entry.id());
          var s = c.openSession(Credential.of(entry.credentialId(), "load-pin-0001"))) {
        var attrs = new KeyAttributes(KeyKind.AES_256, KeyUsage.ENCRYPT, true, false, "");
        var k = s.generateKey(attrs);
        byte[] blob = k.maskedBlob();
        s.unload(k.handle());

        Harness.Measured m = Harness.measureUnmask(s, blob, Duration.ofMillis(300), 4);

        assertThat(m.operations()).isPositive();
        assertThat(m.operations() % 4).isZero(); // whole batches only
        assertThat(m.latency().getTotalCount()).isEqualTo(m.operations());
        // Every batch was unloaded: the full table takes four loads again, and refuses a fifth.
        for (int i = 0; i < 4; i++) {
          s.unmask(blob);
        }
        assertThatThrownBy(() -> s.unmask(blob))
            .isInstanceOfSatisfying(
                IhsmException.class, e -> assertThat(e.status()).isEqualTo(Status.KEY_TABLE_FULL));
      }
    }
  }

  @Test
  void withoutSoftHsm2ItsPathSaysWhyAndMeasuresNothing() throws Exception {
    try (BenchPath p = SoftHsmPath.open(dir, List.of(dir.resolve("no-such/libsofthsm2.so")))) {
      assertThat(p.unavailable())
          .hasValueSatisfying(
              why ->
                  assertThat(why)
                      .contains("libsofthsm2.so not found")
                      .contains("apt install softhsm2"));
    }
  }
}
