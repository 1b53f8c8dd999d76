package io.ihsm.firmware;

import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.message.Bytes;
import io.ihsm.ddi.message.CreatePartitionRequest;
import io.ihsm.ddi.message.DeviceState;
import io.ihsm.ddi.message.DeviceStatus;
import io.ihsm.ddi.message.Empty;
import io.ihsm.ddi.message.FirmwareChunk;
import io.ihsm.ddi.message.GetRandomRequest;
import io.ihsm.ddi.message.Id;
import io.ihsm.ddi.message.PartitionLimits;
import io.ihsm.ddi.message.ProvisionRequest;
import io.ihsm.ddi.message.TamperRequest;
import io.ihsm.ddi.spi.NonVolatileStore;
import io.ihsm.ddi.spi.Port;
import io.ihsm.firmware.audit.AuditLog;
import io.ihsm.firmware.crypto.CryptoEngines;
import io.ihsm.firmware.rng.RandomSource;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The audit log in the module: what is recorded, the chain, the signed head, rotation, restarts.
 */
class AuditLogTest {
  /** 16 segments of 32 KiB: a log that rotates within a test's few thousand entries. */
  static final AuditLog.Capacity SMALL = new AuditLog.Capacity(32 * 1024, 16, 60_000);

  final TestPlatform platform = new TestPlatform();
  Firmware fw = Firmware.powerOn(platform);
  FirmwareClient mgmt = new FirmwareClient(fw, Port.MANAGEMENT);

  int coSession() {
    return mgmt.ok(Opcode.OPEN_SESSION, 0, mgmt.seal(Opcode.OPEN_SESSION, VaultTest.CO), Id::read)
        .value();
  }

  String export(int co) {
    FirmwareChunk first = mgmt.ok(Opcode.EXPORT_AUDIT_LOG, co, new Id(0), FirmwareChunk::read);
    assertThat(first.data().length).isEqualTo(first.offset());
    return new String(first.data(), StandardCharsets.UTF_8);
  }

  @Test
  void authenticationStateChangesSelfTestsAndTamperAreRecordedWithoutSecrets() {
    mgmt.ok(
        Opcode.INIT_CRYPTO_OFFICER,
        0,
        mgmt.seal(Opcode.INIT_CRYPTO_OFFICER, VaultTest.CO),
        Empty::read);
    // A failed authentication: a credential that is not the Crypto Officer's.
    assertThat(mgmt.status(Opcode.OPEN_SESSION, 0, mgmt.seal(Opcode.OPEN_SESSION, VaultTest.APP)))
        .isEqualTo(Status.AUTHENTICATION_FAILED);
    String log = export(coSession());
    assertThat(log)
        .contains(
            "|STATE|POWER_ON -> SELF_TEST|",
            "|STATE|SELF_TEST -> OPERATIONAL|",
            "|SELF_TESTS|power-on 22/22 passed|",
            "|INIT_CRYPTO_OFFICER|management session=0 status=SUCCESS|",
            "|OPEN_SESSION|management session=0 status=AUTHENTICATION_FAILED|",
            "|OPEN_SESSION|management session=0 status=SUCCESS|",
            "|AUDIT_EXPORT|");
    assertThat(log).doesNotContain("officer-pin").doesNotContain("app-pin-1234");
    assertThat(chainIsIntact(log)).isTrue();

    mgmt.ok(Opcode.TAMPER, 0, new TamperRequest("case-open"), Empty::read);
    mgmt.ok(Opcode.REINITIALIZE, 0, mgmt.seal(Opcode.REINITIALIZE, VaultTest.CO), Empty::read);
    String after = export(coSession());
    assertThat(after)
        .contains(
            "|TAMPER|management session=0 status=SUCCESS|",
            "|STATE|OPERATIONAL -> TAMPERED: tamper: case-open|",
            "|REINITIALIZE|management session=0 status=SUCCESS|");
    // Zeroization keeps the log: it is the record of the zeroization itself.
    assertThat(after).startsWith(log.substring(0, log.indexOf("head|")));
    assertThat(chainIsIntact(after)).isTrue();
  }

