package io.ihsm.firmware;

import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.credential.Credential;
import io.ihsm.ddi.key.Algorithm;
import io.ihsm.ddi.key.GenerateKeyRequest;
import io.ihsm.ddi.key.KeyAttributes;
import io.ihsm.ddi.key.KeyInfo;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.ddi.key.Operation;
import io.ihsm.ddi.message.Bytes;
import io.ihsm.ddi.message.CreatePartitionRequest;
import io.ihsm.ddi.message.DeviceState;
import io.ihsm.ddi.message.DeviceStatus;
import io.ihsm.ddi.message.Empty;
import io.ihsm.ddi.message.FirmwareChunk;
import io.ihsm.ddi.message.GetRandomRequest;
import io.ihsm.ddi.message.Id;
import io.ihsm.ddi.message.OwnerRequest;
import io.ihsm.ddi.message.PartitionLimits;
import io.ihsm.ddi.message.PartitionList;
import io.ihsm.ddi.message.ProvisionRequest;
import io.ihsm.ddi.message.ProvisionResponse;
import io.ihsm.ddi.message.SealedCredential;
import io.ihsm.ddi.spi.Port;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The vault through DDI: Crypto Officer, sessions, partitions, provisioning, PIN guard, blobs. */
class VaultTest {
  static final Credential CO = Credential.of(id(1), "officer-pin");
  static final Credential APP = Credential.of(id(2), "app-pin-1234");
  static final PartitionLimits FAST =
      new PartitionLimits(0, 0, 0, 4, 1); // lock after 4, ~no throttle

  final TestPlatform platform = new TestPlatform();
  Firmware fw = Firmware.powerOn(platform);
  FirmwareClient mgmt = new FirmwareClient(fw, Port.MANAGEMENT);

  static byte[] id(int b) {
    byte[] id = new byte[16];
    Arrays.fill(id, (byte) b);
    return id;
  }

