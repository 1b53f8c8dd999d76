package io.ihsm.firmware;

import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.key.GenerateKeyRequest;
import io.ihsm.ddi.key.KeyAttributes;
import io.ihsm.ddi.key.KeyInfo;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.ddi.message.Bytes;
import io.ihsm.ddi.message.CreatePartitionRequest;
import io.ihsm.ddi.message.DeviceState;
import io.ihsm.ddi.message.DeviceStatus;
import io.ihsm.ddi.message.Empty;
import io.ihsm.ddi.message.GetRandomRequest;
import io.ihsm.ddi.message.Id;
import io.ihsm.ddi.message.PartitionLimits;
import io.ihsm.ddi.message.PartitionList;
import io.ihsm.ddi.message.ProvisionRequest;
import io.ihsm.ddi.message.ProvisionResponse;
import io.ihsm.ddi.message.TamperRequest;
import io.ihsm.ddi.spi.Port;
import org.junit.jupiter.api.Test;

/**
 * Tamper response and zeroization: every secret goes, old blobs die for good, only the CO
 * re-initializes.
 */
class TamperTest {
  final TestPlatform platform = new TestPlatform();
  Firmware fw = Firmware.powerOn(platform);
  FirmwareClient mgmt = new FirmwareClient(fw, Port.MANAGEMENT);

  DeviceStatus status() {
    return mgmt.ok(Opcode.GET_DEVICE_STATUS, 0, Empty.INSTANCE, DeviceStatus::read);
  }

  int coSession() {
    return mgmt.ok(Opcode.OPEN_SESSION, 0, mgmt.seal(Opcode.OPEN_SESSION, VaultTest.CO), Id::read)
        .value();
  }

  /** A provisioned partition with an app key; returns {partition blob, key blob}. */
  byte[][] partitionWithAKey(int co, String name) throws Exception {
    int id =
        mgmt.ok(
                Opcode.CREATE_PARTITION,
                co,
                new CreatePartitionRequest(name, PartitionLimits.DEFAULTS),
                Id::read)
            .value();
    FirmwareClient p = new FirmwareClient(fw, Port.partition(id));
    byte[] partitionBlob =
        p.ok(
                Opcode.PROVISION_PARTITION,
                0,
                new ProvisionRequest(
                    VaultTest.p384Anchor(),
                    new byte[0],
                    p.seal(Opcode.PROVISION_PARTITION, VaultTest.APP)),
                ProvisionResponse::read)
            .partitionBlob();
    int s =
        p.ok(Opcode.OPEN_SESSION, 0, p.seal(Opcode.OPEN_SESSION, VaultTest.APP), Id::read).value();
    KeyInfo k =
        p.ok(
            Opcode.GENERATE_KEY,
            s,
            new GenerateKeyRequest(
                new KeyAttributes(KeyKind.AES_256, KeyUsage.ENCRYPT, false, false, "k")),
            KeyInfo::read);
    return new byte[][] {partitionBlob, k.maskedBlob()};
  }

  void powerCycle() {
    fw.close();
    fw = Firmware.powerOn(platform);
    mgmt = new FirmwareClient(fw, Port.MANAGEMENT);
  }