  @Test
  void theLogSurvivesARestartAndContinuesItsChain() {
    mgmt.ok(
        Opcode.INIT_CRYPTO_OFFICER,
        0,
        mgmt.seal(Opcode.INIT_CRYPTO_OFFICER, VaultTest.CO),
        Empty::read);
    String before = export(coSession());
    fw.close();
    fw = Firmware.powerOn(platform);
    mgmt = new FirmwareClient(fw, Port.MANAGEMENT);
    String after = export(coSession());
    assertThat(after).startsWith(before.substring(0, before.indexOf("head|")));
    assertThat(after.lines().filter(l -> l.contains("|SELF_TESTS|power-on")).count()).isEqualTo(2);
    assertThat(chainIsIntact(after)).isTrue();
  }

  @Test
  void onlyTheCryptoOfficerExportsAndAnyoneReadsTheKey() {
    mgmt.ok(
        Opcode.INIT_CRYPTO_OFFICER,
        0,
        mgmt.seal(Opcode.INIT_CRYPTO_OFFICER, VaultTest.CO),
        Empty::read);
    assertThat(
            new FirmwareClient(fw, Port.partition(1)).status(Opcode.EXPORT_AUDIT_LOG, 0, new Id(0)))
        .isEqualTo(Status.WRONG_PORT);
    assertThat(mgmt.status(Opcode.EXPORT_AUDIT_LOG, 0, new Id(0)))
        .isEqualTo(Status.SESSION_REQUIRED);
    byte[] key = mgmt.ok(Opcode.GET_AUDIT_KEY, 0, Empty.INSTANCE, Bytes::readBlob).bytes();
    assertThat(key).isNotEmpty();
    int co = coSession();
    String log = export(co);
    assertThat(mgmt.status(Opcode.EXPORT_AUDIT_LOG, co, new Id(log.length() + 1)))
        .isEqualTo(Status.INVALID_PARAMETER);
    assertThat(mgmt.status(Opcode.EXPORT_AUDIT_LOG, co, new Id(-1)))
        .isEqualTo(Status.INVALID_PARAMETER);
    // A piece from an offset is the rest of the same export.
    assertThat(mgmt.ok(Opcode.EXPORT_AUDIT_LOG, co, new Id(10), FirmwareChunk::read).data())
        .isEqualTo(log.substring(10).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * An NV store whose syncs take a while, counting what each covers: appends land at once, and a
   * sync makes durable every append made before it started.
   */
  static final class SlowSyncs implements NonVolatileStore {
    final TestPlatform memory = new TestPlatform();
    final java.util.concurrent.atomic.AtomicLong appended =
        new java.util.concurrent.atomic.AtomicLong();
    final java.util.concurrent.atomic.AtomicLong durable =
        new java.util.concurrent.atomic.AtomicLong();
    final ThreadLocal<Long> mine = ThreadLocal.withInitial(() -> 0L);

    @Override
    public java.util.Optional<byte[]> read(String name) {
      return memory.read(name);
    }

    @Override
    public void write(String name, byte[] value) {
      memory.write(name, value);
      durable.set(appended.get()); // a whole write is durable, with all before it
    }

    @Override
    public void delete(String name) {
      memory.delete(name);
    }

    @Override
    public void appendUnsynced(String name, byte[] bytes) {
      memory.append(name, bytes);
      mine.set(appended.incrementAndGet());
    }

    @Override
    public void sync(String name) {
      long covered = appended.get();
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      durable.accumulateAndGet(covered, Math::max);
    }
  }

  @Test
  void concurrentEntriesShareSyncsAndNoneReturnsBeforeItIsDurable() throws Exception {
    SlowSyncs nv = new SlowSyncs();
    AuditLog audit =
        new AuditLog(
            nv,
            CryptoEngines.best(),
            new RandomSource(CryptoEngines.best(), nv.memory::noise, f -> {}),
            f -> {},
            SMALL);
    audit.record("STATE", "first"); // the segment exists: later entries are appended
    long before = audit.syncs();
    java.util.List<Thread> threads = new java.util.ArrayList<>();
    java.util.concurrent.atomic.AtomicInteger early =
        new java.util.concurrent.atomic.AtomicInteger();
    for (int t = 0; t < 8; t++) {
      threads.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    for (int i = 0; i < 25; i++) {
                      audit.record("KEY", "generated " + i);
                      if (nv.durable.get() < nv.mine.get()) {
                        early.incrementAndGet(); // returned before its entry was synced
                      }
                    }
                  }));
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(early.get()).as("entries acknowledged before they were durable").isZero();
    long syncs = audit.syncs() - before;
    assertThat(syncs).as("200 entries from 8 threads").isPositive().isLessThan(200);
    assertThat(chainIsIntact(new String(audit.export(), StandardCharsets.UTF_8))).isTrue();
  }

