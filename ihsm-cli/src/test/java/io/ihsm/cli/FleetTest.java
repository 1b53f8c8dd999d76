package io.ihsm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ihsm.ddi.Status;
import io.ihsm.ddi.credential.Credential;
import io.ihsm.ddi.domain.DomainPolicy;
import io.ihsm.ddi.domain.DomainStatus;
import io.ihsm.ddi.message.PartitionLimits;
import io.ihsm.host.store.FileFleetStore;
import io.ihsm.host.store.FleetStore;
import io.ihsm.host.store.FleetStores;
import io.ihsm.host.store.StoreException;
import io.ihsm.sdk.CryptoOfficerSession;
import io.ihsm.sdk.DeviceAddress;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.IhsmException;
import io.ihsm.sdk.PartitionClient;
import io.ihsm.sdk.fleet.DomainRecords;
import io.ihsm.sdk.fleet.Remasker;
import io.ihsm.sdk.fleet.SecurityDomains;
import io.ihsm.sdk.key.HashFunction;
import io.ihsm.sdk.key.KeyPurpose;
import io.ihsm.sdk.key.KeyType;
import io.ihsm.sdk.signature.EcdsaParameters;
import io.ihsm.sdk.store.HostKeyStore;
import io.ihsm.store.testing.EtcdCluster;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet end to end on one machine: three devices (each with its own home, embedded) sharing one
 * store, first a file store, then a real 3-member etcd cluster. Genesis and two attested joins
 * carried through the store; a partition made on A opened on B and C with its PIN; one label
 * created on two servers at once; a device outside the domain refused.
 */
class FleetTest {
  static final String PIN = "fleet-pin-1234";
  static final Credential CO = Credential.of(new byte[16], "officer-pin");
  static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;
  final List<AutoCloseable> open = new ArrayList<>();

  /** One server: its home, its device and the Crypto Officer's session on it. */
  record Server(Path home, IhsmClient hsm, CryptoOfficerSession co) {}

