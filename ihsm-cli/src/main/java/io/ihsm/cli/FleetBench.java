package io.ihsm.cli;

import io.ihsm.bench.DaemonProcess;
import io.ihsm.ddi.credential.Credential;
import io.ihsm.ddi.domain.DomainPolicy;
import io.ihsm.ddi.message.PartitionLimits;
import io.ihsm.host.store.FleetStore;
import io.ihsm.host.store.FleetStores;
import io.ihsm.sdk.CryptoOfficerSession;
import io.ihsm.sdk.DeviceAddress;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.IhsmException;
import io.ihsm.sdk.PartitionClient;
import io.ihsm.sdk.fleet.Remasker;
import io.ihsm.sdk.fleet.SecurityDomains;
import io.ihsm.sdk.key.HashFunction;
import io.ihsm.sdk.key.KeyPurpose;
import io.ihsm.sdk.key.KeyType;
import io.ihsm.sdk.signature.EcdsaParameters;
import io.ihsm.sdk.store.HostKeyStore;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The fleet's figures, in one run: three devices (embedded, one per home, each with its own device
 * and SDK client) in one domain over one store: how long from a key acknowledged on A to its first
 * signature on B, how fast the re-masker moves blobs to a new epoch, and how many signatures three
 * members make together against one member alone, measured in the same run.
 */
final class FleetBench {
  static final String PIN = "bench-pin-1234";
  static final int PROPAGATIONS = 200;
  static final int REMASK_KEYS = 200;

  record Figures(
      String store,
      double propagationP50Micros,
      double propagationP99Micros,
      int remasked,
      double remaskPerSecond,
      double oneMemberSignsPerSecond,
      double threeMembersSignsPerSecond) {}

  private record Member(Path home, IhsmClient hsm, CryptoOfficerSession co, HostKeyStore keys) {}

  static Figures run(
      String address, Path work, Duration time, List<String> daemonCommand, PrintWriter log)
      throws Exception {
    List<AutoCloseable> open = new ArrayList<>();
    try (FleetStore store = FleetStores.open(address)) {
      if (!store.list("").isEmpty()) {
        throw new CliFailure(
            "the fleet benchmark makes its own domain: it needs an empty store (a new etcd cluster,"
                + " or `etcdctl del --prefix /ihsm/` on one kept for it)");
      }
      ManufacturerCa ca = ManufacturerCa.load(work.resolve("factory"), null, null);
      List<Member> members = new ArrayList<>();
      for (String name : List.of("a", "b", "c")) {
        Path home = work.resolve(name);
        Path daemonDir = Files.createDirectories(work.resolve(name + "-daemon"));
        DaemonProcess daemon = DaemonProcess.start(daemonCommand, daemonDir);
        open.add(daemon);
        IhsmClient hsm = IhsmClient.connect(DeviceAddress.daemon(daemon.socketDir()));
        open.add(hsm);
        ca.manufacture(hsm);
        Credential officer = Credential.of(new byte[16], "bench-officer-pin");
        hsm.initCryptoOfficer(officer);
        CryptoOfficerSession co = hsm.loginCryptoOfficer(officer);
        open.add(co);
        members.add(new Member(home, hsm, co, HostKeyStore.on(store, home)));
      }
      Member a = members.get(0);
      SecurityDomains.create(a.hsm(), a.co(), store, DomainPolicy.CREATOR_DEFAULTS);
      for (Member m : members.subList(1, 3)) {
        join(m, a, store);
      }
      log.println("fleet: 3 members in one domain over " + address);
      KeyPairGenerator owner = KeyPairGenerator.getInstance("EC");
      owner.initialize(new ECGenParameterSpec("secp384r1"));
      PartitionClient.create(
          a.hsm(),
          a.co(),
          a.keys(),
          "bench",
          PartitionLimits.DEFAULTS,
          owner.generateKeyPair().getPublic().getEncoded(),
          PIN);
      List<PartitionClient> apps = new ArrayList<>();
      for (Member m : members) {
        PartitionClient app = PartitionClient.open(m.hsm(), m.keys(), "bench", PIN);
        open.add(app);
        apps.add(app);
      }
      EcdsaParameters ecdsa = EcdsaParameters.of(HashFunction.SHA256, EcdsaParameters.Encoding.DER);
      byte[] message = new byte[32];

      // Created on A (acknowledged: filed in the store) to usable on B (its first signature).
      long[] micros = new long[PROPAGATIONS];
      for (int i = 0; i < PROPAGATIONS; i++) {
        String label = "p" + i;
        apps.get(0).generate(label, KeyType.EC_P256, KeyPurpose.SIGN, false);
        long start = System.nanoTime();
        while (true) {
          try {
            apps.get(1).sign(label, ecdsa, message);
            break;
          } catch (IhsmException notYet) {
            // LABEL_NOT_FOUND until B reads it from the store
          }
        }
        micros[i] = (System.nanoTime() - start) / 1000;
      }
      Arrays.sort(micros);
      log.println("fleet: propagation measured over " + PROPAGATIONS + " keys");

      // Sign throughput: one member alone, then the three together, in this run.
      apps.get(0).generate("signer", KeyType.EC_P256, KeyPurpose.SIGN, false);
      double one = signRate(apps.subList(0, 1), ecdsa, message, time);
      double three = signRate(apps, ecdsa, message, time);
      log.println("fleet: sign throughput measured");

      // Re-masking: a store of keys moved to a new epoch through one member.
      for (int i = 0; i < REMASK_KEYS; i++) {
        apps.get(0).generate("r" + i, KeyType.AES_256, KeyPurpose.ENCRYPT, false);
      }
      SecurityDomains.rotate(a.co(), store);
      long start = System.nanoTime();
      Remasker.Result r = Remasker.run(a.hsm(), a.keys());
      double seconds = (System.nanoTime() - start) / 1e9;
      log.println("fleet: re-masked " + r.remasked() + " blobs");
      return new Figures(
          address.startsWith("etcd:") ? "etcd" : "file",
          micros[PROPAGATIONS / 2],
          micros[PROPAGATIONS * 99 / 100],
          r.remasked(),
          r.remasked() / seconds,
          one,
          three);
    } finally {
      for (AutoCloseable c : open.reversed()) {
        try {
          c.close();
        } catch (Exception e) {
          log.println("fleet: closing: " + e.getMessage());
        }
      }
    }
  }

