package io.ihsm.firmware;

import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.key.Algorithm;
import io.ihsm.ddi.key.Encrypted;
import io.ihsm.ddi.key.GenerateKeyRequest;
import io.ihsm.ddi.key.HashAlgorithm;
import io.ihsm.ddi.key.KeyActivation;
import io.ihsm.ddi.key.KeyAttributes;
import io.ihsm.ddi.key.KeyInfo;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyLifecycle;
import io.ihsm.ddi.key.KeyState;
import io.ihsm.ddi.key.KeyStateChange;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.ddi.key.Operation;
import io.ihsm.ddi.key.RotatedKey;
import io.ihsm.ddi.key.UnwrapKeyRequest;
import io.ihsm.ddi.key.WrapKeyRequest;
import io.ihsm.ddi.message.Bytes;
import io.ihsm.ddi.message.Empty;
import io.ihsm.ddi.message.FirmwareChunk;
import io.ihsm.ddi.message.Id;
import io.ihsm.ddi.spi.Port;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Key versions and lifecycle states inside the device: rotation, what each state allows, the
 * transitions and their refusals (which change nothing), and the audit of each transition.
 */
class KeyLifecycleTest {
  static final byte[] DATA = "a data encryption key".getBytes(StandardCharsets.US_ASCII);

  final KeysTest keys = new KeysTest();

  @BeforeEach
  void provisionedPartition() throws Exception {
    keys.provisionedPartitionWithASession();
  }

  KeyInfo generate(KeyKind kind, KeyUsage usage, String label, long activation) {
    return keys.p.ok(
        Opcode.GENERATE_KEY,
        keys.session,
        new GenerateKeyRequest(new KeyAttributes(kind, usage, false, false, label), 0, activation),
        KeyInfo::read);
  }

  Operation gcm(int handle, byte[] data) {
    return Operation.of(handle, Algorithm.AES_GCM, data);
  }

  Status encryptStatus(int handle) {
    return keys.p.status(Opcode.ENCRYPT, keys.session, gcm(handle, DATA));
  }

  Encrypted encrypt(int handle) {
    return keys.p.ok(Opcode.ENCRYPT, keys.session, gcm(handle, DATA), Encrypted::read);
  }

  Operation decryption(int handle, Encrypted e) {
    return gcm(handle, e.ciphertext()).withIv(e.iv());
  }

  KeyInfo setState(int handle, KeyState state, long date) {
    return keys.p.ok(
        Opcode.SET_KEY_STATE, keys.session, new KeyStateChange(handle, state, date), KeyInfo::read);
  }

  Status setStateStatus(int handle, KeyState state, long date) {
    return keys.p.status(
        Opcode.SET_KEY_STATE, keys.session, new KeyStateChange(handle, state, date));
  }

  Operation ecdsa(int handle) {
    return Operation.of(handle, Algorithm.ECDSA, DATA).withHash(HashAlgorithm.SHA256);
  }

  @Test
  void aNewKeyIsVersionOneActiveNowWithItsOwnRandomId() {
    long before = System.currentTimeMillis();
    KeyInfo a = keys.generate(KeyKind.AES_256, KeyUsage.ENCRYPT, "a");
    KeyInfo b = keys.generate(KeyKind.AES_256, KeyUsage.ENCRYPT, "b");

    assertThat(a.lifecycle().version()).isEqualTo(1);
    assertThat(a.lifecycle().state()).isEqualTo(KeyState.ACTIVE);
    assertThat(a.lifecycle().activationDate()).isBetween(before, System.currentTimeMillis());
    assertThat(a.lifecycle().deactivationDate()).isZero();
    assertThat(a.lifecycle().id()).hasSize(KeyLifecycle.ID_BYTES).isNotEqualTo(b.lifecycle().id());
    assertThat(a.lifecycle().idText()).matches("[0-9a-f]{32}");
  }

