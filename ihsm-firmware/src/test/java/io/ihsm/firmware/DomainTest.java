package io.ihsm.firmware;

import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.credential.Credential;
import io.ihsm.ddi.domain.Admission;
import io.ihsm.ddi.domain.AdmitRequest;
import io.ihsm.ddi.domain.DomainBackup;
import io.ihsm.ddi.domain.DomainPolicy;
import io.ihsm.ddi.domain.DomainStatus;
import io.ihsm.ddi.domain.JoinConfirmation;
import io.ihsm.ddi.domain.JoinRequest;
import io.ihsm.ddi.domain.RestoreRequest;
import io.ihsm.ddi.domain.SealedShare;
import io.ihsm.ddi.key.Algorithm;
import io.ihsm.ddi.key.GenerateKeyRequest;
import io.ihsm.ddi.key.KeyAttributes;
import io.ihsm.ddi.key.KeyInfo;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.ddi.key.Operation;
import io.ihsm.ddi.message.Body;
import io.ihsm.ddi.message.Bytes;
import io.ihsm.ddi.message.Certificates;
import io.ihsm.ddi.message.CreatePartitionRequest;
import io.ihsm.ddi.message.Empty;
import io.ihsm.ddi.message.Id;
import io.ihsm.ddi.message.PartitionLimits;
import io.ihsm.ddi.message.ProvisionRequest;
import io.ihsm.ddi.message.ProvisionResponse;
import io.ihsm.ddi.spi.FirmwareMeasurement;
import io.ihsm.ddi.spi.Port;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.hpke.HPKE;
import org.junit.jupiter.api.Test;

/**
 * The security domain inside the firmware: genesis, the attested join with every refusal, and a
 * partition's blobs opening on every member and on no other device.
 */
class DomainTest {
  static final Credential CO = VaultTest.CO;
  static final Credential APP = VaultTest.APP;
  static final KeyPair MANUFACTURER = IdentityTest.p384();

  /** One root certificate per manufacturer key: the domain pins its exact bytes. */
  static final java.util.Map<KeyPair, byte[]> ROOTS =
      new java.util.concurrent.ConcurrentHashMap<>();