  static byte[] p384Anchor() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp384r1"));
    return g.generateKeyPair().getPublic().getEncoded();
  }

  int coSession() {
    mgmt.ok(Opcode.INIT_CRYPTO_OFFICER, 0, mgmt.seal(Opcode.INIT_CRYPTO_OFFICER, CO), Empty::read);
    return mgmt.ok(Opcode.OPEN_SESSION, 0, mgmt.seal(Opcode.OPEN_SESSION, CO), Id::read).value();
  }

  int createPartition(int co, String name, PartitionLimits limits) {
    return mgmt.ok(Opcode.CREATE_PARTITION, co, new CreatePartitionRequest(name, limits), Id::read)
        .value();
  }

  ProvisionResponse provision(FirmwareClient p) throws Exception {
    return p.ok(
        Opcode.PROVISION_PARTITION,
        0,
        new ProvisionRequest(p384Anchor(), new byte[0], p.seal(Opcode.PROVISION_PARTITION, APP)),
        ProvisionResponse::read);
  }

  void powerCycle() {
    fw.close();
    fw = Firmware.powerOn(platform);
    mgmt = new FirmwareClient(fw, Port.MANAGEMENT);
  }

  @Test
  void aLockedOutCryptoOfficerComesBackOnlyThroughTheHostsRecoveryWhichDestroysEverything() {
    int co = coSession();
    createPartition(co, "app", FAST);
    // Ten wrong PINs, each after a restart (a restart clears the throttle, never the count).
    for (int i = 0; i < 10; i++) {
      assertThat(mgmt.status(Opcode.OPEN_SESSION, 0, mgmt.seal(Opcode.OPEN_SESSION, APP)))
          .isIn(Status.AUTHENTICATION_FAILED, Status.PIN_THROTTLED);
      powerCycle();
    }
    assertThat(mgmt.status(Opcode.OPEN_SESSION, 0, mgmt.seal(Opcode.OPEN_SESSION, CO)))
        .isEqualTo(Status.CREDENTIAL_LOCKED);
    assertThat(
            mgmt.status(Opcode.INIT_CRYPTO_OFFICER, 0, mgmt.seal(Opcode.INIT_CRYPTO_OFFICER, APP)))
        .as("nothing over a port replaces the Crypto Officer")
        .isEqualTo(Status.CRYPTO_OFFICER_EXISTS);
    powerCycle();
    assertThat(mgmt.status(Opcode.OPEN_SESSION, 0, mgmt.seal(Opcode.OPEN_SESSION, CO)))
        .as("still locked after a restart")
        .isEqualTo(Status.CREDENTIAL_LOCKED);

    platform.recovery = true;
    powerCycle();
    assertThat(mgmt.ok(Opcode.GET_DEVICE_STATUS, 0, Empty.INSTANCE, DeviceStatus::read).state())
        .isEqualTo(DeviceState.OPERATIONAL);
    Credential fresh = Credential.of(id(3), "new-officer-pin");
    mgmt.ok(
        Opcode.INIT_CRYPTO_OFFICER, 0, mgmt.seal(Opcode.INIT_CRYPTO_OFFICER, fresh), Empty::read);
    int newCo =
        mgmt.ok(Opcode.OPEN_SESSION, 0, mgmt.seal(Opcode.OPEN_SESSION, fresh), Id::read).value();
    assertThat(
            mgmt.ok(Opcode.LIST_PARTITIONS, newCo, Empty.INSTANCE, PartitionList::read)
                .partitions())
        .as("every partition went with the recovery")
        .isEmpty();
    assertThat(mgmt.status(Opcode.OPEN_SESSION, 0, mgmt.seal(Opcode.OPEN_SESSION, CO)))
        .as("the old credential is gone")
        .isEqualTo(Status.AUTHENTICATION_FAILED);
    String log =
        new String(
            mgmt.ok(Opcode.EXPORT_AUDIT_LOG, newCo, new Id(0), FirmwareChunk::read).data(),
            StandardCharsets.UTF_8);
    assertThat(log).contains("|RECOVERY|requested by the host owning the card's state");
    powerCycle();
    assertThat(mgmt.status(Opcode.OPEN_SESSION, 0, mgmt.seal(Opcode.OPEN_SESSION, fresh)))
        .as("recovery happens once, at the power-on that asked")
        .isEqualTo(Status.SUCCESS);
  }

  @Test
  void aFailureCountOfTheWrongSizeStopsTheDeviceInsteadOfUnlockingThePin() throws Exception {
    int co = coSession();
    int id = createPartition(co, "app", FAST);
    FirmwareClient p = new FirmwareClient(fw, Port.partition(id));
    provision(p);
    for (int i = 0; i < 4; i++) {
      p.status(
          Opcode.OPEN_SESSION,
          0,
          p.seal(Opcode.OPEN_SESSION, Credential.of(id(2), "wrong-pin-" + i)));
    }
    assertThat(p.status(Opcode.OPEN_SESSION, 0, p.seal(Opcode.OPEN_SESSION, APP)))
        .isEqualTo(Status.CREDENTIAL_LOCKED);
    // A damaged count used to read as 0 failures: the locked PIN opened again.
    platform.records.put("pin-failures-" + id, new byte[] {0, 0, 4});
    assertThat(p.status(Opcode.OPEN_SESSION, 0, p.seal(Opcode.OPEN_SESSION, APP)))
        .isNotEqualTo(Status.SUCCESS);
    DeviceStatus s = mgmt.ok(Opcode.GET_DEVICE_STATUS, 0, Empty.INSTANCE, DeviceStatus::read);
    assertThat(s.state()).isEqualTo(DeviceState.ERROR);
    assertThat(s.reason()).contains("'pin-failures-" + id + "'", "3 bytes, not 4");
    // And at the next power-on the module stops before serving anything, naming the record.
    platform.records.put("boot-count", new byte[] {1});
    powerCycle();
    DeviceStatus after = mgmt.ok(Opcode.GET_DEVICE_STATUS, 0, Empty.INSTANCE, DeviceStatus::read);
    assertThat(after.state()).isEqualTo(DeviceState.ERROR);
    assertThat(after.reason()).contains("'boot-count'");
    assertThat(mgmt.status(Opcode.GET_CREDENTIAL_CHANNEL, 0, Empty.INSTANCE))
        .isEqualTo(Status.DEVICE_NOT_OPERATIONAL);
  }

  @Test
  void theCryptoOfficerIsCreatedOnceAndThenLogsIn() {
    assertThat(mgmt.status(Opcode.OPEN_SESSION, 0, mgmt.seal(Opcode.OPEN_SESSION, CO)))
        .isEqualTo(Status.NO_CRYPTO_OFFICER);
    int session = coSession();
    assertThat(session).isNotZero();
    assertThat(
            mgmt.status(Opcode.INIT_CRYPTO_OFFICER, 0, mgmt.seal(Opcode.INIT_CRYPTO_OFFICER, APP)))
        .isEqualTo(Status.CRYPTO_OFFICER_EXISTS);
    assertThat(mgmt.status(Opcode.OPEN_SESSION, 0, mgmt.seal(Opcode.OPEN_SESSION, APP)))
        .as("the second INIT changed nothing")
        .isEqualTo(Status.AUTHENTICATION_FAILED);
  }

  @Test
  void wrongIdAndWrongPinFailAlike() {
    coSession();
    Credential wrongPin = Credential.of(id(1), "not-the-pin");
    Credential wrongId = Credential.of(id(9), "officer-pin");
    assertThat(mgmt.status(Opcode.OPEN_SESSION, 0, mgmt.seal(Opcode.OPEN_SESSION, wrongPin)))
        .isEqualTo(Status.AUTHENTICATION_FAILED);
    assertThat(mgmt.status(Opcode.OPEN_SESSION, 0, mgmt.seal(Opcode.OPEN_SESSION, wrongId)))
        .isEqualTo(Status.AUTHENTICATION_FAILED);
  }

  @Test
  void aSealedCredentialOpensOnceAndOnlyForItsOpcodeAndPort() {
    coSession();
    SealedCredential sealed = mgmt.seal(Opcode.OPEN_SESSION, CO);
    assertThat(mgmt.status(Opcode.OPEN_SESSION, 0, sealed)).isEqualTo(Status.SUCCESS);
    assertThat(mgmt.status(Opcode.OPEN_SESSION, 0, sealed)).isEqualTo(Status.CREDENTIAL_REPLAYED);
    // Sealed for another opcode: does not open (the nonce is spent all the same).
    SealedCredential forInit = mgmt.seal(Opcode.INIT_CRYPTO_OFFICER, CO);
    assertThat(mgmt.status(Opcode.OPEN_SESSION, 0, forInit)).isEqualTo(Status.CREDENTIAL_MALFORMED);
    byte[] garbage = new byte[40];
    assertThat(
            mgmt.status(
                Opcode.OPEN_SESSION, 0, new SealedCredential(new byte[10], new byte[12], garbage)))
        .isEqualTo(Status.CREDENTIAL_MALFORMED);
    // A replay is refused even when the nonce was spent by a failed attempt in between.
    SealedCredential again = mgmt.seal(Opcode.OPEN_SESSION, CO);
    assertThat(
            mgmt.status(
                Opcode.OPEN_SESSION, 0, new SealedCredential(new byte[10], new byte[12], garbage)))
        .isEqualTo(Status.CREDENTIAL_MALFORMED);
    assertThat(mgmt.status(Opcode.OPEN_SESSION, 0, again)).isEqualTo(Status.CREDENTIAL_REPLAYED);
  }

  @Test
  void onlyTheCryptoOfficerManagesPartitionsAndNamesAreUnique() {
    int co = coSession();
    int p = createPartition(co, "payments", PartitionLimits.DEFAULTS);
    assertThat(platform.enabled).containsExactly(p);
    assertThat(
            mgmt.status(
                Opcode.CREATE_PARTITION,
                co,
                new CreatePartitionRequest("payments", PartitionLimits.DEFAULTS)))
        .isEqualTo(Status.PARTITION_EXISTS);
    assertThat(
            mgmt.status(
                Opcode.CREATE_PARTITION,
                co,
                new CreatePartitionRequest("Bad_Name", PartitionLimits.DEFAULTS)))
        .isEqualTo(Status.INVALID_PARAMETER);
    assertThat(
            mgmt.status(
                Opcode.CREATE_PARTITION,
                co,
                new CreatePartitionRequest("huge", new PartitionLimits(1000, 0, 0, 0, 0))))
        .isEqualTo(Status.INVALID_PARAMETER);
    assertThat(
            mgmt.status(
                Opcode.CREATE_PARTITION,
                co ^ 1,
                new CreatePartitionRequest("x", PartitionLimits.DEFAULTS)))
        .as("this boot's number, but no such session")
        .isEqualTo(Status.NEEDS_RENEGOTIATION);
    assertThat(
            mgmt.status(
                Opcode.CREATE_PARTITION,
                co ^ 0x01000000,
                new CreatePartitionRequest("x", PartitionLimits.DEFAULTS)))
        .as("another boot's number")
        .isEqualTo(Status.NEEDS_RENEGOTIATION);
    PartitionList list = mgmt.ok(Opcode.LIST_PARTITIONS, co, Empty.INSTANCE, PartitionList::read);
    assertThat(list.partitions()).extracting(PartitionList.Entry::name).containsExactly("payments");
    assertThat(mgmt.status(Opcode.DELETE_PARTITION, co, new Id(999)))
        .isEqualTo(Status.PARTITION_NOT_FOUND);
    assertThat(mgmt.status(Opcode.DELETE_PARTITION, co, new Id(p))).isEqualTo(Status.SUCCESS);
    assertThat(platform.enabled).isEmpty();
    assertThat(
            mgmt.ok(Opcode.LIST_PARTITIONS, co, Empty.INSTANCE, PartitionList::read).partitions())
        .isEmpty();
  }

  @Test
  void provisioningHappensOnceAndOpensUserSessions() throws Exception {
    int co = coSession();
    int id = createPartition(co, "app", PartitionLimits.DEFAULTS);
    FirmwareClient p = new FirmwareClient(fw, Port.partition(id));
    assertThat(p.status(Opcode.OPEN_SESSION, 0, p.seal(Opcode.OPEN_SESSION, APP)))
        .isEqualTo(Status.NOT_PROVISIONED);
    ProvisionResponse r = provision(p);
    assertThat(r.partitionBlob()).isNotEmpty();
    assertThat(r.backupKeyBlob()).as("the device generated the backup key").isNotEmpty();
    assertThat(
            p.status(
                Opcode.PROVISION_PARTITION,
                0,
                new ProvisionRequest(
                    p384Anchor(), new byte[0], p.seal(Opcode.PROVISION_PARTITION, CO))))
        .isEqualTo(Status.ALREADY_PROVISIONED);
    int user = p.ok(Opcode.OPEN_SESSION, 0, p.seal(Opcode.OPEN_SESSION, APP), Id::read).value();
    // A user session is not a Crypto Officer session, and is not found on another port.
    assertThat(mgmt.status(Opcode.LIST_PARTITIONS, user, Empty.INSTANCE))
        .isEqualTo(Status.NEEDS_RENEGOTIATION);
    assertThat(p.status(Opcode.CLOSE_SESSION, user, Empty.INSTANCE)).isEqualTo(Status.SUCCESS);
  }

  @Test
  void provisioningRefusesABadAnchorOrBackupKeyAndChangesNothing() throws Exception {
    int co = coSession();
    int id = createPartition(co, "app", PartitionLimits.DEFAULTS);
    FirmwareClient p = new FirmwareClient(fw, Port.partition(id));
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    byte[] p256 = g.generateKeyPair().getPublic().getEncoded();
    assertThat(
            p.status(
                Opcode.PROVISION_PARTITION,
                0,
                new ProvisionRequest(p256, new byte[0], p.seal(Opcode.PROVISION_PARTITION, APP))))
        .isEqualTo(Status.INVALID_PARAMETER);
    assertThat(
            p.status(
                Opcode.PROVISION_PARTITION,
                0,
                new ProvisionRequest(
                    p384Anchor(), new byte[31], p.seal(Opcode.PROVISION_PARTITION, APP))))
        .isEqualTo(Status.INVALID_PARAMETER);
    assertThat(provision(p).backupKeyBlob()).isNotEmpty();
  }

  @Test
  void pinFailuresThrottleThenLockAndSurviveAPowerCycle() throws Exception {
    int co = coSession();
    int id = createPartition(co, "app", new PartitionLimits(0, 0, 0, 4, 50));
    FirmwareClient p = new FirmwareClient(fw, Port.partition(id));
    byte[] blob = provision(p).partitionBlob();
    Credential wrong = Credential.of(id(2), "wrong-pin");
    for (int i = 0; i < 3; i++) {
      assertThat(p.status(Opcode.OPEN_SESSION, 0, p.seal(Opcode.OPEN_SESSION, wrong)))
          .isEqualTo(Status.AUTHENTICATION_FAILED);
    }
    // Third failure: the next attempt must wait 50 ms; inside the wait it is refused and not
    // counted.
    assertThat(p.status(Opcode.OPEN_SESSION, 0, p.seal(Opcode.OPEN_SESSION, APP)))
        .isEqualTo(Status.PIN_THROTTLED);

    powerCycle();
    FirmwareClient p2 = new FirmwareClient(fw, Port.partition(id));
    p2.ok(Opcode.REESTABLISH_PARTITION, 0, new Bytes(blob), Empty::read);
    assertThat(p2.status(Opcode.OPEN_SESSION, 0, p2.seal(Opcode.OPEN_SESSION, wrong)))
        .isEqualTo(Status.AUTHENTICATION_FAILED);
    // Four failures, across the restart: locked, even for the right PIN.
    assertThat(p2.status(Opcode.OPEN_SESSION, 0, p2.seal(Opcode.OPEN_SESSION, APP)))
        .isEqualTo(Status.CREDENTIAL_LOCKED);

    int co2 = mgmt.ok(Opcode.OPEN_SESSION, 0, mgmt.seal(Opcode.OPEN_SESSION, CO), Id::read).value();
    PartitionList.Entry e =
        mgmt.ok(Opcode.LIST_PARTITIONS, co2, Empty.INSTANCE, PartitionList::read)
            .partitions()
            .getFirst();
    assertThat(e.locked()).isTrue();
    mgmt.ok(Opcode.UNLOCK_CREDENTIAL, co2, new Id(id), Empty::read);
    assertThat(p2.status(Opcode.OPEN_SESSION, 0, p2.seal(Opcode.OPEN_SESSION, APP)))
        .isEqualTo(Status.SUCCESS);
  }

  @Test
  void afterAPowerCycleThePartitionNeedsItsCurrentBlob() throws Exception {
    int co = coSession();
    int id = createPartition(co, "app", FAST);
    int other = createPartition(co, "other", FAST);
    FirmwareClient p = new FirmwareClient(fw, Port.partition(id));
    byte[] blob = provision(p).partitionBlob();
    byte[] otherBlob = provision(new FirmwareClient(fw, Port.partition(other))).partitionBlob();

    powerCycle();
    assertThat(platform.enabled).as("partition ports come back").containsExactly(id, other);
    FirmwareClient q = new FirmwareClient(fw, Port.partition(id));
    assertThat(q.status(Opcode.OPEN_SESSION, 0, q.seal(Opcode.OPEN_SESSION, APP)))
        .isEqualTo(Status.NEEDS_REESTABLISH);
    byte[] tampered = blob.clone();
    tampered[tampered.length / 2] ^= 1;
    assertThat(q.status(Opcode.REESTABLISH_PARTITION, 0, new Bytes(tampered)))
        .isEqualTo(Status.MASKED_BLOB_INVALID);
    assertThat(q.status(Opcode.REESTABLISH_PARTITION, 0, new Bytes(otherBlob)))
        .isEqualTo(Status.MASKED_BLOB_FOREIGN);
    assertThat(q.status(Opcode.REESTABLISH_PARTITION, 0, new Bytes(new byte[3])))
        .isEqualTo(Status.MASKED_BLOB_INVALID);
    assertThat(q.status(Opcode.OPEN_SESSION, 0, q.seal(Opcode.OPEN_SESSION, APP)))
        .as("refused blobs changed nothing")
        .isEqualTo(Status.NEEDS_REESTABLISH);
    q.ok(Opcode.REESTABLISH_PARTITION, 0, new Bytes(blob), Empty::read);
    assertThat(q.status(Opcode.OPEN_SESSION, 0, q.seal(Opcode.OPEN_SESSION, APP)))
        .isEqualTo(Status.SUCCESS);
  }

  @Test
  void sessionsFromBeforeAPowerCycleNeedRenegotiation() throws Exception {
    int co = coSession();
    powerCycle();
    assertThat(mgmt.status(Opcode.LIST_PARTITIONS, co, Empty.INSTANCE))
        .isEqualTo(Status.NEEDS_RENEGOTIATION);
    int fresh =
        mgmt.ok(Opcode.OPEN_SESSION, 0, mgmt.seal(Opcode.OPEN_SESSION, CO), Id::read).value();
    assertThat(fresh >>> 24).as("the new boot's number").isNotEqualTo(co >>> 24);
    assertThat(mgmt.status(Opcode.LIST_PARTITIONS, fresh, Empty.INSTANCE))
        .isEqualTo(Status.SUCCESS);
  }

  @Test
  void theOwnerSetsANewPinWithItsKeyAndUnlocksTheCredential() throws Exception {
    int co = coSession();
    int id = createPartition(co, "owned", FAST);
    int other = createPartition(co, "other", FAST);
    FirmwareClient p = new FirmwareClient(fw, Port.partition(id));
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp384r1"));
    KeyPair owner = g.generateKeyPair();
    byte[] oldBlob =
        p.ok(
                Opcode.PROVISION_PARTITION,
                0,
                new ProvisionRequest(
                    owner.getPublic().getEncoded(),
                    new byte[0],
                    p.seal(Opcode.PROVISION_PARTITION, APP)),
                ProvisionResponse::read)
            .partitionBlob();
    for (int i = 0; i < 4; i++) {
      p.status(
          Opcode.OPEN_SESSION,
          0,
          p.seal(Opcode.OPEN_SESSION, Credential.of(id(2), "wrong-pin-000")));
    }
    assertThat(p.status(Opcode.OPEN_SESSION, 0, p.seal(Opcode.OPEN_SESSION, APP)))
        .isEqualTo(Status.CREDENTIAL_LOCKED);
    Credential reset = Credential.of(id(2), "owner-set-pin-1");

    // Signed by another key: refused, and nothing changes.
    SealedCredential sealed = p.seal(Opcode.OWNER_SET_PIN, reset);
    byte[] forged =
        sign(
            g.generateKeyPair().getPrivate(),
            OwnerRequest.signedBytes(Opcode.OWNER_SET_PIN, id, sealed));
    assertThat(p.status(Opcode.OWNER_SET_PIN, 0, new OwnerRequest(forged, sealed)))
        .isEqualTo(Status.AUTHENTICATION_FAILED);
    // Signed for another partition: refused.
    sealed = p.seal(Opcode.OWNER_SET_PIN, reset);
    assertThat(
            p.status(
                Opcode.OWNER_SET_PIN,
                0,
                new OwnerRequest(
                    sign(
                        owner.getPrivate(),
                        OwnerRequest.signedBytes(Opcode.OWNER_SET_PIN, other, sealed)),
                    sealed)))
        .isEqualTo(Status.AUTHENTICATION_FAILED);
    assertThat(p.status(Opcode.OPEN_SESSION, 0, p.seal(Opcode.OPEN_SESSION, APP)))
        .isEqualTo(Status.CREDENTIAL_LOCKED);

    sealed = p.seal(Opcode.OWNER_SET_PIN, reset);
    OwnerRequest good =
        new OwnerRequest(
            sign(owner.getPrivate(), OwnerRequest.signedBytes(Opcode.OWNER_SET_PIN, id, sealed)),
            sealed);
    byte[] newBlob = p.ok(Opcode.OWNER_SET_PIN, 0, good, Bytes::readBlob).bytes();
    assertThat(p.status(Opcode.OWNER_SET_PIN, 0, good))
        .as("a replayed request")
        .isEqualTo(Status.CREDENTIAL_REPLAYED);
    assertThat(p.status(Opcode.OPEN_SESSION, 0, p.seal(Opcode.OPEN_SESSION, APP)))
        .as("the old PIN")
        .isEqualTo(Status.AUTHENTICATION_FAILED);
    assertThat(p.status(Opcode.OPEN_SESSION, 0, p.seal(Opcode.OPEN_SESSION, reset)))
        .as("unlocked, with the new PIN")
        .isEqualTo(Status.SUCCESS);
    powerCycle();
    FirmwareClient q = new FirmwareClient(fw, Port.partition(id));
    assertThat(q.status(Opcode.REESTABLISH_PARTITION, 0, new Bytes(oldBlob)))
        .isEqualTo(Status.MASKED_BLOB_STALE);
    q.ok(Opcode.REESTABLISH_PARTITION, 0, new Bytes(newBlob), Empty::read);
    assertThat(q.status(Opcode.OPEN_SESSION, 0, q.seal(Opcode.OPEN_SESSION, reset)))
        .isEqualTo(Status.SUCCESS);
  }

  @Test
  void theOwnerReinitialisesThePartitionAndEveryKeyAndSessionAndThePinAreGone() throws Exception {
    int co = coSession();
    int id = createPartition(co, "reinit", FAST);
    FirmwareClient p = new FirmwareClient(fw, Port.partition(id));
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp384r1"));
    KeyPair owner = g.generateKeyPair();
    byte[] oldBlob =
        p.ok(
                Opcode.PROVISION_PARTITION,
                0,
                new ProvisionRequest(
                    owner.getPublic().getEncoded(),
                    new byte[0],
                    p.seal(Opcode.PROVISION_PARTITION, APP)),
                ProvisionResponse::read)
            .partitionBlob();
    int session = p.ok(Opcode.OPEN_SESSION, 0, p.seal(Opcode.OPEN_SESSION, APP), Id::read).value();
    KeyInfo key =
        p.ok(
            Opcode.GENERATE_KEY,
            session,
            new GenerateKeyRequest(
                new KeyAttributes(KeyKind.AES_256, KeyUsage.ENCRYPT, false, false, "doomed")),
            KeyInfo::read);
    Credential binding = Credential.of(id(2), "ignored-pin");

    // A signature by another key, or one made for OWNER_SET_PIN, is refused, and nothing changes.
    SealedCredential sealed = p.seal(Opcode.OWNER_REINIT_PARTITION, binding);
    byte[] forged =
        sign(
            g.generateKeyPair().getPrivate(),
            OwnerRequest.signedBytes(Opcode.OWNER_REINIT_PARTITION, id, sealed));
    assertThat(p.status(Opcode.OWNER_REINIT_PARTITION, 0, new OwnerRequest(forged, sealed)))
        .isEqualTo(Status.AUTHENTICATION_FAILED);
    sealed = p.seal(Opcode.OWNER_REINIT_PARTITION, binding);
    byte[] otherContext =
        sign(owner.getPrivate(), OwnerRequest.signedBytes(Opcode.OWNER_SET_PIN, id, sealed));
    assertThat(p.status(Opcode.OWNER_REINIT_PARTITION, 0, new OwnerRequest(otherContext, sealed)))
        .as("a signature for setting the PIN")
        .isEqualTo(Status.AUTHENTICATION_FAILED);
    SealedCredential forSetPin = p.seal(Opcode.OWNER_SET_PIN, binding);
    assertThat(
            p.status(
                Opcode.OWNER_REINIT_PARTITION,
                0,
                new OwnerRequest(
                    sign(
                        owner.getPrivate(),
                        OwnerRequest.signedBytes(Opcode.OWNER_REINIT_PARTITION, id, forSetPin)),
                    forSetPin)))
        .as("a credential sealed for another opcode")
        .isEqualTo(Status.CREDENTIAL_MALFORMED);
    assertThat(
            p.status(
                Opcode.ENCRYPT,
                session,
                Operation.of(key.handle(), Algorithm.AES_ECB, new byte[16])))
        .as("still working")
        .isEqualTo(Status.SUCCESS);

    sealed = p.seal(Opcode.OWNER_REINIT_PARTITION, binding);
    OwnerRequest good =
        new OwnerRequest(
            sign(
                owner.getPrivate(),
                OwnerRequest.signedBytes(Opcode.OWNER_REINIT_PARTITION, id, sealed)),
            sealed);
    byte[] newBlob = p.ok(Opcode.OWNER_REINIT_PARTITION, 0, good, Bytes::readBlob).bytes();
    assertThat(p.status(Opcode.OWNER_REINIT_PARTITION, 0, good))
        .as("a replayed request")
        .isEqualTo(Status.CREDENTIAL_REPLAYED);
    assertThat(
            p.status(
                Opcode.ENCRYPT,
                session,
                Operation.of(key.handle(), Algorithm.AES_ECB, new byte[16])))
        .as("the session is closed")
        .isEqualTo(Status.NEEDS_RENEGOTIATION);
    for (Credential c : new Credential[] {APP, binding}) {
      assertThat(p.status(Opcode.OPEN_SESSION, 0, p.seal(Opcode.OPEN_SESSION, c)))
          .as("no PIN opens it")
          .isEqualTo(Status.AUTHENTICATION_FAILED);
    }
    Credential fresh = Credential.of(id(2), "after-reinit-1");
    SealedCredential setPin = p.seal(Opcode.OWNER_SET_PIN, fresh);
    byte[] pinBlob =
        p.ok(
                Opcode.OWNER_SET_PIN,
                0,
                new OwnerRequest(
                    sign(
                        owner.getPrivate(),
                        OwnerRequest.signedBytes(Opcode.OWNER_SET_PIN, id, setPin)),
                    setPin),
                Bytes::readBlob)
            .bytes();
    int again = p.ok(Opcode.OPEN_SESSION, 0, p.seal(Opcode.OPEN_SESSION, fresh), Id::read).value();
    assertThat(p.status(Opcode.UNMASK_KEY, again, new Bytes(key.maskedBlob())))
        .as("the old key's blob is dead")
        .isEqualTo(Status.MASKED_BLOB_INVALID);
    String audit =
        new String(
            mgmt.ok(Opcode.EXPORT_AUDIT_LOG, co, new Id(0), FirmwareChunk::read).data(),
            StandardCharsets.UTF_8);
    assertThat(audit)
        .contains(
            "|OWNER_REINIT_PARTITION|partition-" + id + " session=0 status=SUCCESS|",
            "|OWNER_REINIT_PARTITION|partition-" + id + " session=0 status=AUTHENTICATION_FAILED|");

    powerCycle();
    FirmwareClient q = new FirmwareClient(fw, Port.partition(id));
    for (byte[] stale : new byte[][] {oldBlob, newBlob}) {
      assertThat(q.status(Opcode.REESTABLISH_PARTITION, 0, new Bytes(stale)))
          .isEqualTo(Status.MASKED_BLOB_STALE);
    }
    q.ok(Opcode.REESTABLISH_PARTITION, 0, new Bytes(pinBlob), Empty::read);
    assertThat(q.status(Opcode.OPEN_SESSION, 0, q.seal(Opcode.OPEN_SESSION, APP)))
        .isEqualTo(Status.AUTHENTICATION_FAILED);
    assertThat(q.status(Opcode.OPEN_SESSION, 0, q.seal(Opcode.OPEN_SESSION, fresh)))
        .isEqualTo(Status.SUCCESS);
  }

  static byte[] sign(PrivateKey key, byte[] message) throws Exception {
    Signature s = Signature.getInstance("SHA384withECDSA");
    s.initSign(key);
    s.update(message);
    return s.sign();
  }

  @Test
  void changingThePinMakesTheOldBlobStale() throws Exception {
    int co = coSession();
    int id = createPartition(co, "app", FAST);
    FirmwareClient p = new FirmwareClient(fw, Port.partition(id));
    byte[] oldBlob = provision(p).partitionBlob();
    int user = p.ok(Opcode.OPEN_SESSION, 0, p.seal(Opcode.OPEN_SESSION, APP), Id::read).value();
    Credential newPin = Credential.of(id(2), "new-pin-5678");
    assertThat(
            p.status(
                Opcode.CHANGE_PIN,
                user,
                p.seal(Opcode.CHANGE_PIN, Credential.of(id(3), "new-pin-5678"))))
        .as("the id cannot change")
        .isEqualTo(Status.INVALID_PARAMETER);
    byte[] newBlob =
        p.ok(Opcode.CHANGE_PIN, user, p.seal(Opcode.CHANGE_PIN, newPin), Bytes::readBlob).bytes();
    assertThat(p.status(Opcode.OPEN_SESSION, 0, p.seal(Opcode.OPEN_SESSION, APP)))
        .isEqualTo(Status.AUTHENTICATION_FAILED);
    assertThat(p.status(Opcode.OPEN_SESSION, 0, p.seal(Opcode.OPEN_SESSION, newPin)))
        .isEqualTo(Status.SUCCESS);

    powerCycle();
    FirmwareClient q = new FirmwareClient(fw, Port.partition(id));
    assertThat(q.status(Opcode.REESTABLISH_PARTITION, 0, new Bytes(oldBlob)))
        .isEqualTo(Status.MASKED_BLOB_STALE);
    q.ok(Opcode.REESTABLISH_PARTITION, 0, new Bytes(newBlob), Empty::read);
    assertThat(q.status(Opcode.OPEN_SESSION, 0, q.seal(Opcode.OPEN_SESSION, newPin)))
        .isEqualTo(Status.SUCCESS);
  }

  @Test
  void sessionsPerPartitionAreBoundedByItsLimit() throws Exception {
    int co = coSession();
    int id = createPartition(co, "app", new PartitionLimits(2, 0, 0, 0, 1));
    FirmwareClient p = new FirmwareClient(fw, Port.partition(id));
    provision(p);
    p.ok(Opcode.OPEN_SESSION, 0, p.seal(Opcode.OPEN_SESSION, APP), Id::read);
    int second = p.ok(Opcode.OPEN_SESSION, 0, p.seal(Opcode.OPEN_SESSION, APP), Id::read).value();
    assertThat(p.status(Opcode.OPEN_SESSION, 0, p.seal(Opcode.OPEN_SESSION, APP)))
        .isEqualTo(Status.TOO_MANY_SESSIONS);
    p.ok(Opcode.CLOSE_SESSION, second, Empty.INSTANCE, Empty::read);
    assertThat(p.status(Opcode.OPEN_SESSION, 0, p.seal(Opcode.OPEN_SESSION, APP)))
        .isEqualTo(Status.SUCCESS);
  }

  @Test
  void idleSessionsTimeOut() throws Exception {
    int co = coSession();
    int id = createPartition(co, "app", new PartitionLimits(0, 0, 0, 0, 1, 1));
    FirmwareClient p = new FirmwareClient(fw, Port.partition(id));
    provision(p);
    int idle = p.ok(Opcode.OPEN_SESSION, 0, p.seal(Opcode.OPEN_SESSION, APP), Id::read).value();
    int busy = p.ok(Opcode.OPEN_SESSION, 0, p.seal(Opcode.OPEN_SESSION, APP), Id::read).value();
    for (int i = 0; i < 4; i++) {
      Thread.sleep(400);
      assertThat(p.status(Opcode.GET_RANDOM, 0, new GetRandomRequest(1))).isEqualTo(Status.SUCCESS);
      // Touches the busy session; the key does not exist, which is all this request learns.
      assertThat(p.status(Opcode.UNLOAD_KEY, busy, new Id(1))).isEqualTo(Status.KEY_NOT_FOUND);
    }
    assertThat(p.status(Opcode.CLOSE_SESSION, idle, Empty.INSTANCE))
        .isEqualTo(Status.NEEDS_RENEGOTIATION);
    assertThat(p.status(Opcode.CLOSE_SESSION, busy, Empty.INSTANCE)).isEqualTo(Status.SUCCESS);
  }

  @Test
  void deletingAPartitionEndsItsSessionsAndForgetsItsFailures() throws Exception {
    int co = coSession();
    int id = createPartition(co, "app", FAST);
    FirmwareClient p = new FirmwareClient(fw, Port.partition(id));
    provision(p);
    int user = p.ok(Opcode.OPEN_SESSION, 0, p.seal(Opcode.OPEN_SESSION, APP), Id::read).value();
    p.status(Opcode.OPEN_SESSION, 0, p.seal(Opcode.OPEN_SESSION, Credential.of(id(2), "bad-pin")));
    assertThat(platform.records).containsKey("pin-failures-" + id);
    mgmt.ok(Opcode.DELETE_PARTITION, co, new Id(id), Empty::read);
    assertThat(p.status(Opcode.CLOSE_SESSION, user, Empty.INSTANCE))
        .isEqualTo(Status.NEEDS_RENEGOTIATION);
    assertThat(platform.records).doesNotContainKey("pin-failures-" + id);
  }

  @Test
  void noSecretIsStoredInClear() {
    coSession();
    String pin = "officer-pin";
    for (byte[] record : platform.records.values()) {
      assertThat(new String(record, StandardCharsets.ISO_8859_1)).doesNotContain(pin);
    }
  }
}