  Server server(String name, ManufacturerCa ca) {
    Path home = dir.resolve(name);
    IhsmClient hsm = IhsmClient.connect(DeviceAddress.embedded(home));
    open.add(hsm);
    ca.manufacture(hsm);
    hsm.initCryptoOfficer(CO);
    CryptoOfficerSession co = hsm.loginCryptoOfficer(CO);
    open.add(co);
    return new Server(home, hsm, co);
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open.reversed()) {
      c.close();
    }
  }

  /** Creates and provisions a partition on {@code s}'s device, filed in {@code keys}. */
  static void createPartition(Server s, HostKeyStore keys, String name) throws Exception {
    KeyPairGenerator owner = KeyPairGenerator.getInstance("EC");
    owner.initialize(new ECGenParameterSpec("secp384r1"));
    PartitionClient.create(
        s.hsm(),
        s.co(),
        keys,
        name,
        PartitionLimits.DEFAULTS,
        owner.generateKeyPair().getPublic().getEncoded(),
        PIN);
  }

  /** B joins through the store while A approves its ticket. */
  static DomainStatus join(Server joiner, Server member, FleetStore store) throws Exception {
    LinkedBlockingQueue<String> tickets = new LinkedBlockingQueue<>();
    CompletableFuture<DomainStatus> joined =
        CompletableFuture.supplyAsync(
            () -> SecurityDomains.join(joiner.hsm(), joiner.co(), store, WAIT, tickets::add));
    String ticket = tickets.poll(60, TimeUnit.SECONDS);
    assertThat(ticket).as("the joiner filed a ticket").isNotNull();
    assertThat(new DomainRecords(store).pendingJoins())
        .extracting(DomainRecords.Ticket::id)
        .contains(ticket);
    SecurityDomains.approve(member.hsm(), member.co(), store, ticket, WAIT);
    return joined.get(60, TimeUnit.SECONDS);
  }

  @Test
  void aPartitionMadeOnOneServerIsUsableOnEveryMemberWithAFileStore() throws Exception {
    try (FleetStore store = FileFleetStore.open(dir.resolve("shared-store"))) {
      scenario(store);
    }
  }

  @Test
  void aPartitionMadeOnOneServerIsUsableOnEveryMemberWithAnEtcdCluster() throws Exception {
    String why = EtcdCluster.unavailable();
    assumeTrue(why == null, why);
    try (EtcdCluster etcd = EtcdCluster.start(dir.resolve("etcd"), 3);
        FleetStore store = FleetStores.open(etcd.address())) {
      scenario(store);
    }
  }

  @Test
  void aRotationAfterARevocationLeavesTheRemovedDeviceOnlyBlobsItCannotOpen() throws Exception {
    try (FleetStore store = FileFleetStore.open(dir.resolve("shared-store"))) {
      rotation(store);
    }
  }

  @Test
  void aRotationAfterARevocationWithAnEtcdCluster() throws Exception {
    String why = EtcdCluster.unavailable();
    assumeTrue(why == null, why);
    try (EtcdCluster etcd = EtcdCluster.start(dir.resolve("etcd"), 3);
        FleetStore store = FleetStores.open(etcd.address())) {
      rotation(store);
    }
  }

  @Test
  void withEtcdDownAKeyCreationFailsClearlyLeavesNothingAndSucceedsWhenItIsBack() throws Exception {
    String why = EtcdCluster.unavailable();
    assumeTrue(why == null, why);
    try (EtcdCluster etcd = EtcdCluster.start(dir.resolve("etcd"), 3);
        FleetStore store = FleetStores.open(etcd.address())) {
      Server a = server("a", ManufacturerCa.load(dir.resolve("factory"), null, null));
      SecurityDomains.create(a.hsm(), a.co(), store, DomainPolicy.CREATOR_DEFAULTS);
      HostKeyStore keys = HostKeyStore.on(store, a.home());
      createPartition(a, keys, "ops");
      try (PartitionClient app = PartitionClient.open(a.hsm(), keys, "ops", PIN)) {
        for (int m = 0; m < 3; m++) {
          etcd.kill(m);
        }
        assertThatThrownBy(() -> app.generate("k", KeyType.AES_256, KeyPurpose.ENCRYPT, false))
            .isInstanceOfSatisfying(
                StoreException.class,
                e -> {
                  assertThat(e.reason()).isEqualTo(StoreException.Reason.UNAVAILABLE);
                  assertThat(e.getMessage()).contains("127.0.0.1");
                });
        etcd.restartKilled();
        assertThat(app.hasKey("k")).as("nothing half-written").isFalse();
        app.generate("k", KeyType.AES_256, KeyPurpose.ENCRYPT, false);
        assertThat(app.keys()).extracting(HostKeyStore.StoredKey::label).containsExactly("k");
      }
    }
  }

  @Test
  void killingTheEtcdLeaderDuringKeyCreationLosesNoAcknowledgedKey() throws Exception {
    String why = EtcdCluster.unavailable();
    assumeTrue(why == null, why);
    try (EtcdCluster etcd = EtcdCluster.start(dir.resolve("etcd"), 3);
        FleetStore store = FleetStores.open(etcd.address())) {
      Server a = server("a", ManufacturerCa.load(dir.resolve("factory"), null, null));
      SecurityDomains.create(a.hsm(), a.co(), store, DomainPolicy.CREATOR_DEFAULTS);
      HostKeyStore keys = HostKeyStore.on(store, a.home());
      createPartition(a, keys, "ops");
      List<String> acknowledged = new ArrayList<>();
      List<String> failed = new ArrayList<>();
      try (PartitionClient app = PartitionClient.open(a.hsm(), keys, "ops", PIN)) {
        for (int i = 0; i < 40; i++) {
          if (i == 10) {
            etcd.kill(etcd.leader());
          }
          try {
            app.generate("k" + i, KeyType.AES_256, KeyPurpose.ENCRYPT, false);
            acknowledged.add("k" + i);
          } catch (StoreException e) {
            failed.add("k" + i);
          }
        }
      }
      assertThat(acknowledged).hasSizeGreaterThan(10);
      try (PartitionClient app = PartitionClient.open(a.hsm(), keys, "ops", PIN)) {
        byte[] message = "still here".getBytes();
        for (String label : acknowledged) {
          assertThat(
                  app.encrypt(label, io.ihsm.sdk.cipher.AesGcmParameters.create(), message).bytes())
              .as("acknowledged " + label)
              .isNotEmpty();
        }
        for (String label : failed) {
          if (app.hasKey(label)) { // applied before the timeout: then whole
            assertThat(
                    app.encrypt(label, io.ihsm.sdk.cipher.AesGcmParameters.create(), message)
                        .bytes())
                .isNotEmpty();
          }
        }
      }
    }
  }

  @Test
  void aJoinWaitsForTheApprovalsTheDomainAsksFor() throws Exception {
    try (FleetStore store = FileFleetStore.open(dir.resolve("shared-store"))) {
      ManufacturerCa ca = ManufacturerCa.load(dir.resolve("factory"), null, null);
      Server a = server("a", ca);
      Server b = server("b", ca);
      List<java.security.KeyPair> approvers = new ArrayList<>();
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp384r1"));
      for (int i = 0; i < 3; i++) {
        approvers.add(g.generateKeyPair());
      }
      SecurityDomains.create(
          a.hsm(),
          a.co(),
          store,
          new DomainPolicy(
              new byte[0],
              0,
              List.of(),
              0,
              List.of(),
              2,
              approvers.stream().map(k -> k.getPublic().getEncoded()).toList()));
      LinkedBlockingQueue<String> tickets = new LinkedBlockingQueue<>();
      CompletableFuture<DomainStatus> joining =
          CompletableFuture.supplyAsync(
              () -> SecurityDomains.join(b.hsm(), b.co(), store, WAIT, tickets::add));
      String ticket = tickets.poll(60, TimeUnit.SECONDS);
      assertThatThrownBy(() -> SecurityDomains.approve(a.hsm(), a.co(), store, ticket, WAIT))
          .as("no approval filed")
          .isInstanceOfSatisfying(
              IhsmException.class, e -> assertThat(e.status()).isEqualTo(Status.JOIN_REFUSED));
      java.security.KeyPair stranger = g.generateKeyPair();
      assertThatThrownBy(
              () ->
                  SecurityDomains.endorse(
                      store, ticket, stranger.getPrivate(), stranger.getPublic().getEncoded()))
          .hasMessageContaining("not one of the domain's approvers");
      assertThat(
              SecurityDomains.endorse(
                  store,
                  ticket,
                  approvers.get(2).getPrivate(),
                  approvers.get(2).getPublic().getEncoded()))
          .isEqualTo(2);
      assertThatThrownBy(
              () ->
                  SecurityDomains.endorse(
                      store,
                      ticket,
                      approvers.get(2).getPrivate(),
                      approvers.get(2).getPublic().getEncoded()))
          .hasMessageContaining("already");
      assertThatThrownBy(() -> SecurityDomains.approve(a.hsm(), a.co(), store, ticket, WAIT))
          .as("one of two")
          .isInstanceOfSatisfying(
              IhsmException.class, e -> assertThat(e.status()).isEqualTo(Status.JOIN_REFUSED));
      SecurityDomains.endorse(
          store, ticket, approvers.get(0).getPrivate(), approvers.get(0).getPublic().getEncoded());
      SecurityDomains.approve(a.hsm(), a.co(), store, ticket, WAIT);
      assertThat(joining.get(60, TimeUnit.SECONDS).member()).isTrue();
    }
  }

  void rotation(FleetStore store) throws Exception {
    ManufacturerCa ca = ManufacturerCa.load(dir.resolve("factory"), null, null);
    Server a = server("a", ca);
    Server b = server("b", ca);
    Server c = server("c", ca);
    SecurityDomains.create(a.hsm(), a.co(), store, DomainPolicy.CREATOR_DEFAULTS);
    join(b, a, store);
    join(c, a, store);
    HostKeyStore storeA = HostKeyStore.on(store, a.home());
    HostKeyStore storeB = HostKeyStore.on(store, b.home());
    createPartition(a, storeA, "vault");
    byte[] message = "rotate me".getBytes();
    EcdsaParameters ecdsa = EcdsaParameters.of(HashFunction.SHA256, EcdsaParameters.Encoding.DER);
    byte[] publicKey;
    try (PartitionClient app = PartitionClient.open(a.hsm(), storeA, "vault", PIN)) {
      publicKey = app.generate("k1", KeyType.EC_P256, KeyPurpose.SIGN, false).publicKey();
    }
    byte[] oldPartitionBlob = storeA.partition("vault").orElseThrow().partitionBlob();

    String cId =
        new DomainRecords(store)
            .members().stream()
                .filter(
                    m -> Arrays.equals(m.deviceIdCertificate(), c.hsm().certificateChain().get(1)))
                .findFirst()
                .orElseThrow()
                .id();
    assertThat(SecurityDomains.revoke(a.co(), store, cId).epoch()).isEqualTo(2);
    assertThat(new DomainRecords(store).members()).hasSize(2);
    assertThat(join(b, a, store).epoch()).as("B gets epoch 2 by the same exchange").isEqualTo(2);

    // C asks too, and is refused by the member's device.
    LinkedBlockingQueue<String> tickets = new LinkedBlockingQueue<>();
    CompletableFuture<DomainStatus> cAsks =
        CompletableFuture.supplyAsync(
            () ->
                SecurityDomains.join(c.hsm(), c.co(), store, Duration.ofSeconds(3), tickets::add));
    String ticket = tickets.poll(60, TimeUnit.SECONDS);
    assertThatThrownBy(() -> SecurityDomains.approve(a.hsm(), a.co(), store, ticket, WAIT))
        .isInstanceOfSatisfying(
            IhsmException.class, e -> assertThat(e.status()).isEqualTo(Status.JOIN_REFUSED));
    assertThatThrownBy(() -> cAsks.get(60, TimeUnit.SECONDS))
        .hasMessageContaining("no member admitted");
    assertThat(c.hsm().domainStatus().epoch()).isEqualTo(1);

    // The re-masker, twice: the second run finds nothing left to do.
    Remasker.Result first = Remasker.run(b.hsm(), storeB);
    assertThat(first.remasked()).isEqualTo(2);
    assertThat(Remasker.run(b.hsm(), storeB).remasked()).isZero();
    for (Server s : List.of(a, b)) {
      SecurityDomains.retire(s.co(), HostKeyStore.on(store, s.home()), 1);
    }
    assertThat(Remasker.epochOf(storeA.partition("vault").orElseThrow().partitionBlob()))
        .isEqualTo(2);

    // Every remaining member signs with the key as before.
    for (Server s : List.of(a, b)) {
      try (PartitionClient app =
          PartitionClient.open(s.hsm(), HostKeyStore.on(store, s.home()), "vault", PIN)) {
        Signature jdk = Signature.getInstance("SHA256withECDSA");
        jdk.initVerify(
            KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(publicKey)));
        jdk.update(message);
        assertThat(jdk.verify(app.sign("k1", ecdsa, message))).isTrue();
      }
    }
    // The old blob a store (or a thief) kept opens on no remaining member...
    int idOnA = storeA.partition("vault").orElseThrow().id();
    try (var p = a.hsm().partition(idOnA)) {
      assertThatThrownBy(() -> p.reestablish(oldPartitionBlob))
          .isInstanceOfSatisfying(
              IhsmException.class, e -> assertThat(e.status()).isEqualTo(Status.EPOCH_RETIRED));
    }
    // ...and what the store holds now opens nowhere outside the remaining members.
    assertThatThrownBy(
            () -> PartitionClient.open(c.hsm(), HostKeyStore.on(store, c.home()), "vault", PIN))
        .isInstanceOfSatisfying(
            IhsmException.class, e -> assertThat(e.status()).isEqualTo(Status.EPOCH_RETIRED));
  }

  void scenario(FleetStore store) throws Exception {
    ManufacturerCa ca = ManufacturerCa.load(dir.resolve("factory"), null, null);
    Server a = server("a", ca);
    Server b = server("b", ca);
    Server c = server("c", ca);

    DomainStatus genesis =
        SecurityDomains.create(a.hsm(), a.co(), store, DomainPolicy.CREATOR_DEFAULTS);
    assertThatThrownBy(
            () -> SecurityDomains.create(b.hsm(), b.co(), store, DomainPolicy.CREATOR_DEFAULTS))
        .as("one domain per store")
        .hasMessageContaining("holds a security domain already");
    assertThat(join(b, a, store).domainId()).isEqualTo(genesis.domainId());
    assertThat(join(c, b, store).domainId()).isEqualTo(genesis.domainId());
    assertThat(new DomainRecords(store).members()).hasSize(3);
    assertThat(new DomainRecords(store).pendingJoins()).as("tickets closed").isEmpty();

    // Made on A...
    HostKeyStore storeA = HostKeyStore.on(store, a.home());
    createPartition(a, storeA, "payments");
    byte[] message = "settle batch 42".getBytes();
    EcdsaParameters ecdsa = EcdsaParameters.of(HashFunction.SHA256, EcdsaParameters.Encoding.DER);
    byte[] publicKey;
    try (PartitionClient app = PartitionClient.open(a.hsm(), storeA, "payments", PIN)) {
      publicKey = app.generate("signer", KeyType.EC_P256, KeyPurpose.SIGN, false).publicKey();
    }
    // ...used on B and C, with the same name and PIN.
    for (Server s : List.of(b, c)) {
      try (PartitionClient app =
          PartitionClient.open(s.hsm(), HostKeyStore.on(store, s.home()), "payments", PIN)) {
        byte[] signature = app.sign("signer", ecdsa, message);
        Signature jdk = Signature.getInstance("SHA256withECDSA");
        jdk.initVerify(
            KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(publicKey)));
        jdk.update(message);
        assertThat(jdk.verify(signature)).as("the key A made signs on " + s.home()).isTrue();
      }
    }
    assertThatThrownBy(
            () ->
                PartitionClient.open(
                    b.hsm(), HostKeyStore.on(store, b.home()), "payments", "wrong-pin-1234"))
        .isInstanceOfSatisfying(
            IhsmException.class,
            e -> assertThat(e.status()).isEqualTo(Status.AUTHENTICATION_FAILED));

    // One label created on two servers at once: one winner, one clear error.
    ExecutorService racing = Executors.newFixedThreadPool(2); // each racer a thread of its own
    open.add(racing::shutdownNow);
    try (PartitionClient onB =
            PartitionClient.open(b.hsm(), HostKeyStore.on(store, b.home()), "payments", PIN);
        PartitionClient onC =
            PartitionClient.open(c.hsm(), HostKeyStore.on(store, c.home()), "payments", PIN)) {
      for (int round = 0; round < 5; round++) {
        String label = "race-" + round;
        CyclicBarrier start = new CyclicBarrier(2);
        List<CompletableFuture<Status>> racers = new ArrayList<>();
        for (PartitionClient p : List.of(onB, onC)) {
          racers.add(
              CompletableFuture.supplyAsync(
                  () -> {
                    try {
                      start.await(10, TimeUnit.SECONDS);
                      p.generate(label, KeyType.AES_256, KeyPurpose.ENCRYPT, false);
                      return Status.SUCCESS;
                    } catch (IhsmException e) {
                      return e.status();
                    } catch (Exception e) {
                      throw new IllegalStateException(e);
                    }
                  },
                  racing));
        }
        List<Status> outcomes = new ArrayList<>();
        for (var r : racers) {
          outcomes.add(r.get(60, TimeUnit.SECONDS));
        }
        assertThat(outcomes)
            .as("round " + round)
            .containsExactlyInAnyOrder(Status.SUCCESS, Status.LABEL_EXISTS);
      }
    }
    try (PartitionClient onA = PartitionClient.open(a.hsm(), storeA, "payments", PIN)) {
      assertThat(onA.keys()).hasSize(6);
      byte[] ct =
          onA.encrypt("race-0", io.ihsm.sdk.cipher.AesGcmParameters.create(), message).bytes();
      assertThat(ct).isNotEmpty();
    }

    // A key deleted on A is evicted from B's device: B stops signing with the key it had loaded.
    try (PartitionClient onB =
            PartitionClient.open(b.hsm(), HostKeyStore.on(store, b.home()), "payments", PIN);
        PartitionClient onA = PartitionClient.open(a.hsm(), storeA, "payments", PIN)) {
      assertThat(onB.sign("signer", ecdsa, message)).isNotEmpty(); // loaded on B
      onA.deleteKey("signer");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      Status after = Status.SUCCESS;
      while (after == Status.SUCCESS && System.nanoTime() < deadline) {
        try {
          onB.sign("signer", ecdsa, message);
          Thread.sleep(20);
        } catch (IhsmException e) {
          after = e.status();
        }
      }
      assertThat(after).as("the tombstone reached B").isEqualTo(Status.LABEL_NOT_FOUND);
    }

    // A device of the same manufacturer outside the domain opens nothing.
    Server outsider = server("outsider", ca);
    assertThatThrownBy(
            () ->
                PartitionClient.open(
                    outsider.hsm(), HostKeyStore.on(store, outsider.home()), "payments", PIN))
        .isInstanceOfSatisfying(
            IhsmException.class, e -> assertThat(e.status()).isEqualTo(Status.NOT_IN_DOMAIN));
  }
}