  @Test
  void rotationMakesTheNextVersionAndOldVersionsOnlyDecrypt() {
    KeyInfo v1 = keys.generate(KeyKind.AES_256, KeyUsage.ENCRYPT, "dek");
    Encrypted underV1 = encrypt(v1.handle());

    RotatedKey r =
        keys.p.ok(Opcode.ROTATE_KEY, keys.session, new Id(v1.handle()), RotatedKey::read);

    KeyInfo v2 = r.next();
    assertThat(v2.lifecycle().version()).isEqualTo(2);
    assertThat(v2.lifecycle().state()).isEqualTo(KeyState.ACTIVE);
    assertThat(v2.lifecycle().id()).isNotEqualTo(v1.lifecycle().id());
    assertThat(v2.attributes()).isEqualTo(v1.attributes());
    assertThat(v2.maskedBlob()).isNotEmpty();
    assertThat(r.previous().handle()).isEqualTo(v1.handle());
    assertThat(r.previous().lifecycle().id()).isEqualTo(v1.lifecycle().id());
    assertThat(r.previous().lifecycle().state()).isEqualTo(KeyState.DEACTIVATED);
    assertThat(r.previous().lifecycle().deactivationDate()).isPositive();
    assertThat(r.previous().maskedBlob()).isNotEqualTo(v1.maskedBlob()).isNotEmpty();

    assertThat(encryptStatus(v1.handle())).isEqualTo(Status.KEY_STATE_NOT_PERMITTED);
    assertThat(
            keys.p
                .ok(Opcode.DECRYPT, keys.session, decryption(v1.handle(), underV1), Bytes::read)
                .bytes())
        .isEqualTo(DATA);
    Encrypted underV2 = encrypt(v2.handle());
    assertThat(keys.p.status(Opcode.DECRYPT, keys.session, decryption(v2.handle(), underV1)))
        .as("a new version is new material")
        .isEqualTo(Status.BAD_TAG);
    assertThat(
            keys.p
                .ok(Opcode.DECRYPT, keys.session, decryption(v2.handle(), underV2), Bytes::read)
                .bytes())
        .isEqualTo(DATA);

    RotatedKey again =
        keys.p.ok(Opcode.ROTATE_KEY, keys.session, new Id(v2.handle()), RotatedKey::read);
    assertThat(again.next().lifecycle().version()).isEqualTo(3);
  }

  @Test
  void theReplacedVersionsBlobLoadsInItsNewStateAfterAReset() throws Exception {
    KeyInfo v1 = keys.generate(KeyKind.EC_P256, KeyUsage.SIGN, "signer");
    byte[] signature = keys.sign(ecdsa(v1.handle()));
    RotatedKey r =
        keys.p.ok(Opcode.ROTATE_KEY, keys.session, new Id(v1.handle()), RotatedKey::read);

    keys.fw.close();
    keys.fw = Firmware.powerOn(keys.platform);
    keys.p = new FirmwareClient(keys.fw, Port.partition(keys.partition));
    keys.p.ok(Opcode.REESTABLISH_PARTITION, 0, new Bytes(keys.partitionBlob), Empty::read);
    keys.session = keys.openSession();
    KeyInfo old =
        keys.p.ok(
            Opcode.UNMASK_KEY, keys.session, new Bytes(r.previous().maskedBlob()), KeyInfo::read);
    KeyInfo next =
        keys.p.ok(Opcode.UNMASK_KEY, keys.session, new Bytes(r.next().maskedBlob()), KeyInfo::read);

    assertThat(old.lifecycle()).isEqualTo(r.previous().lifecycle());
    assertThat(next.lifecycle()).isEqualTo(r.next().lifecycle());
    assertThat(keys.p.status(Opcode.SIGN, keys.session, ecdsa(old.handle())))
        .isEqualTo(Status.KEY_STATE_NOT_PERMITTED);
    assertThat(keys.verify(ecdsa(old.handle()).withSignature(signature))).isTrue();
    assertThat(keys.sign(ecdsa(next.handle()))).isNotEmpty();
  }

