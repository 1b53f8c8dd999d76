package io.ihsm.cli;

import static io.ihsm.cli.CliRun.inHome;
import static io.ihsm.cli.CliRun.okInHome;
import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.sdk.DeviceAddress;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.store.testing.EtcdCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three device daemons (`ihsm daemon --domain`, each its own process) and a 3-member etcd cluster
 * on loopback (a file store where etcd is not installed): genesis and two joins through the command
 * line, a partition and key made on A, adopted by B's and C's daemons as the store's watch reports
 * them, and used on C.
 */
class FleetDaemonTest {
  static final String PIN = "daemon-pin-1234";

  @TempDir Path dir;
  final List<Process> daemons = new ArrayList<>();

  @AfterEach
  void stop() {
    daemons.forEach(Process::destroyForcibly);
  }

  /** A server: its home and its daemon's socket directory. */
  record Server(Path home, Path sockets, Path log) {
    String[] with(String... args) {
      String[] all = new String[args.length + 2];
      all[0] = "--socket-dir";
      all[1] = sockets.toString();
      System.arraycopy(args, 0, all, 2, args.length);
      return all;
    }

    CliRun ok(String... args) {
      return okInHome(home, with(args));
    }
  }

  Server daemon(String name, String store) throws Exception {
    Path home = dir.resolve(name);
    Path sockets = dir.resolve(name + "-sock");
    Files.createDirectories(home);
    Path log = dir.resolve(name + "-daemon.log");
    Process p =
        DaemonProcessTest.ihsm(
                List.of(
                    "--home",
                    home.toString(),
                    "daemon",
                    "--socket-dir",
                    sockets.toString(),
                    "--domain",
                    store))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    daemons.add(p);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!Files.readString(log).contains("serving")) {
      assertThat(p.isAlive()).as("daemon exited:\n%s", Files.readString(log)).isTrue();
      assertThat(System.nanoTime()).as("daemon did not start").isLessThan(deadline);
      Thread.sleep(50);
    }
    assertThat(Files.readString(log)).contains("fleet store " + store);
    return new Server(home, sockets, log);
  }

  @Test
  void threeDaemonsJoinAndEachTakesOnThePartitionsOfTheDomain() throws Exception {
    EtcdCluster etcd =
        EtcdCluster.unavailable() == null ? EtcdCluster.start(dir.resolve("etcd"), 3) : null;
    try {
      run(etcd != null ? etcd.address() : "file:" + dir.resolve("store"));
    } finally {
      if (etcd != null) {
        etcd.close();
      }
    }
  }

  void run(String store) throws Exception {
    Server a = daemon("a", store);
    Server b = daemon("b", store);
    Server c = daemon("c", store);
    a.ok("device", "manufacture");
    String caKey = a.home().resolve("manufacturer/dev-ca.pk8").toString();
    String caCert = a.home().resolve("manufacturer/dev-ca.der").toString();
    for (Server s : List.of(a, b, c)) {
      if (s != a) {
        s.ok("device", "manufacture", "--ca-key", caKey, "--ca-cert", caCert);
      }
      s.ok("device", "init");
    }
    a.ok("domain", "create", "--store", store);
    DomainCliTest.join(
        args -> inHome(b.home(), b.with(args)),
        args -> inHome(a.home(), a.with(args)),
        store,
        null);
    DomainCliTest.join(
        args -> inHome(c.home(), c.with(args)),
        args -> inHome(b.home(), b.with(args)),
        store,
        null);

    a.ok("partition", "create", "pay", "--pin-file", PinFiles.of(PIN));
    a.ok(
        "key",
        "generate",
        "--partition",
        "pay",
        "--kind",
        "ec-p256",
        "--usage",
        "sign",
        "--label",
        "signer",
        "--pin-file",
        PinFiles.of(PIN));
    // B's and C's daemons take the partition on as the store's watch reports it.
    for (Server s : List.of(b, c)) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!Files.readString(s.log()).contains("partition pay is id")) {
        assertThat(System.nanoTime())
            .as("%s adopted nothing:%n%s", s.home(), Files.readString(s.log()))
            .isLessThan(deadline);
        Thread.sleep(50);
      }
      // What an application that reaches only partition sockets does to find it.
      try (IhsmClient app = IhsmClient.connect(DeviceAddress.daemon(s.sockets()))) {
        OptionalInt id = app.findPartition("pay");
        assertThat(id).isPresent();
        assertThat(Files.readString(s.log())).contains("partition pay is id " + id.getAsInt());
        assertThat(app.findPartition("nothing-here")).isEmpty();
      }
    }
    Path data = Files.writeString(dir.resolve("data.txt"), "from C");
    c.ok(
        "sign",
        "--partition",
        "pay",
        "--key",
        "signer",
        "--alg",
        "SHA256withECDSA",
        "--pin-file",
        PinFiles.of(PIN),
        "--in",
        data.toString(),
        "--out",
        dir.resolve("sig").toString());
    Path pub = dir.resolve("signer.pub");
    a.ok(
        "key",
        "public",
        "--partition",
        "pay",
        "--label",
        "signer",
        "--pem",
        "--out",
        pub.toString());
    assertThat(DomainCliTest.verifies(pub, data, dir.resolve("sig"))).isTrue();
    for (Server s : List.of(a, b, c)) {
      assertThat(Files.readString(s.log())).doesNotContain(PIN);
    }
  }
}
