package io.ihsm.firmware;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ihsm.ddi.ApiRevision;
import io.ihsm.ddi.Frames;
import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.RequestHeader;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.key.GenerateKeyRequest;
import io.ihsm.ddi.key.ImportKeyRequest;
import io.ihsm.ddi.key.KeyAttributes;
import io.ihsm.ddi.key.KeyInfo;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.ddi.message.Bytes;
import io.ihsm.ddi.message.CreatePartitionRequest;
import io.ihsm.ddi.message.CredentialChannel;
import io.ihsm.ddi.message.DeviceState;
import io.ihsm.ddi.message.DeviceStatus;
import io.ihsm.ddi.message.Empty;
import io.ihsm.ddi.message.Id;
import io.ihsm.ddi.message.PartitionLimits;
import io.ihsm.ddi.message.ProvisionRequest;
import io.ihsm.ddi.message.ProvisionResponse;
import io.ihsm.ddi.message.SealedCredential;
import io.ihsm.ddi.spi.Port;
import java.util.EnumSet;
import java.util.Set;

/**
 * Coverage-guided fuzzing (Jazzer) of the module's entry point with a realistic device behind it: a
 * Crypto Officer, a provisioned partition, open sessions and a loaded key, so fuzzed requests reach
 * the handlers' body decoding, masked-blob opening, wrapped imports and sealed credentials, not
 * only the header checks. Whatever comes in, one well-formed answer goes out with the request's id,
 * and the device stays OPERATIONAL. Seeds and crash inputs: {@code
 * src/test/resources/io/ihsm/firmware/FirmwareFuzzTestInputs/}; docs/security-testing.md.
 */
class FirmwareFuzzTest {
  /** What a fuzzer may not do with the Crypto Officer's real session: it would end the fixture. */
  static final Set<Opcode> ENDS_THE_FIXTURE =
      EnumSet.of(
          Opcode.ZEROIZE,
          Opcode.RESET_DEVICE,
          Opcode.DELETE_PARTITION,
          Opcode.FIRMWARE_UPDATE_FINISH,
          Opcode.RUN_SELF_TESTS,
          Opcode.CLOSE_SESSION,
          Opcode.SET_APPROVED_MODE,
          Opcode.UNLOCK_CREDENTIAL,
          Opcode.COMMIT_FIRMWARE_SVN);

  /** One device for the whole run (powering on costs its self-tests). */
  static final class Fixture {
    static final Fixture INSTANCE = new Fixture();
    final TestPlatform platform = new TestPlatform();
    final Firmware fw = Firmware.powerOn(platform);
    final FirmwareClient mgmt = new FirmwareClient(fw, Port.MANAGEMENT, Requests.CLIENT);
    final FirmwareClient partition;
    final int co;
    final int user;
    final KeyInfo key;

    Fixture() {
      mgmt.ok(
          Opcode.INIT_CRYPTO_OFFICER,
          0,
          mgmt.seal(Opcode.INIT_CRYPTO_OFFICER, VaultTest.CO),
          Empty::read);
      co =
          mgmt.ok(Opcode.OPEN_SESSION, 0, mgmt.seal(Opcode.OPEN_SESSION, VaultTest.CO), Id::read)
              .value();
      int id =
          mgmt.ok(
                  Opcode.CREATE_PARTITION,
                  co,
                  new CreatePartitionRequest("fuzz", PartitionLimits.DEFAULTS),
                  Id::read)
              .value();
      partition = new FirmwareClient(fw, Port.partition(id), Requests.CLIENT);
      try {
        partition.ok(
            Opcode.PROVISION_PARTITION,
            0,
            new ProvisionRequest(
                VaultTest.p384Anchor(),
                new byte[0],
                partition.seal(Opcode.PROVISION_PARTITION, VaultTest.APP)),
            ProvisionResponse::read);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      user =
          partition
              .ok(
                  Opcode.OPEN_SESSION,
                  0,
                  partition.seal(Opcode.OPEN_SESSION, VaultTest.APP),
                  Id::read)
              .value();
      key =
          partition.ok(
              Opcode.GENERATE_KEY,
              user,
              new GenerateKeyRequest(
                  new KeyAttributes(KeyKind.EC_P256, KeyUsage.SIGN, false, false, "fuzz-key")),
              KeyInfo::read);
    }
  }