  @Test
  void aPreActiveKeyDoesNothingUntilItIsActivated() {
    KeyInfo k = generate(KeyKind.AES_256, KeyUsage.ENCRYPT, "later", KeyActivation.WHEN_ACTIVATED);
    assertThat(k.lifecycle().state()).isEqualTo(KeyState.PRE_ACTIVE);
    assertThat(k.lifecycle().activationDate()).isZero();

    assertThat(encryptStatus(k.handle())).isEqualTo(Status.KEY_STATE_NOT_PERMITTED);
    assertThat(
            keys.p.status(
                Opcode.DECRYPT, keys.session, gcm(k.handle(), new byte[32]).withIv(new byte[12])))
        .isEqualTo(Status.KEY_STATE_NOT_PERMITTED);

    KeyInfo active = setState(k.handle(), KeyState.ACTIVE, 0);
    assertThat(active.lifecycle().state()).isEqualTo(KeyState.ACTIVE);
    assertThat(active.lifecycle().activationDate()).isPositive();
    assertThat(encrypt(k.handle()).ciphertext()).isNotEmpty();
  }

  @Test
  void datesTakeEffectWhenTheyPass() {
    long inAnHour = System.currentTimeMillis() + 3_600_000;
    KeyInfo future = generate(KeyKind.AES_256, KeyUsage.ENCRYPT, "future", inAnHour);
    assertThat(future.lifecycle().state()).isEqualTo(KeyState.PRE_ACTIVE);
    assertThat(future.lifecycle().activationDate()).isEqualTo(inAnHour);
    assertThat(encryptStatus(future.handle())).isEqualTo(Status.KEY_STATE_NOT_PERMITTED);
    assertThat(future.lifecycle().effectiveState(inAnHour)).isEqualTo(KeyState.ACTIVE);

    KeyInfo past = generate(KeyKind.AES_256, KeyUsage.ENCRYPT, "past", 1_000);
    assertThat(encrypt(past.handle()).ciphertext()).as("activation date passed").isNotEmpty();

    KeyInfo k = keys.generate(KeyKind.AES_256, KeyUsage.ENCRYPT, "retiring");
    KeyInfo scheduled = setState(k.handle(), KeyState.DEACTIVATED, inAnHour);
    assertThat(scheduled.lifecycle().state()).isEqualTo(KeyState.ACTIVE);
    assertThat(scheduled.lifecycle().deactivationDate()).isEqualTo(inAnHour);
    assertThat(encrypt(k.handle()).ciphertext()).as("until its date").isNotEmpty();
    assertThat(scheduled.lifecycle().effectiveState(inAnHour)).isEqualTo(KeyState.DEACTIVATED);
  }

  @Test
  void aDeactivatedKeyVerifiesButNeverSigns() {
    KeyInfo k = keys.generate(KeyKind.EC_P256, KeyUsage.SIGN, "ec");
    byte[] signature = keys.sign(ecdsa(k.handle()));
    assertThat(setState(k.handle(), KeyState.DEACTIVATED, 0).lifecycle().state())
        .isEqualTo(KeyState.DEACTIVATED);

    assertThat(keys.p.status(Opcode.SIGN, keys.session, ecdsa(k.handle())))
        .isEqualTo(Status.KEY_STATE_NOT_PERMITTED);
    assertThat(keys.verify(ecdsa(k.handle()).withSignature(signature))).isTrue();
  }