  static byte[] rootOf(KeyPair ca) {
    try {
      return IdentityTest.certificate(
          "CN=test manufacturer", ca, "CN=test manufacturer", ca.getPublic(), 3);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** One emulated card with its Crypto Officer's session, manufactured by {@code ca}. */
  static final class Card {
    final TestPlatform platform = new TestPlatform();
    Firmware fw;
    FirmwareClient mgmt;
    int co;
    final byte[] root;

    Card(KeyPair ca, FirmwareMeasurement measurement) throws Exception {
      platform.measurement = measurement;
      fw = Firmware.powerOn(platform);
      mgmt = new FirmwareClient(fw, Port.MANAGEMENT);
      byte[] spki = mgmt.ok(Opcode.MANUFACTURE, 0, Empty.INSTANCE, Bytes::readBlob).bytes();
      PublicKey deviceId =
          KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(spki));
      root = ROOTS.computeIfAbsent(ca, DomainTest::rootOf);
      mgmt.ok(
          Opcode.INSTALL_DEVICE_CERTIFICATES,
          0,
          new Certificates(
              List.of(
                  root,
                  IdentityTest.certificate(
                      "CN=test manufacturer", ca, "CN=DeviceID", deviceId, 2))),
          Empty::read);
      mgmt.ok(
          Opcode.INIT_CRYPTO_OFFICER, 0, mgmt.seal(Opcode.INIT_CRYPTO_OFFICER, CO), Empty::read);
      openCoSession();
    }

    Card() throws Exception {
      this(MANUFACTURER, measured(1, 0));
    }

    void openCoSession() {
      co = mgmt.ok(Opcode.OPEN_SESSION, 0, mgmt.seal(Opcode.OPEN_SESSION, CO), Id::read).value();
    }

    void powerCycle() {
      fw.close();
      fw = Firmware.powerOn(platform);
      mgmt = new FirmwareClient(fw, Port.MANAGEMENT);
      openCoSession();
    }

    DomainStatus status() {
      return mgmt.ok(Opcode.DOMAIN_STATUS, 0, Empty.INSTANCE, DomainStatus::read);
    }

    <T> T ok(Opcode op, Body body, io.ihsm.ddi.message.BodyDecoder<T> decoder) {
      return mgmt.ok(op, co, body, decoder);
    }

    Status status(Opcode op, Body body) {
      return mgmt.status(op, co, body);
    }

    JoinRequest requestToJoin(DomainStatus domain) {
      return ok(Opcode.DOMAIN_JOIN_REQUEST, new Bytes(domain.domainId()), JoinRequest::read);
    }
  }

  /** Firmware of SVN {@code svn} whose manifest digest is 48 bytes of {@code digestByte}. */
  static FirmwareMeasurement measured(int svn, int digestByte) {
    return new FirmwareMeasurement(
        "1.2.3-test", svn, String.format("%02x", digestByte).repeat(48), "test signer", "test");
  }

  static DomainStatus genesis(Card card) {
    return card.ok(Opcode.DOMAIN_CREATE, DomainPolicy.CREATOR_DEFAULTS, DomainStatus::read);
  }

  /** The four steps, each checked. */
  static void join(Card joiner, Card member) {
    DomainStatus domain = member.status();
    JoinRequest request = joiner.requestToJoin(domain);
    Admission admission =
        member.ok(Opcode.DOMAIN_ADMIT, new AdmitRequest(request), Admission::read);
    JoinConfirmation proof =
        joiner.ok(Opcode.DOMAIN_JOIN_COMPLETE, admission, JoinConfirmation::read);
    member.ok(Opcode.DOMAIN_CONFIRM, proof, Empty::read);
  }

  @Test
  void genesisThenTwoAttestedJoinsGiveThreeMembersOfOneDomainThatSurvivesPowerCycles()
      throws Exception {
    Card a = new Card();
    Card b = new Card();
    Card c = new Card();
    assertThat(a.status().member()).isFalse();
    DomainStatus created = genesis(a);
    assertThat(created.member()).isTrue();
    assertThat(created.epoch()).isEqualTo(1);
    assertThat(created.policy().root()).as("the creator's own root is pinned").isEqualTo(a.root);
    assertThat(created.policy().minSvn()).isEqualTo(1);
    assertThat(created.policy().firmwareDigests()).hasSize(1);
    assertThat(a.status(Opcode.DOMAIN_CREATE, DomainPolicy.CREATOR_DEFAULTS))
        .isEqualTo(Status.DOMAIN_EXISTS);

    join(b, a);
    join(c, b); // any member admits
    for (Card card : List.of(a, b, c)) {
      card.powerCycle();
      DomainStatus s = card.status();
      assertThat(s.member()).isTrue();
      assertThat(s.domainId()).isEqualTo(created.domainId());
      assertThat(s.epoch()).isEqualTo(1);
    }
    assertThat(b.status(Opcode.DOMAIN_JOIN_REQUEST, new Bytes(new byte[16])))
        .as("a member joins no second domain")
        .isEqualTo(Status.DOMAIN_EXISTS);
  }

  @Test
  void aPartitionAndItsKeysMadeOnOneMemberOpenOnAnotherAndOnNoOtherDevice() throws Exception {
    Card a = new Card();
    Card b = new Card();
    Card outsider = new Card();
    genesis(a);
    join(b, a);

    Provisioned provisioned = provision(a, "payments", limits());
    FirmwareClient partA = provisioned.port();
    byte[] partitionBlob = provisioned.blob();
    int sa =
        partA.ok(Opcode.OPEN_SESSION, 0, partA.seal(Opcode.OPEN_SESSION, APP), Id::read).value();
    KeyInfo key =
        partA.ok(
            Opcode.GENERATE_KEY,
            sa,
            new GenerateKeyRequest(
                new KeyAttributes(KeyKind.EC_P256, KeyUsage.SIGN, false, false, "signer")),
            KeyInfo::read);
    assertThat(partitionBlob[0]).as("a domain blob, version 2").isEqualTo((byte) 2);
    assertThat(key.maskedBlob()[0]).isEqualTo((byte) 2);

    // B takes the partition on from its blob alone; the blob names it.
    int pb = b.mgmt.ok(Opcode.ADOPT_PARTITION, 0, new Bytes(partitionBlob), Id::read).value();
    assertThat(b.mgmt.ok(Opcode.ADOPT_PARTITION, 0, new Bytes(partitionBlob), Id::read).value())
        .as("adopting again changes nothing")
        .isEqualTo(pb);
    FirmwareClient partB = new FirmwareClient(b.fw, Port.partition(pb));
    assertThat(
            partB
                .ok(
                    Opcode.GET_CREDENTIAL_CHANNEL,
                    0,
                    Empty.INSTANCE,
                    io.ihsm.ddi.message.CredentialChannel::read)
                .partition())
        .isEqualTo("payments");
    partB.ok(Opcode.REESTABLISH_PARTITION, 0, new Bytes(partitionBlob), Empty::read);
    int sb =
        partB.ok(Opcode.OPEN_SESSION, 0, partB.seal(Opcode.OPEN_SESSION, APP), Id::read).value();
    KeyInfo loaded = partB.ok(Opcode.UNMASK_KEY, sb, new Bytes(key.maskedBlob()), KeyInfo::read);
    byte[] digest = MessageDigest.getInstance("SHA-256").digest("made on A".getBytes());
    byte[] signature =
        partB
            .ok(
                Opcode.SIGN,
                sb,
                Operation.of(loaded.handle(), Algorithm.ECDSA, digest),
                Bytes::read)
            .bytes();
    Signature v = Signature.getInstance("NONEwithECDSA");
    v.initVerify(
        KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(key.publicKey())));
    v.update(digest);
    assertThat(v.verify(signature)).as("B signs with the key A made").isTrue();

    // A device outside the domain opens nothing of it.
    assertThat(outsider.mgmt.status(Opcode.ADOPT_PARTITION, 0, new Bytes(partitionBlob)))
        .isEqualTo(Status.NOT_IN_DOMAIN);
    genesis(outsider); // a domain of its own is another domain
    assertThat(outsider.mgmt.status(Opcode.ADOPT_PARTITION, 0, new Bytes(partitionBlob)))
        .isEqualTo(Status.MASKED_BLOB_INVALID);

    // A device's own partition blob is no domain's.
    int local =
        outsider
            .ok(Opcode.CREATE_PARTITION, new CreatePartitionRequest("local", limits()), Id::read)
            .value();
    assertThat(local).isPositive();
    byte[] altered = partitionBlob.clone();
    altered[altered.length - 1] ^= 1;
    assertThat(b.mgmt.status(Opcode.ADOPT_PARTITION, 0, new Bytes(altered)))
        .isEqualTo(Status.MASKED_BLOB_INVALID);
  }