  private static void join(Member joiner, Member member, FleetStore store) throws Exception {
    LinkedBlockingQueue<String> tickets = new LinkedBlockingQueue<>();
    ExecutorService ex = Executors.newSingleThreadExecutor();
    try {
      Future<?> joined =
          ex.submit(
              () ->
                  SecurityDomains.join(
                      joiner.hsm(), joiner.co(), store, Duration.ofSeconds(60), tickets::add));
      String ticket = tickets.poll(60, TimeUnit.SECONDS);
      if (ticket == null) {
        throw new IllegalStateException("the joining member filed no ticket");
      }
      SecurityDomains.approve(member.hsm(), member.co(), store, ticket, Duration.ofSeconds(60));
      joined.get(60, TimeUnit.SECONDS);
    } finally {
      ex.shutdownNow();
    }
  }

  /** Signatures per second of {@code apps} signing side by side, one thread each. */
  private static double signRate(
      List<PartitionClient> apps, EcdsaParameters ecdsa, byte[] message, Duration time)
      throws Exception {
    for (PartitionClient app : apps) {
      app.sign("signer", ecdsa, message); // loaded before the clock starts
    }
    ExecutorService ex = Executors.newFixedThreadPool(apps.size());
    try {
      long deadline = System.nanoTime() + time.toNanos();
      List<Future<Long>> counts = new ArrayList<>();
      for (PartitionClient app : apps) {
        Callable<Long> loop =
            () -> {
              long n = 0;
              while (System.nanoTime() < deadline) {
                app.sign("signer", ecdsa, message);
                n++;
              }
              return n;
            };
        counts.add(ex.submit(loop));
      }
      long total = 0;
      for (Future<Long> f : counts) {
        total += f.get();
      }
      return total / (time.toNanos() / 1e9);
    } finally {
      ex.shutdownNow();
    }
  }
}