  @Test
  void aLongLogRotatesBehindAnAnchorAndTheChainStillVerifies() throws Exception {
    TestPlatform p = new TestPlatform();
    AuditLog audit =
        new AuditLog(
            p,
            CryptoEngines.best(),
            new RandomSource(CryptoEngines.best(), p::noise, f -> {}),
            f -> {},
            SMALL);
    for (int i = 0; i < 6000; i++) {
      audit.record("GENERATE_KEY", "partition-1 session=1 status=SUCCESS");
      if (i % 1000 == 999) {
        audit.export(); // the Crypto Officer exports regularly: what was exported may rotate out
        audit.exportRead();
      }
    }
    String log = new String(audit.export(), StandardCharsets.UTF_8);
    assertThat(log).startsWith("anchor|");
    assertThat(log.length()).isLessThan(600 * 1024);
    assertThat(log).contains("\n5999|");
    assertThat(chainIsIntact(log)).isTrue();
    // The head verifies with the published key.
    String[] head = log.lines().reduce((a, b) -> b).orElseThrow().split("\\|");
    Signature s = Signature.getInstance("SHA384withECDSA");
    s.initVerify(
        KeyFactory.getInstance("EC")
            .generatePublic(new X509EncodedKeySpec(audit.publicKey().getEncoded())));
    s.update(("ihsm audit head|" + head[1] + "|" + head[2]).getBytes(StandardCharsets.UTF_8));
    assertThat(s.verify(HexFormat.of().parseHex(head[3]))).isTrue();

    // After a restart the rotated log loads and its chain goes on.
    AuditLog again =
        new AuditLog(
            p,
            CryptoEngines.best(),
            new RandomSource(CryptoEngines.best(), p::noise, f -> {}),
            f -> {},
            SMALL);
    again.record("STATE", "after restart");
    String later = new String(again.export(), StandardCharsets.UTF_8);
    assertThat(later).startsWith(log.substring(0, log.indexOf("head|"))).contains("\n6000|");
    assertThat(chainIsIntact(later)).isTrue();
  }

  @Test
  void nothingRotatesOutBeforeTheCryptoOfficerHasExportedIt() {
    TestPlatform p = new TestPlatform();
    AuditLog audit =
        new AuditLog(
            p,
            CryptoEngines.best(),
            new RandomSource(CryptoEngines.best(), p::noise, f -> {}),
            f -> {},
            new AuditLog.Capacity(512, 4, 0));
    for (int i = 0; i < 200; i++) {
      audit.record("STATE", "entry " + i);
    }
    assertThat(audit.hasRoom(false)).as("two segments are kept back").isFalse();
    assertThat(audit.hasRoom(true)).as("the reserve is full too").isFalse();
    String log = new String(audit.export(), StandardCharsets.UTF_8);
    assertThat(log)
        .as("entry 0 is still there: nobody had exported it")
        .startsWith("0|")
        .contains("|entry 199|");
    assertThat(chainIsIntact(log)).isTrue();
    audit.exportRead();
    assertThat(audit.hasRoom(false)).isTrue();
    for (int i = 0; i < 50; i++) {
      audit.record("STATE", "later " + i);
    }
    String next = new String(audit.export(), StandardCharsets.UTF_8);
    assertThat(next)
        .as("exported segments rotated out behind an anchor")
        .startsWith("anchor|")
        .contains("|later 49|");
    assertThat(chainIsIntact(next)).isTrue();
  }