  @Test
  void eachMemberAllowsOnlyItsShareOfADomainPartitionsPinFailures() throws Exception {
    Card a = new Card();
    Card b = new Card();
    a.ok(Opcode.DOMAIN_CREATE, new DomainPolicy(new byte[0], 0, List.of(), 3), DomainStatus::read);
    join(b, a);
    // A limit of 6 failures across a domain of at most 3 members: 2 on each member.
    int pa =
        a.ok(
                Opcode.CREATE_PARTITION,
                new CreatePartitionRequest("guarded", new PartitionLimits(0, 8, 8192, 6, 1)),
                Id::read)
            .value();
    FirmwareClient partA = new FirmwareClient(a.fw, Port.partition(pa));
    byte[] blob =
        partA
            .ok(
                Opcode.PROVISION_PARTITION,
                0,
                new ProvisionRequest(
                    VaultTest.p384Anchor(),
                    new byte[0],
                    partA.seal(Opcode.PROVISION_PARTITION, APP)),
                ProvisionResponse::read)
            .partitionBlob();
    int pb = b.mgmt.ok(Opcode.ADOPT_PARTITION, 0, new Bytes(blob), Id::read).value();
    FirmwareClient partB = new FirmwareClient(b.fw, Port.partition(pb));
    partB.ok(Opcode.REESTABLISH_PARTITION, 0, new Bytes(blob), Empty::read);
    Credential wrong = Credential.of(VaultTest.id(2), "not-the-pin");
    int tries = 0;
    for (FirmwareClient p : List.of(partA, partB)) {
      Status s;
      while ((s = p.status(Opcode.OPEN_SESSION, 0, p.seal(Opcode.OPEN_SESSION, wrong)))
          != Status.CREDENTIAL_LOCKED) {
        assertThat(s).isIn(Status.AUTHENTICATION_FAILED, Status.PIN_THROTTLED);
        if (s == Status.AUTHENTICATION_FAILED) {
          tries++;
        }
        Thread.sleep(5);
        assertThat(tries).as("tries across the members").isLessThanOrEqualTo(4);
      }
    }
    assertThat(tries).isEqualTo(4);
    assertThat(partA.status(Opcode.OPEN_SESSION, 0, partA.seal(Opcode.OPEN_SESSION, APP)))
        .as("locked, even for the right PIN")
        .isEqualTo(Status.CREDENTIAL_LOCKED);
  }

