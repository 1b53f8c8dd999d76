package io.ihsm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.ddi.key.Algorithm;
import io.ihsm.ddi.key.HashAlgorithm;
import io.ihsm.ddi.key.Operation;
import io.ihsm.ddi.message.DeviceState;
import io.ihsm.ddi.message.PartitionLimits;
import io.ihsm.device.nv.StateDirectory;
import io.ihsm.sdk.CryptoOfficerSession;
import io.ihsm.sdk.DeviceAddress;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.PartitionClient;
import io.ihsm.sdk.audit.AuditVerifier;
import io.ihsm.sdk.store.HostKeyStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL at random points while the device's durable state changes (key creation, PIN failures,
 * audit appends, partition creation, firmware SVN commits), through a daemon and a client process
 * killed together, {@value #DEFAULT_CYCLES} times (more with -Dihsm.crash.cycles=N). After every
 * kill: the stored state verifies (the device comes back OPERATIONAL), no acknowledged key is lost
 * (each still signs), the audit chain verifies, and no counter went back (boot count, the failure
 * count of a partition only ever given wrong PINs, the fused SVN).
 */
class CrashConsistencyTest {
  static final int DEFAULT_CYCLES = 30;

  @TempDir Path tmp;

  Process daemon;
  Process workload;

  static byte[] ownerAnchor() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp384r1"));
      return g.generateKeyPair().getPublic().getEncoded();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterEach
  void killAll() {
    for (Process p : new Process[] {daemon, workload}) {
      if (p != null) {
        p.destroyForcibly();
      }
    }
  }

  @Test
  void killedAtRandomPointsTheDeviceLosesNothingAcknowledgedAndNoCounterGoesBack()
      throws Exception {
    int cycles = Integer.getInteger("ihsm.crash.cycles", DEFAULT_CYCLES);
    Path home = tmp.resolve("home");
    Path sockets = tmp.resolve("sock");
    Path acks = tmp.resolve("acks");
    Random random = new Random(Long.getLong("ihsm.crash.seed", 16L));
    daemon = DaemonProcessTest.startDaemon(tmp, sockets);
    try (IhsmClient hsm = IhsmClient.connect(DeviceAddress.daemon(sockets))) {
      hsm.initCryptoOfficer(CrashWorkload.officer());
      try (CryptoOfficerSession co = hsm.loginCryptoOfficer(CrashWorkload.officer())) {
        HostKeyStore store = HostKeyStore.at(home);
        PartitionClient.create(
            hsm, co, store, "crash", PartitionLimits.DEFAULTS, ownerAnchor(), CrashWorkload.PIN);
        PartitionClient.create(
            hsm,
            co,
            store,
            CrashWorkload.PIN_WALL,
            CrashWorkload.WALL,
            ownerAnchor(),
            "wall-pin-1234");
      }
    }
    int lastBoots = 0;
    int lastWall = 0;
    int lastSvn = 0;
    int killedMidWork = 0;
    for (int cycle = 0; cycle < cycles; cycle++) {
      workload =
          new ProcessBuilder(workloadCommand(home, sockets, acks, cycle))
              .redirectErrorStream(true)
              .redirectOutput(tmp.resolve("workload.log").toFile())
              .start();
      Thread.sleep(700 + random.nextInt(1300));
      if (workload.isAlive()) {
        killedMidWork++;
      }
      // Both die at once, in either order: a kill in the middle of whatever either was writing.
      if (random.nextBoolean()) {
        daemon.destroyForcibly();
        workload.destroyForcibly();
      } else {
        workload.destroyForcibly();
        daemon.destroyForcibly();
      }
      assertThat(daemon.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(workload.waitFor(20, TimeUnit.SECONDS)).isTrue();

      // The state on disk verifies whole, and its counters only went up.
      try (StateDirectory state = StateDirectory.open(tmp.resolve("state"))) {
        assertThat(state.integrityFailure()).as("cycle " + cycle).isEmpty();
        int boots = state.firmwareNv().readCounter("boot-count");
        int wall = state.firmwareNv().readCounter("pin-failures-2");
        int svn = state.rom().readCounter("fused-svn");
        assertThat(boots).as("boot count, cycle " + cycle).isGreaterThan(lastBoots);
        assertThat(wall)
            .as("failure count, cycle " + cycle)
            .isGreaterThanOrEqualTo(lastWall)
            .isGreaterThanOrEqualTo((int) Math.min(100, count(acks, "pinfail")));
        assertThat(svn).as("fused SVN, cycle " + cycle).isGreaterThanOrEqualTo(lastSvn);
        lastBoots = boots;
        lastWall = wall;
        lastSvn = svn;
      }
      daemon = DaemonProcessTest.startDaemon(tmp, sockets);
      checkEverythingAcknowledgedIsThere(home, sockets, acks, cycle);
    }
    System.out.printf(
        "crash consistency: %d kill cycles, %d mid-work, %d keys, %d PIN failures, %d partitions,"
            + " %d SVN commits acknowledged; boot count %d%n",
        cycles,
        killedMidWork,
        count(acks, "key "),
        count(acks, "pinfail"),
        count(acks, "partition "),
        count(acks, "svn"),
        lastBoots);
    assertThat(killedMidWork)
        .as("most kills hit a workload in the middle of its work")
        .isGreaterThan(cycles / 2);
    assertThat(count(acks, "key ")).as("keys were made and acknowledged").isGreaterThan(cycles);
  }

  private List<String> workloadCommand(Path home, Path sockets, Path acks, int cycle) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElseThrow());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(CrashWorkload.class.getName());
    cmd.add(home.toString());
    cmd.add(sockets.toString());
    cmd.add(acks.toString());
    cmd.add(Integer.toString(cycle));
    return cmd;
  }

  private static long count(Path acks, String prefix) throws Exception {
    return Files.exists(acks)
        ? Files.readAllLines(acks).stream().filter(l -> l.startsWith(prefix)).count()
        : 0;
  }

  private static void checkEverythingAcknowledgedIsThere(
      Path home, Path sockets, Path acks, int cycle) throws Exception {
    List<String> lines = Files.exists(acks) ? Files.readAllLines(acks) : List.of();
    HostKeyStore store = HostKeyStore.at(home);
    try (IhsmClient hsm = IhsmClient.connect(DeviceAddress.daemon(sockets))) {
      assertThat(hsm.deviceStatus().state())
          .as("cycle " + cycle)
          .isEqualTo(DeviceState.OPERATIONAL);
      try (PartitionClient app = PartitionClient.open(hsm, store, "crash", CrashWorkload.PIN)) {
        // Every key acknowledged so far, in this cycle or any before: a later kill must not lose an
        // earlier key.
        for (String line : lines) {
          if (line.startsWith("key ")) {
            String label = line.substring(4);
            byte[] sig =
                app.sign(
                    label,
                    Operation.of(0, Algorithm.ECDSA, new byte[32]).withHash(HashAlgorithm.SHA256));
            assertThat(sig).as("acknowledged key " + label + " signs after the kill").isNotEmpty();
          }
        }
      }
      for (String line : lines) {
        if (line.startsWith("partition ")) {
          assertThat(store.partition(line.substring(10))).as(line).isPresent();
        }
      }
      try (CryptoOfficerSession co = hsm.loginCryptoOfficer(CrashWorkload.officer())) {
        AuditVerifier.Result audit =
            AuditVerifier.verify(co.exportAuditLog(), hsm.auditPublicKey());
        assertThat(audit.valid())
            .as("audit chain, cycle " + cycle + ": " + audit.reason())
            .isTrue();
      }
    }
  }
}