  @Test
  void refusedRequestsAreSummarisedNotWrittenOneByOne() {
    TestPlatform p = new TestPlatform();
    AuditLog audit =
        new AuditLog(
            p,
            CryptoEngines.best(),
            new RandomSource(CryptoEngines.best(), p::noise, f -> {}),
            f -> {},
            new AuditLog.Capacity(512, 4, 60_000));
    audit.record("CREATE_PARTITION", "management session=1 status=SUCCESS");
    for (int i = 0; i < 10_000; i++) {
      audit.refused("UNLOAD_KEY", "NEEDS_RENEGOTIATION");
    }
    assertThat(audit.pendingRefusals())
        .as("the first refusal was written at once, the rest wait")
        .isEqualTo(9_999);
    audit.record("STATE", "next");
    String log = new String(audit.export(), StandardCharsets.UTF_8);
    assertThat(log)
        .startsWith("0|")
        .contains(
            "|CREATE_PARTITION|",
            "|REFUSED|count=1 ",
            "|REFUSED|count=9999 ",
            "UNLOAD_KEY/NEEDS_RENEGOTIATION=9999",
            "|STATE|next|");
    assertThat(log.lines().count()).isLessThan(10);
    assertThat(chainIsIntact(log)).isTrue();
  }

  @Test
  void aFloodOfRefusedRequestsWithoutASessionCannotEraseTheTrail() {
    mgmt.ok(
        Opcode.INIT_CRYPTO_OFFICER,
        0,
        mgmt.seal(Opcode.INIT_CRYPTO_OFFICER, VaultTest.CO),
        Empty::read);
    int co = coSession();
    mgmt.ok(
        Opcode.CREATE_PARTITION,
        co,
        new CreatePartitionRequest("victim", PartitionLimits.DEFAULTS),
        Id::read);
    FirmwareClient attacker = new FirmwareClient(fw, Port.partition(1));
    Random r = new Random(16);
    for (int i = 0; i < 20_000; i++) {
      assertThat(attacker.status(Opcode.UNLOAD_KEY, r.nextInt() | 1, new Id(i)))
          .isEqualTo(Status.NEEDS_RENEGOTIATION);
    }
    String log = export(co);
    assertThat(log)
        .as("the history before the flood is all there")
        .startsWith("0|")
        .contains(
            "|INIT_CRYPTO_OFFICER|", "|CREATE_PARTITION|management session=", "|REFUSED|count=");
    assertThat(log.lines().count()).as("the flood left a summary, not 20,000 lines").isLessThan(40);
    assertThat(chainIsIntact(log)).isTrue();
  }

  @Test
  void aFullLogRefusesPartitionRequestsAndTheCryptoOfficerCanStillExport() {
    fw.close();
    fw =
        Firmware.powerOn(
            platform, UnaryOperator.identity(), new AuditLog.Capacity(1024, 4, 60_000));
    mgmt = new FirmwareClient(fw, Port.MANAGEMENT);
    mgmt.ok(
        Opcode.INIT_CRYPTO_OFFICER,
        0,
        mgmt.seal(Opcode.INIT_CRYPTO_OFFICER, VaultTest.CO),
        Empty::read);
    int co = coSession();
    Status last = Status.SUCCESS;
    int made = 0;
    while (last == Status.SUCCESS && made < 100) {
      last =
          mgmt.call(
                  Opcode.CREATE_PARTITION,
                  co,
                  new CreatePartitionRequest("p" + made, PartitionLimits.DEFAULTS),
                  Id::read)
              .status();
      made++;
    }
    assertThat(last)
        .as("the Crypto Officer's reserve ran out too")
        .isEqualTo(Status.AUDIT_LOG_FULL);
    FirmwareClient partition = new FirmwareClient(fw, Port.partition(1));
    assertThat(
            partition.status(
                Opcode.PROVISION_PARTITION,
                0,
                new ProvisionRequest(
                    new byte[120],
                    new byte[0],
                    partition.seal(Opcode.PROVISION_PARTITION, VaultTest.APP))))
        .isEqualTo(Status.AUDIT_LOG_FULL);
    // Logging in and exporting always works; once exported, requests are served again.
    int again = coSession();
    String log = export(again);
    assertThat(log).startsWith("0|").contains("|CREATE_PARTITION|");
    assertThat(chainIsIntact(log)).isTrue();
    assertThat(
            mgmt.call(
                    Opcode.CREATE_PARTITION,
                    again,
                    new CreatePartitionRequest("after", PartitionLimits.DEFAULTS),
                    Id::read)
                .status())
        .isEqualTo(Status.SUCCESS);
  }