  @Test
  void rotationReachesRemainingMembersReMasksEveryBlobAndRetiresTheOldEpochNotForARevokedMember()
      throws Exception {
    Card a = new Card();
    Card b = new Card();
    Card revoked = new Card();
    DomainStatus domain = genesis(a);
    join(b, a);
    join(revoked, a);

    Provisioned provisioned = provision(a, "ledger", limits());
    FirmwareClient partA = provisioned.port();
    byte[] oldPartition = provisioned.blob();
    int sa =
        partA.ok(Opcode.OPEN_SESSION, 0, partA.seal(Opcode.OPEN_SESSION, APP), Id::read).value();
    KeyInfo key =
        partA.ok(
            Opcode.GENERATE_KEY,
            sa,
            new GenerateKeyRequest(
                new KeyAttributes(KeyKind.EC_P256, KeyUsage.SIGN, false, false, "signer")),
            KeyInfo::read);
    byte[] oldKey = key.maskedBlob();

    // Revoke, then rotate: the revoked device gets no epoch 2.
    byte[] revokedId =
        MessageDigest.getInstance("SHA-256")
            .digest(
                revoked
                    .mgmt
                    .ok(Opcode.GET_CERTIFICATE_CHAIN, 0, Empty.INSTANCE, Certificates::read)
                    .certificates()
                    .get(1));
    a.ok(Opcode.DOMAIN_REVOKE, new Bytes(revokedId), DomainStatus::read);
    assertThat(a.ok(Opcode.DOMAIN_ROTATE, Empty.INSTANCE, DomainStatus::read).epoch()).isEqualTo(2);
    assertThat(a.status(Opcode.DOMAIN_ROTATE, Empty.INSTANCE))
        .as("two epochs at most: the old one must be retired first")
        .isEqualTo(Status.INVALID_PARAMETER);
    join(b, a); // the rekey is the same attested exchange
    assertThat(b.status().epoch()).isEqualTo(2);
    assertThat(b.status().policy().revokes(revokedId)).as("the revocation travels").isTrue();
    JoinRequest fromRevoked = revoked.requestToJoin(domain);
    assertThat(a.status(Opcode.DOMAIN_ADMIT, new AdmitRequest(fromRevoked)))
        .isEqualTo(Status.JOIN_REFUSED);
    assertThat(b.status(Opcode.DOMAIN_ADMIT, new AdmitRequest(revoked.requestToJoin(domain))))
        .as("every member that has the newer policy refuses it")
        .isEqualTo(Status.JOIN_REFUSED);

    // The re-masker: the partition blob first, then its keys.
    assertThat(partA.status(Opcode.REMASK, 0, new Bytes(oldKey)))
        .as("keys wait for their partition")
        .isEqualTo(Status.MASKED_BLOB_STALE);
    byte[] newPartition =
        partA.ok(Opcode.REMASK, 0, new Bytes(oldPartition), Bytes::readBlob).bytes();
    byte[] newKey = partA.ok(Opcode.REMASK, 0, new Bytes(oldKey), Bytes::readBlob).bytes();
    assertThat(partA.status(Opcode.REMASK, 0, new Bytes(newPartition)))
        .as("a blob at the current epoch is not re-masked again")
        .isEqualTo(Status.INVALID_PARAMETER);
    assertThat(newPartition[5]).as("epoch 2 in the header").isEqualTo((byte) 2);
    assertThat(newKey[5]).isEqualTo((byte) 2);

    // B sees the new blobs, then both retire epoch 1.
    int pb = b.mgmt.ok(Opcode.ADOPT_PARTITION, 0, new Bytes(newPartition), Id::read).value();
    FirmwareClient partB = new FirmwareClient(b.fw, Port.partition(pb));
    partB.ok(Opcode.REESTABLISH_PARTITION, 0, new Bytes(newPartition), Empty::read);
    assertThat(partB.status(Opcode.REESTABLISH_PARTITION, 0, new Bytes(oldPartition)))
        .as("a blob replayed by the store: older than one this member has seen")
        .isEqualTo(Status.MASKED_BLOB_STALE);
    a.ok(Opcode.DOMAIN_RETIRE_EPOCH, new Id(1), Empty::read);
    b.ok(Opcode.DOMAIN_RETIRE_EPOCH, new Id(1), Empty::read);
    assertThat(b.status(Opcode.DOMAIN_RETIRE_EPOCH, new Id(2)))
        .as("the current epoch stays")
        .isEqualTo(Status.INVALID_PARAMETER);

    int sb =
        partB.ok(Opcode.OPEN_SESSION, 0, partB.seal(Opcode.OPEN_SESSION, APP), Id::read).value();
    assertThat(partB.status(Opcode.UNMASK_KEY, sb, new Bytes(oldKey)))
        .as("a key blob of the retired epoch")
        .isEqualTo(Status.EPOCH_RETIRED);
    KeyInfo loaded = partB.ok(Opcode.UNMASK_KEY, sb, new Bytes(newKey), KeyInfo::read);
    assertThat(loaded.publicKey()).as("the same key, masked anew").isEqualTo(key.publicKey());
    assertThat(partA.status(Opcode.REESTABLISH_PARTITION, 0, new Bytes(oldPartition)))
        .isIn(Status.EPOCH_RETIRED, Status.MASKED_BLOB_STALE);

    // The revoked device holds epoch 1 only: nothing in the store opens on it any more.
    assertThat(revoked.mgmt.status(Opcode.ADOPT_PARTITION, 0, new Bytes(newPartition)))
        .isEqualTo(Status.EPOCH_RETIRED);
  }

  /** A custodian: its HPKE key pair, kept away from every device. */
  static final class Custodian {
    final HPKE hpke =
        new HPKE(HPKE.mode_base, HPKE.kem_P384_SHA384, HPKE.kdf_HKDF_SHA384, HPKE.aead_AES_GCM256);
    final AsymmetricCipherKeyPair key = hpke.generatePrivateKey();

    byte[] publicKey() {
      return hpke.serializePublicKey(key.getPublic());
    }