  @Test
  void aDeactivatedWrappingKeyUnwrapsButNeverWraps() {
    KeyInfo kek =
        keys.p.ok(
            Opcode.GENERATE_KEY,
            keys.session,
            new GenerateKeyRequest(
                new KeyAttributes(KeyKind.AES_256, KeyUsage.WRAP, false, false, "kek")),
            KeyInfo::read);
    KeyInfo target =
        keys.p.ok(
            Opcode.GENERATE_KEY,
            keys.session,
            new GenerateKeyRequest(
                new KeyAttributes(KeyKind.AES_128, KeyUsage.ENCRYPT, false, true, "dek")),
            KeyInfo::read);
    WrapKeyRequest wrap = new WrapKeyRequest(kek.handle(), target.handle(), Algorithm.AES_KW);
    byte[] wrapped = keys.p.ok(Opcode.WRAP_KEY, keys.session, wrap, Bytes::read).bytes();
    setState(kek.handle(), KeyState.DEACTIVATED, 0);

    assertThat(keys.p.status(Opcode.WRAP_KEY, keys.session, wrap))
        .isEqualTo(Status.KEY_STATE_NOT_PERMITTED);
    KeyInfo back =
        keys.p.ok(
            Opcode.UNWRAP_KEY,
            keys.session,
            new UnwrapKeyRequest(
                kek.handle(),
                Algorithm.AES_KW,
                new KeyAttributes(KeyKind.AES_128, KeyUsage.ENCRYPT, true, false, ""),
                wrapped),
            KeyInfo::read);
    assertThat(back.lifecycle().state()).isEqualTo(KeyState.ACTIVE);
  }

  @Test
  void aCompromisedKeyDecryptsButNeverEncrypts() {
    KeyInfo k = keys.generate(KeyKind.AES_256, KeyUsage.ENCRYPT, "leaked");
    Encrypted e = encrypt(k.handle());
    assertThat(setState(k.handle(), KeyState.COMPROMISED, 0).lifecycle().state())
        .isEqualTo(KeyState.COMPROMISED);

    assertThat(encryptStatus(k.handle())).isEqualTo(Status.KEY_STATE_NOT_PERMITTED);
    assertThat(
            keys.p.ok(Opcode.DECRYPT, keys.session, decryption(k.handle(), e), Bytes::read).bytes())
        .isEqualTo(DATA);
  }

  @Test
  void aDestroyedKeyIsWipedAndLeavesNoBlob() {
    KeyInfo k = keys.generate(KeyKind.AES_256, KeyUsage.ENCRYPT, "doomed");
    assertThat(setStateStatus(k.handle(), KeyState.DESTROYED, 0))
        .as("an active key is deactivated first")
        .isEqualTo(Status.INVALID_STATE_TRANSITION);
    assertThat(encrypt(k.handle()).ciphertext()).as("the refusal changed nothing").isNotEmpty();

    setState(k.handle(), KeyState.DEACTIVATED, 0);
    KeyInfo destroyed = setState(k.handle(), KeyState.DESTROYED, 0);

    assertThat(destroyed.lifecycle().state()).isEqualTo(KeyState.DESTROYED);
    assertThat(destroyed.maskedBlob()).isEmpty();
    assertThat(encryptStatus(k.handle())).isEqualTo(Status.KEY_NOT_FOUND);
    assertThat(setStateStatus(k.handle(), KeyState.DESTROYED, 0)).isEqualTo(Status.KEY_NOT_FOUND);
  }

  @Test
  void transitionsTheModelDoesNotAllowAreRefusedAndChangeNothing() {
    KeyInfo k = keys.generate(KeyKind.AES_256, KeyUsage.ENCRYPT, "k");
    assertThat(setStateStatus(k.handle(), KeyState.PRE_ACTIVE, 0))
        .isEqualTo(Status.INVALID_STATE_TRANSITION);
    assertThat(setStateStatus(k.handle(), KeyState.ACTIVE, 0))
        .as("active already")
        .isEqualTo(Status.INVALID_STATE_TRANSITION);
    assertThat(
            setStateStatus(k.handle(), KeyState.COMPROMISED, System.currentTimeMillis() + 60_000))
        .as("compromise takes no later date")
        .isEqualTo(Status.INVALID_STATE_TRANSITION);
    assertThat(encrypt(k.handle()).ciphertext()).isNotEmpty();

    setState(k.handle(), KeyState.DEACTIVATED, 0);
    assertThat(setStateStatus(k.handle(), KeyState.ACTIVE, 0))
        .as("retired keys stay retired")
        .isEqualTo(Status.INVALID_STATE_TRANSITION);
    setState(k.handle(), KeyState.COMPROMISED, 0);
    assertThat(setStateStatus(k.handle(), KeyState.DEACTIVATED, 0))
        .isEqualTo(Status.INVALID_STATE_TRANSITION);
  }