  static void answered(Firmware fw, Port port, byte[] frame) {
    DispatcherPropertiesTest.assertWellFormedAnswer(fw, frame, port);
  }

  static void stillOperational(Fixture f) {
    var status = f.mgmt.ok(Opcode.GET_DEVICE_STATUS, 0, Empty.INSTANCE, DeviceStatus::read);
    assertThat(status.state()).as(status.reason()).isEqualTo(DeviceState.OPERATIONAL);
  }

  /** Any opcode, any body, with no session, a real one, or an invented one, on either port. */
  @FuzzTest(maxDuration = "10s")
  void anyRequestWithRealSessions(FuzzedDataProvider data) {
    Fixture f = Fixture.INSTANCE;
    Opcode op = data.pickValue(Opcode.values());
    boolean onPartition = data.consumeBoolean();
    int session =
        switch (data.consumeInt(0, 3)) {
          case 0 -> 0;
          case 1 -> onPartition ? f.user : f.co;
          case 2 -> f.user;
          default -> data.consumeInt();
        };
    if (op == Opcode.TAMPER) {
      op = Opcode.GET_DEVICE_STATUS; // a tamper would end the run
    }
    if (session == f.co && ENDS_THE_FIXTURE.contains(op)) {
      // The real Crypto Officer session would end the run (a zeroization, say); any other is fine.
      // A fresh number could be the real one again (the fuzzer learns it from comparisons, and
      // once did), so the replacement is one it cannot be.
      session = ~f.co;
    }
    ApiRevision rev = op == Opcode.GET_API_REV ? ApiRevision.NONE : ApiRevision.V1_0;
    byte[] body = data.consumeRemainingAsBytes();
    byte[] frame = Frames.encodeRequest(new RequestHeader(rev, op.code(), session, 7), body);
    answered(f.fw, onPartition ? f.partition.port : Port.MANAGEMENT, frame);
    stillOperational(f);
  }

  /**
   * Masked blobs from outside: a key loads only from an authentic blob of this partition, else a
   * status.
   */
  @FuzzTest(maxDuration = "10s")
  void maskedBlobs(byte[] blob) {
    Fixture f = Fixture.INSTANCE;
    Status s = f.partition.status(Opcode.UNMASK_KEY, f.user, new Bytes(blob));
    if (s == Status.SUCCESS) {
      assertThat(blob).as("only the device's own blob loads").isEqualTo(f.key.maskedBlob());
    }
    assertThat(f.partition.status(Opcode.REESTABLISH_PARTITION, 0, new Bytes(blob)))
        .isNotEqualTo(Status.SUCCESS);
    stillOperational(f);
  }

  /** Wrapped imports: garbage under the partition's unwrapping key never becomes a key. */
  @FuzzTest(maxDuration = "10s")
  void wrappedImports(FuzzedDataProvider data) {
    Fixture f = Fixture.INSTANCE;
    KeyKind kind = data.pickValue(KeyKind.values());
    KeyUsage usage = data.pickValue(KeyUsage.values());
    byte[] wrapped = data.consumeRemainingAsBytes();
    Status s =
        f.partition.status(
            Opcode.IMPORT_KEY,
            f.user,
            new ImportKeyRequest(new KeyAttributes(kind, usage, true, false, ""), wrapped));
    assertThat(s).as("random bytes do not unwrap under RSA-OAEP").isNotEqualTo(Status.SUCCESS);
    stillOperational(f);
  }

  /**
   * Sealed credentials from anyone: they open a session only with the real credential, which a
   * fuzzer lacks.
   */
  @FuzzTest(maxDuration = "10s")
  void sealedCredentials(FuzzedDataProvider data) {
    Fixture f = Fixture.INSTANCE;
    byte[] host = data.consumeBytes(CredentialChannel.MAX_KEY_BYTES);
    byte[] iv = data.consumeBytes(12);
    byte[] ct = data.consumeBytes(SealedCredential.MAX_CIPHERTEXT);
    SealedCredential sealed = new SealedCredential(host, iv, ct);
    assertThat(f.partition.status(Opcode.OPEN_SESSION, 0, sealed)).isNotEqualTo(Status.SUCCESS);
    assertThat(f.mgmt.status(Opcode.OPEN_SESSION, 0, sealed)).isNotEqualTo(Status.SUCCESS);
  }
}