  @Test
  void anEmptyNewestSegmentLeftByACrashIsHarmless() {
    TestPlatform p = new TestPlatform();
    AuditLog audit =
        new AuditLog(
            p,
            CryptoEngines.best(),
            new RandomSource(CryptoEngines.best(), p::noise, f -> {}),
            f -> {});
    audit.record("STATE", "one");
    // The index names a second segment that was never written.
    p.write("audit-index", ("0 1 -1 " + "00".repeat(48)).getBytes(StandardCharsets.UTF_8));
    AuditLog again =
        new AuditLog(
            p,
            CryptoEngines.best(),
            new RandomSource(CryptoEngines.best(), p::noise, f -> {}),
            f -> {});
    again.record("STATE", "two");
    String log = new String(again.export(), StandardCharsets.UTF_8);
    assertThat(log).contains("0|", "|one|", "\n1|", "|two|");
    assertThat(chainIsIntact(log)).isTrue();
  }

  @Test
  void anAppendTornByACrashIsDroppedAndTheChainGoesOn() {
    TestPlatform p = new TestPlatform();
    AuditLog audit =
        new AuditLog(
            p,
            CryptoEngines.best(),
            new RandomSource(CryptoEngines.best(), p::noise, f -> {}),
            f -> {});
    audit.record("STATE", "one");
    audit.record("STATE", "two");
    // A crash in the middle of appending a third entry: half a line, no newline.
    p.append("audit-log-0", "2|1700000000000|STATE|thr".getBytes(StandardCharsets.UTF_8));
    AuditLog again =
        new AuditLog(
            p,
            CryptoEngines.best(),
            new RandomSource(CryptoEngines.best(), p::noise, f -> {}),
            f -> {});
    again.record("STATE", "three");
    String log = new String(again.export(), StandardCharsets.UTF_8);
    assertThat(log)
        .contains("|one|", "|two|", "\n2|", "|three|")
        .doesNotContain("|thr\n")
        .doesNotContain("STATE|thr2");
    assertThat(chainIsIntact(log)).isTrue();
  }

  @Test
  void aLogThatCannotBeWrittenStopsTheModule() {
    mgmt.ok(
        Opcode.INIT_CRYPTO_OFFICER,
        0,
        mgmt.seal(Opcode.INIT_CRYPTO_OFFICER, VaultTest.CO),
        Empty::read);
    platform.failWrites = name -> name.startsWith("audit-");
    // The session opens (the answer is already made), but its audit entry cannot be stored.
    coSession();
    DeviceStatus s = mgmt.ok(Opcode.GET_DEVICE_STATUS, 0, Empty.INSTANCE, DeviceStatus::read);
    assertThat(s.state()).isEqualTo(DeviceState.ERROR);
    assertThat(s.reason()).isEqualTo("the audit log cannot be written");
    assertThat(mgmt.status(Opcode.GET_RANDOM, 0, new GetRandomRequest(16)))
        .isEqualTo(Status.DEVICE_NOT_OPERATIONAL);
  }

  /**
   * An independent re-computation of the chain: SHA-384(previous hash || seq|time|event|detail).
   */
  static boolean chainIsIntact(String export) {
    try {
      List<String> lines = export.lines().toList();
      byte[] prev = new byte[48];
      long seq = 0;
      for (String line : lines.subList(0, lines.size() - 1)) {
        String[] f = line.split("\\|", -1);
        if (f[0].equals("anchor")) {
          seq = Long.parseLong(f[1]) + 1;
          prev = HexFormat.of().parseHex(f[2]);
          continue;
        }
        if (Long.parseLong(f[0]) != seq++) {
          return false;
        }
        MessageDigest d = MessageDigest.getInstance("SHA-384");
        d.update(prev);
        d.update(line.substring(0, line.lastIndexOf('|')).getBytes(StandardCharsets.UTF_8));
        prev = d.digest();
        if (!MessageDigest.isEqual(prev, HexFormat.of().parseHex(f[4]))) {
          return false;
        }
      }
      String[] head = lines.get(lines.size() - 1).split("\\|");
      return head[0].equals("head")
          && Long.parseLong(head[1]) == seq - 1
          && head[2].equals(HexFormat.of().formatHex(prev));
    } catch (Exception e) {
      return false;
    }
  }
}