  @Test
  void sessionKeysPublicKeysAndUnlabelledKeysHaveNoVersions() throws Exception {
    KeyInfo session =
        keys.p.ok(
            Opcode.GENERATE_KEY,
            keys.session,
            new GenerateKeyRequest(
                new KeyAttributes(KeyKind.AES_256, KeyUsage.ENCRYPT, true, false, "")),
            KeyInfo::read);
    assertThat(keys.p.status(Opcode.ROTATE_KEY, keys.session, new Id(session.handle())))
        .isEqualTo(Status.INVALID_PARAMETER);
    assertThat(setStateStatus(session.handle(), KeyState.DEACTIVATED, 0))
        .isEqualTo(Status.INVALID_PARAMETER);
    assertThat(
            keys.p.status(
                Opcode.GENERATE_KEY,
                keys.session,
                new GenerateKeyRequest(
                    new KeyAttributes(KeyKind.AES_256, KeyUsage.ENCRYPT, true, false, ""),
                    0,
                    KeyActivation.WHEN_ACTIVATED)))
        .as("a session key is active for its session's life")
        .isEqualTo(Status.INVALID_PARAMETER);

    KeyInfo unlabelled = keys.generate(KeyKind.AES_256, KeyUsage.ENCRYPT, "");
    assertThat(keys.p.status(Opcode.ROTATE_KEY, keys.session, new Id(unlabelled.handle())))
        .isEqualTo(Status.INVALID_PARAMETER);
    assertThat(keys.p.status(Opcode.ROTATE_KEY, keys.session, new Id(12345)))
        .isEqualTo(Status.KEY_NOT_FOUND);
  }

  @Test
  void malformedStateChangesAreRefusedAsMalformed() {
    KeyInfo k = keys.generate(KeyKind.AES_256, KeyUsage.ENCRYPT, "k");
    assertThat(
            keys.p.status(Opcode.SET_KEY_STATE, keys.session, w -> w.u32(k.handle()).u8(9).u64(0)))
        .isEqualTo(Status.MALFORMED_BODY);
    assertThat(keys.p.status(Opcode.SET_KEY_STATE, keys.session, w -> w.u32(k.handle())))
        .as("cut short")
        .isEqualTo(Status.MALFORMED_BODY);
    assertThat(encrypt(k.handle()).ciphertext()).isNotEmpty();
  }

  @Test
  void everyTransitionIsAuditedWithTheKeyIdAndItsNewState() {
    KeyInfo k = keys.generate(KeyKind.AES_256, KeyUsage.ENCRYPT, "audited");
    RotatedKey r = keys.p.ok(Opcode.ROTATE_KEY, keys.session, new Id(k.handle()), RotatedKey::read);
    setState(r.next().handle(), KeyState.COMPROMISED, 0);
    setStateStatus(r.next().handle(), KeyState.ACTIVE, 0); // refused: counted, not detailed

    FirmwareClient mgmt = new FirmwareClient(keys.fw, Port.MANAGEMENT);
    int co =
        mgmt.ok(Opcode.OPEN_SESSION, 0, mgmt.seal(Opcode.OPEN_SESSION, KeysTest.CO), Id::read)
            .value();
    String log =
        new String(
            mgmt.ok(Opcode.EXPORT_AUDIT_LOG, co, new Id(0), FirmwareChunk::read).data(),
            StandardCharsets.UTF_8);

    assertThat(log)
        .contains(
            "ROTATE_KEY|",
            "key=v1 "
                + k.lifecycle().idText()
                + " deactivated next=v2 "
                + r.next().lifecycle().idText()
                + " active label=audited",
            "SET_KEY_STATE|",
            "key=v2 " + r.next().lifecycle().idText() + " compromised label=audited");
  }
}