    /** Opens its share of {@code backup} and seals it to the restoring device's join request. */
    SealedShare release(DomainBackup backup, int x, JoinRequest to) throws Exception {
      MessageDigest sha384 = MessageDigest.getInstance("SHA-384");
      byte[] digest = sha384.digest(backup.sealedPart());
      SealedShare mine = backup.shares().get(x - 1);
      byte[] share =
          hpke.open(
              mine.enc(),
              key,
              concat(DomainBackup.SHARE_INFO, digest),
              new byte[] {(byte) x},
              mine.ciphertext(),
              null,
              null,
              null);
      byte[] requestHash = sha384.digest(encode(to));
      byte[][] sealed =
          hpke.seal(
              hpke.deserializePublicKey(to.hpkeKey()),
              concat(DomainBackup.RELEASE_INFO, concat(requestHash, digest)),
              new byte[] {(byte) x},
              share,
              null,
              null,
              null);
      return new SealedShare(x, sealed[1], sealed[0]);
    }
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void aBackupRestoresIntoAFreshDeviceWithTwoOfThreeCustodiansAndNothingLess() throws Exception {
    Card a = new Card();
    DomainStatus domain = genesis(a);
    Provisioned provisioned = provision(a, "kept", limits());
    FirmwareClient partA = provisioned.port();
    byte[] partitionBlob = provisioned.blob();
    int sa =
        partA.ok(Opcode.OPEN_SESSION, 0, partA.seal(Opcode.OPEN_SESSION, APP), Id::read).value();
    KeyInfo key =
        partA.ok(
            Opcode.GENERATE_KEY,
            sa,
            new GenerateKeyRequest(
                new KeyAttributes(KeyKind.EC_P256, KeyUsage.SIGN, false, false, "kept-key")),
            KeyInfo::read);

    List<Custodian> custodians = List.of(new Custodian(), new Custodian(), new Custodian());
    DomainBackup backup =
        a.ok(
            Opcode.DOMAIN_BACKUP,
            new io.ihsm.ddi.domain.BackupRequest(
                2, custodians.stream().map(Custodian::publicKey).toList()),
            DomainBackup::read);
    assertThat(backup.shares()).hasSize(3);
    byte[] notAPoint = custodians.get(0).publicKey();
    notAPoint[96] ^= 1;
    assertThat(
            a.status(
                Opcode.DOMAIN_BACKUP, new io.ihsm.ddi.domain.BackupRequest(1, List.of(notAPoint))))
        .as("a custodian key off the curve")
        .isEqualTo(Status.INVALID_PARAMETER);

    // Every device of the fleet is lost: a fresh one comes back with 2 of the 3 custodians.
    Card fresh = new Card();
    JoinRequest request = fresh.requestToJoin(domain);
    assertThat(
            fresh.status(
                Opcode.DOMAIN_RESTORE,
                new RestoreRequest(backup, List.of(custodians.get(0).release(backup, 1, request)))))
        .as("one custodian is not enough")
        .isEqualTo(Status.JOIN_REFUSED);
    assertThat(
            fresh.status(
                Opcode.DOMAIN_RESTORE,
                new RestoreRequest(
                    backup,
                    List.of(
                        custodians.get(0).release(backup, 1, request),
                        custodians.get(2).release(backup, 3, request)))))
        .as("the join request was used up by the refused attempt")
        .isEqualTo(Status.NO_PENDING_JOIN);

    Card other = new Card();
    JoinRequest otherRequest = other.requestToJoin(domain);
    request = fresh.requestToJoin(domain);
    List<SealedShare> forOther =
        List.of(
            custodians.get(0).release(backup, 1, otherRequest),
            custodians.get(1).release(backup, 2, otherRequest));
    assertThat(fresh.status(Opcode.DOMAIN_RESTORE, new RestoreRequest(backup, forOther)))
        .as("shares released to another device")
        .isEqualTo(Status.JOIN_REFUSED);

    request = fresh.requestToJoin(domain);
    byte[] altered = backup.sealedDomain();
    altered[0] ^= 1;
    DomainBackup tampered =
        new DomainBackup(
            backup.domainId(),
            backup.policy(),
            backup.custodians(),
            backup.nonce(),
            altered,
            backup.shares());
    JoinRequest forTamperedRequest = request;
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> custodians.get(0).release(tampered, 1, forTamperedRequest))
        .as("a custodian's share does not open from an altered backup")
        .isInstanceOf(org.bouncycastle.crypto.InvalidCipherTextException.class);
    List<SealedShare> forTampered =
        List.of(
            custodians.get(0).release(backup, 1, request),
            custodians.get(2).release(backup, 3, request));
    assertThat(fresh.status(Opcode.DOMAIN_RESTORE, new RestoreRequest(tampered, forTampered)))
        .isEqualTo(Status.JOIN_REFUSED);
    assertThat(fresh.status().member()).isFalse();