  @Test
  void aTamperZeroizesEverythingAndBlobsMadeBeforeAreDeadForGood() throws Exception {
    mgmt.ok(
        Opcode.INIT_CRYPTO_OFFICER,
        0,
        mgmt.seal(Opcode.INIT_CRYPTO_OFFICER, VaultTest.CO),
        Empty::read);
    byte[][] old = partitionWithAKey(coSession(), "app");

    mgmt.ok(Opcode.TAMPER, 0, new TamperRequest("case-open"), Empty::read);
    DeviceStatus s = status();
    assertThat(s.state()).isEqualTo(DeviceState.TAMPERED);
    assertThat(s.reason()).isEqualTo("tamper: case-open");
    assertThat(s.tamperCount()).isEqualTo(1);
    assertThat(platform.records)
        .as("the sealing secret is gone")
        .doesNotContainKey("sealing-secret");
    assertThat(platform.enabled).as("partition ports are gone").isEmpty();
    assertThat(
            new FirmwareClient(fw, Port.partition(1))
                .status(Opcode.GET_RANDOM, 0, new GetRandomRequest(4)))
        .isEqualTo(Status.DEVICE_NOT_OPERATIONAL);

    // The tamper outlives a restart; a wrong credential cannot re-initialize.
    powerCycle();
    assertThat(status().state()).isEqualTo(DeviceState.TAMPERED);
    assertThat(mgmt.status(Opcode.REINITIALIZE, 0, mgmt.seal(Opcode.REINITIALIZE, VaultTest.APP)))
        .isEqualTo(Status.AUTHENTICATION_FAILED);
    assertThat(status().state()).isEqualTo(DeviceState.TAMPERED);
    mgmt.ok(Opcode.REINITIALIZE, 0, mgmt.seal(Opcode.REINITIALIZE, VaultTest.CO), Empty::read);
    assertThat(status().state()).isEqualTo(DeviceState.OPERATIONAL);
    assertThat(status().tamperCount()).as("the count never resets").isEqualTo(1);

    int co = coSession();
    assertThat(
            mgmt.ok(Opcode.LIST_PARTITIONS, co, Empty.INSTANCE, PartitionList::read).partitions())
        .isEmpty();
    // A partition made again, even with the same name and id, refuses every blob made before the
    // tamper.
    partitionWithAKey(co, "app");
    FirmwareClient again =
        new FirmwareClient(
            fw,
            Port.partition(
                mgmt.ok(Opcode.LIST_PARTITIONS, co, Empty.INSTANCE, PartitionList::read)
                    .partitions()
                    .getFirst()
                    .id()));
    int s2 =
        again
            .ok(Opcode.OPEN_SESSION, 0, again.seal(Opcode.OPEN_SESSION, VaultTest.APP), Id::read)
            .value();
    assertThat(again.status(Opcode.UNMASK_KEY, s2, new Bytes(old[1])))
        .isIn(Status.MASKED_BLOB_FOREIGN, Status.MASKED_BLOB_INVALID);
    assertThat(again.status(Opcode.REESTABLISH_PARTITION, 0, new Bytes(old[0])))
        .isIn(Status.MASKED_BLOB_FOREIGN, Status.MASKED_BLOB_INVALID);
  }

  @Test
  void theCryptoOfficerZeroizesAndOnlyTheCryptoOfficerMayAndReinitializes() throws Exception {
    mgmt.ok(
        Opcode.INIT_CRYPTO_OFFICER,
        0,
        mgmt.seal(Opcode.INIT_CRYPTO_OFFICER, VaultTest.CO),
        Empty::read);
    assertThat(mgmt.status(Opcode.ZEROIZE, 0, Empty.INSTANCE)).isEqualTo(Status.SESSION_REQUIRED);
    assertThat(mgmt.status(Opcode.REINITIALIZE, 0, mgmt.seal(Opcode.REINITIALIZE, VaultTest.CO)))
        .as("nothing to re-initialize")
        .isEqualTo(Status.INVALID_PARAMETER);
    mgmt.ok(Opcode.ZEROIZE, coSession(), Empty.INSTANCE, Empty::read);
    assertThat(status().state()).isEqualTo(DeviceState.ZEROIZED);
    assertThat(status().reason()).isEqualTo("zeroized by the Crypto Officer");
    assertThat(status().tamperCount()).isZero();
    mgmt.ok(Opcode.REINITIALIZE, 0, mgmt.seal(Opcode.REINITIALIZE, VaultTest.CO), Empty::read);
    assertThat(status().state()).isEqualTo(DeviceState.OPERATIONAL);
    assertThat(platform.records).containsKey("sealing-secret");
  }

  @Test
  void aTamperIsHonouredEvenInErrorAndUnknownSensorsAreRefused() throws Exception {
    assertThat(mgmt.status(Opcode.TAMPER, 0, new TamperRequest("moonlight")))
        .isEqualTo(Status.INVALID_PARAMETER);
    assertThat(status().state()).isEqualTo(DeviceState.OPERATIONAL);
    Firmware broken = Firmware.powerOn(new TestPlatform(), SelfTestsTest.failing("SHA-256 KAT", 0));
    FirmwareClient m = new FirmwareClient(broken, Port.MANAGEMENT);
    assertThat(m.ok(Opcode.GET_DEVICE_STATUS, 0, Empty.INSTANCE, DeviceStatus::read).state())
        .isEqualTo(DeviceState.ERROR);
    m.ok(Opcode.TAMPER, 0, new TamperRequest("voltage"), Empty::read);
    assertThat(m.ok(Opcode.GET_DEVICE_STATUS, 0, Empty.INSTANCE, DeviceStatus::read).state())
        .isEqualTo(DeviceState.TAMPERED);
    assertThat(
            new FirmwareClient(broken, Port.partition(1))
                .status(Opcode.TAMPER, 0, new TamperRequest("voltage")))
        .as("the sensor is not a partition's to fire")
        .isEqualTo(Status.WRONG_PORT);
  }
}