    request = fresh.requestToJoin(domain);
    DomainStatus restored =
        fresh.ok(
            Opcode.DOMAIN_RESTORE,
            new RestoreRequest(
                backup,
                List.of(
                    custodians.get(2).release(backup, 3, request),
                    custodians.get(1).release(backup, 2, request))),
            DomainStatus::read);
    assertThat(restored.domainId()).isEqualTo(domain.domainId());
    int pf = fresh.mgmt.ok(Opcode.ADOPT_PARTITION, 0, new Bytes(partitionBlob), Id::read).value();
    FirmwareClient partF = new FirmwareClient(fresh.fw, Port.partition(pf));
    partF.ok(Opcode.REESTABLISH_PARTITION, 0, new Bytes(partitionBlob), Empty::read);
    int sf =
        partF.ok(Opcode.OPEN_SESSION, 0, partF.seal(Opcode.OPEN_SESSION, APP), Id::read).value();
    assertThat(
            partF.ok(Opcode.UNMASK_KEY, sf, new Bytes(key.maskedBlob()), KeyInfo::read).publicKey())
        .as("no key was lost")
        .isEqualTo(key.publicKey());
    assertThat(a.status(Opcode.DOMAIN_RESTORE, new RestoreRequest(backup, forOther)))
        .as("a member restores nothing")
        .isEqualTo(Status.DOMAIN_EXISTS);
  }

  @Test
  void aDomainThatAsksForTwoApprovalsAdmitsOnlyWithTwoDistinctValidOnes() throws Exception {
    List<KeyPair> approvers =
        List.of(IdentityTest.p384(), IdentityTest.p384(), IdentityTest.p384());
    Card a = new Card();
    Card b = new Card();
    Card c = new Card();
    DomainStatus domain =
        a.ok(
            Opcode.DOMAIN_CREATE,
            new DomainPolicy(
                new byte[0],
                0,
                List.of(),
                0,
                List.of(),
                2,
                approvers.stream().map(k -> k.getPublic().getEncoded()).toList()),
            DomainStatus::read);
    assertThat(domain.policy().approvalsRequired()).isEqualTo(2);
    JoinRequest request = b.requestToJoin(domain);
    byte[] message =
        AdmitRequest.approvalMessage(
            MessageDigest.getInstance("SHA-384").digest(encode(request)), domain.domainId());
    AdmitRequest.Approval first = new AdmitRequest.Approval(0, sign(approvers.get(0), message));
    AdmitRequest.Approval third = new AdmitRequest.Approval(2, sign(approvers.get(2), message));
    AdmitRequest.Approval forged = new AdmitRequest.Approval(1, sign(IdentityTest.p384(), message));
    assertThat(a.status(Opcode.DOMAIN_ADMIT, new AdmitRequest(request)))
        .as("no approval")
        .isEqualTo(Status.JOIN_REFUSED);
    assertThat(a.status(Opcode.DOMAIN_ADMIT, new AdmitRequest(request, List.of(first, forged))))
        .as("one valid, one by a key that is not the approver's")
        .isEqualTo(Status.JOIN_REFUSED);
    assertThat(a.status(Opcode.DOMAIN_ADMIT, new AdmitRequest(request, List.of(first, first))))
        .as("one approver twice")
        .isEqualTo(Status.JOIN_REFUSED);
    Admission admission =
        a.ok(
            Opcode.DOMAIN_ADMIT, new AdmitRequest(request, List.of(third, first)), Admission::read);
    JoinConfirmation proof = b.ok(Opcode.DOMAIN_JOIN_COMPLETE, admission, JoinConfirmation::read);
    a.ok(Opcode.DOMAIN_CONFIRM, proof, Empty::read);
    assertThat(b.status().policy().approvalsRequired()).as("the policy travels").isEqualTo(2);
    JoinRequest fromC = c.requestToJoin(domain);
    assertThat(
            b.status(
                Opcode.DOMAIN_ADMIT,
                new AdmitRequest(
                    fromC,
                    List.of(
                        new AdmitRequest.Approval(
                            0,
                            sign(
                                approvers.get(0),
                                AdmitRequest.approvalMessage(
                                    MessageDigest.getInstance("SHA-384").digest(encode(request)),
                                    domain.domainId())))))))
        .as("an approval of another join")
        .isEqualTo(Status.JOIN_REFUSED);
    Card d = new Card();
    assertThat(
            d.status(
                Opcode.DOMAIN_CREATE,
                new DomainPolicy(
                    new byte[0], 0, List.of(), 0, List.of(), 1, List.of(new byte[] {1, 2, 3}))))
        .as("an approver key that is not one")
        .isEqualTo(Status.INVALID_PARAMETER);
  }

  static byte[] sign(KeyPair key, byte[] message) throws Exception {
    Signature s = Signature.getInstance("SHA384withECDSA");
    s.initSign(key.getPrivate());
    s.update(message);
    return s.sign();
  }

  /** A partition made and provisioned on {@code card}: its port and its blob. */
  record Provisioned(FirmwareClient port, byte[] blob) {}

  static Provisioned provision(Card card, String name, PartitionLimits limits) throws Exception {
    int id =
        card.ok(Opcode.CREATE_PARTITION, new CreatePartitionRequest(name, limits), Id::read)
            .value();
    FirmwareClient port = new FirmwareClient(card.fw, Port.partition(id));
    byte[] blob =
        port.ok(
                Opcode.PROVISION_PARTITION,
                0,
                new ProvisionRequest(
                    VaultTest.p384Anchor(),
                    new byte[0],
                    port.seal(Opcode.PROVISION_PARTITION, APP)),
                ProvisionResponse::read)
            .partitionBlob();
    return new Provisioned(port, blob);
  }

  static PartitionLimits limits() {
    return new PartitionLimits(0, 8, 8192, 0, 1);
  }

  @Test
  void aJoinIsRefusedForAnotherRootAnOldSvnOrFirmwareNotOnTheAllowList() throws Exception {
    Card a = new Card(MANUFACTURER, measured(3, 0xaa));
    DomainStatus domain =
        a.ok(
            Opcode.DOMAIN_CREATE,
            new DomainPolicy(new byte[0], 3, List.of(digest(0xaa), digest(0xbb))),
            DomainStatus::read);

    Card foreign = new Card(IdentityTest.p384(), measured(3, 0xaa));
    assertThat(a.status(Opcode.DOMAIN_ADMIT, new AdmitRequest(foreign.requestToJoin(domain))))
        .as("a chain from another manufacturer root")
        .isEqualTo(Status.JOIN_REFUSED);

    Card old = new Card(MANUFACTURER, measured(2, 0xaa));
    assertThat(a.status(Opcode.DOMAIN_ADMIT, new AdmitRequest(old.requestToJoin(domain))))
        .as("an SVN below the minimum")
        .isEqualTo(Status.JOIN_REFUSED);

    Card unknown = new Card(MANUFACTURER, measured(3, 0xcc));
    assertThat(a.status(Opcode.DOMAIN_ADMIT, new AdmitRequest(unknown.requestToJoin(domain))))
        .as("a firmware digest not allowed")
        .isEqualTo(Status.JOIN_REFUSED);

    Card allowed = new Card(MANUFACTURER, measured(4, 0xbb));
    join(allowed, a);
    assertThat(allowed.status().domainId()).isEqualTo(domain.domainId());

    for (Card refused : List.of(foreign, old, unknown)) {
      assertThat(refused.status().member()).as("nothing changed on a refused device").isFalse();
    }
    assertThat(a.status(Opcode.DOMAIN_CREATE, new DomainPolicy(foreign.root, 0, List.of())))
        .isEqualTo(Status.DOMAIN_EXISTS);
    Card d = new Card();
    assertThat(d.status(Opcode.DOMAIN_CREATE, new DomainPolicy(foreign.root, 0, List.of())))
        .as("the pinned root is the creator's own")
        .isEqualTo(Status.INVALID_PARAMETER);
    assertThat(
            d.status(Opcode.DOMAIN_CREATE, new DomainPolicy(new byte[0], 0, List.of(digest(0xcc)))))
        .as("a creator outside its own policy")
        .isEqualTo(Status.JOIN_REFUSED);
    assertThat(d.status().member()).isFalse();
  }

  @Test
  void replayedOrAlteredJoinMessagesAndTheWrongDeviceAreRefused() throws Exception {
    Card a = new Card();
    Card b = new Card();
    Card c = new Card();
    DomainStatus domain = genesis(a);

    JoinRequest request = b.requestToJoin(domain);
    JoinRequest altered =
        new JoinRequest(
            request.domainId(),
            new byte[JoinRequest.NONCE_BYTES],
            request.hpkeKey(),
            request.chain(),
            request.signature());
    assertThat(a.status(Opcode.DOMAIN_ADMIT, new AdmitRequest(altered)))
        .as("a request whose signed fields changed")
        .isEqualTo(Status.JOIN_REFUSED);
    JoinRequest otherDomain =
        new JoinRequest(
            new byte[16], request.nonce(), request.hpkeKey(), request.chain(), request.signature());
    assertThat(a.status(Opcode.DOMAIN_ADMIT, new AdmitRequest(otherDomain)))
        .isEqualTo(Status.JOIN_REFUSED);

    Admission admission = a.ok(Opcode.DOMAIN_ADMIT, new AdmitRequest(request), Admission::read);
    assertThat(a.status(Opcode.DOMAIN_ADMIT, new AdmitRequest(request)))
        .as("a replayed request")
        .isEqualTo(Status.JOIN_REFUSED);

    // The admission for B, given to C (which has its own join in progress), opens nothing.
    c.requestToJoin(domain);
    assertThat(c.status(Opcode.DOMAIN_JOIN_COMPLETE, admission))
        .as("a sealed secret presented to the wrong device")
        .isEqualTo(Status.NO_PENDING_JOIN);
    assertThat(c.status().member()).isFalse();

    // An admission altered on its way: refused, and the join in progress ends.
    Admission tampered =
        new Admission(
            admission.requestHash(),
            admission.domainId(),
            admission.epoch() + 1,
            admission.policy(),
            admission.memberChain(),
            admission.enc(),
            admission.sealedSecret(),
            admission.signature());
    assertThat(b.status(Opcode.DOMAIN_JOIN_COMPLETE, tampered)).isEqualTo(Status.JOIN_REFUSED);
    assertThat(b.status(Opcode.DOMAIN_JOIN_COMPLETE, admission))
        .as("the join must start again")
        .isEqualTo(Status.NO_PENDING_JOIN);
    assertThat(b.status().member()).isFalse();

    // Again, whole: a wrong proof of possession is refused and the right one is taken once.
    JoinRequest again = b.requestToJoin(domain);
    Admission fresh = a.ok(Opcode.DOMAIN_ADMIT, new AdmitRequest(again), Admission::read);
    JoinConfirmation proof = b.ok(Opcode.DOMAIN_JOIN_COMPLETE, fresh, JoinConfirmation::read);
    byte[] wrongMac = proof.mac();
    wrongMac[0] ^= 1;
    assertThat(a.status(Opcode.DOMAIN_CONFIRM, new JoinConfirmation(proof.transcript(), wrongMac)))
        .isEqualTo(Status.JOIN_REFUSED);
    JoinRequest third = c.requestToJoin(domain);
    Admission forC = a.ok(Opcode.DOMAIN_ADMIT, new AdmitRequest(third), Admission::read);
    JoinConfirmation proofC = c.ok(Opcode.DOMAIN_JOIN_COMPLETE, forC, JoinConfirmation::read);
    a.ok(Opcode.DOMAIN_CONFIRM, proofC, Empty::read);
    assertThat(a.status(Opcode.DOMAIN_CONFIRM, proofC))
        .as("a replayed confirmation")
        .isEqualTo(Status.NO_PENDING_JOIN);
  }

  @Test
  void everyDomainStepButStatusAndAdoptionNeedsTheCryptoOfficerAndZeroizationLeavesTheDomain()
      throws Exception {
    Card a = new Card();
    DomainStatus domain = genesis(a);
    Card b = new Card();
    for (Opcode op :
        List.of(
            Opcode.DOMAIN_CREATE,
            Opcode.DOMAIN_JOIN_REQUEST,
            Opcode.DOMAIN_ADMIT,
            Opcode.DOMAIN_JOIN_COMPLETE,
            Opcode.DOMAIN_CONFIRM)) {
      assertThat(b.mgmt.status(op, 0, new Bytes(new byte[0])))
          .as(op + " without a session")
          .isNotEqualTo(Status.SUCCESS);
    }
    assertThat(b.mgmt.status(Opcode.DOMAIN_JOIN_REQUEST, b.co, new Bytes(new byte[3])))
        .isEqualTo(Status.INVALID_PARAMETER);
    a.ok(Opcode.ZEROIZE, Empty.INSTANCE, Empty::read);
    assertThat(a.platform.records)
        .as("zeroization destroys the domain's secrets")
        .doesNotContainKey("security-domain");
    assertThat(domain.member()).isTrue();
  }

  @Test
  void aDamagedDomainRecordStopsTheModuleInsteadOfGuessing() throws Exception {
    Card a = new Card();
    genesis(a);
    byte[] record = a.platform.records.get("security-domain");
    a.platform.records.put("security-domain", java.util.Arrays.copyOf(record, record.length - 1));
    a.fw.close();
    a.fw = Firmware.powerOn(a.platform);
    a.mgmt = new FirmwareClient(a.fw, Port.MANAGEMENT);
    assertThat(
            a.mgmt
                .ok(
                    Opcode.GET_DEVICE_STATUS,
                    0,
                    Empty.INSTANCE,
                    io.ihsm.ddi.message.DeviceStatus::read)
                .state())
        .isEqualTo(io.ihsm.ddi.message.DeviceState.ERROR);
  }

  static byte[] digest(int b) {
    byte[] d = new byte[48];
    java.util.Arrays.fill(d, (byte) b);
    return d;
  }

  static byte[] encode(Body body) {
    BodyWriter w = new BodyWriter();
    body.writeTo(w);
    return w.toByteArray();
  }

  static JoinRequest decode(byte[] bytes) throws DdiException {
    return JoinRequest.read(BodyReader.of(bytes));
  }

  static List<byte[]> copy(List<byte[]> l) {
    return new ArrayList<>(l);
  }
}
