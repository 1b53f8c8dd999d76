package io.ihsm.firmware;

import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.key.Algorithm;
import io.ihsm.ddi.key.Encrypted;
import io.ihsm.ddi.key.HashAlgorithm;
import io.ihsm.ddi.key.ImportKeyRequest;
import io.ihsm.ddi.key.KeyAttributes;
import io.ihsm.ddi.key.KeyInfo;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.ddi.key.Operation;
import io.ihsm.ddi.message.Bytes;
import io.ihsm.ddi.message.DeviceStatus;
import io.ihsm.ddi.message.Empty;
import io.ihsm.ddi.message.Id;
import io.ihsm.ddi.spi.Port;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.Signature;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Approved-only mode (the default) and the service indicator on every response. */
class ApprovedModeTest {
  static final byte[] MSG = "approved or not".getBytes(StandardCharsets.UTF_8);

  /** A provisioned partition with a session, as the key tests use it. */
  final KeysTest device = new KeysTest();

  FirmwareClient mgmt;
  KeyInfo ec;
  KeyInfo aes;

  @BeforeEach
  void partitionWithKeys() throws Exception {
    device.provisionedPartitionWithASession();
    mgmt = new FirmwareClient(device.fw, Port.MANAGEMENT);
    ec = device.generate(KeyKind.EC_P256, KeyUsage.SIGN, "ec");
    aes = device.generate(KeyKind.AES_256, KeyUsage.ENCRYPT, "aes");
  }

  DeviceStatus status() {
    return mgmt.ok(Opcode.GET_DEVICE_STATUS, 0, Empty.INSTANCE, DeviceStatus::read);
  }

  int coSession() {
    return mgmt.ok(Opcode.OPEN_SESSION, 0, mgmt.seal(Opcode.OPEN_SESSION, KeysTest.CO), Id::read)
        .value();
  }

  FirmwareClient.Answer<byte[]> sign(Operation op) {
    return device.p.call(Opcode.SIGN, device.session, op, r -> Bytes.read(r).bytes());
  }

  Operation sha1Ecdsa() {
    return Operation.of(ec.handle(), Algorithm.ECDSA, MSG).withHash(HashAlgorithm.SHA1);
  }

  Operation gcmWithCallerIv() {
    return Operation.of(aes.handle(), Algorithm.AES_GCM, MSG).withIv(new byte[12]);
  }

  @Test
  void byDefaultEveryServiceIsApprovedAndNonApprovedParametersAreRefused() {
    assertThat(status().approvedMode()).isTrue();
    assertThat(
            mgmt.call(Opcode.GET_DEVICE_STATUS, 0, Empty.INSTANCE, DeviceStatus::read).approved())
        .isTrue();
    assertThat(
            sign(Operation.of(ec.handle(), Algorithm.ECDSA, MSG).withHash(HashAlgorithm.SHA256))
                .approved())
        .isTrue();
    FirmwareClient.Answer<Encrypted> gcm =
        device.p.call(
            Opcode.ENCRYPT,
            device.session,
            Operation.of(aes.handle(), Algorithm.AES_GCM, MSG),
            Encrypted::read);
    assertThat(gcm.status()).isEqualTo(Status.SUCCESS);
    assertThat(gcm.approved()).isTrue();

    assertThat(sign(sha1Ecdsa()).status()).isEqualTo(Status.NOT_APPROVED);
    assertThat(
            device.p.status(Opcode.VERIFY, device.session, sha1Ecdsa().withSignature(new byte[8])))
        .isEqualTo(Status.NOT_APPROVED);
    assertThat(device.p.status(Opcode.ENCRYPT, device.session, gcmWithCallerIv()))
        .isEqualTo(Status.NOT_APPROVED);
    KeyInfo rsa = device.generate(KeyKind.RSA_2048, KeyUsage.SIGN, "rsa");
    assertThat(
            device.p.status(
                Opcode.SIGN,
                device.session,
                Operation.of(rsa.handle(), Algorithm.RSA_PSS, MSG)
                    .withPss(HashAlgorithm.SHA256, HashAlgorithm.SHA1, 32)))
        .isEqualTo(Status.NOT_APPROVED);
    // Refusals changed nothing: the keys still serve approved requests.
    assertThat(
            sign(Operation.of(ec.handle(), Algorithm.ECDSA, MSG).withHash(HashAlgorithm.SHA384))
                .status())
        .isEqualTo(Status.SUCCESS);
  }

  @Test
  void rsaBelow2048BitsDoesNotExistInTheModule() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(1024);
    byte[] spki = g.generateKeyPair().getPublic().getEncoded();
    for (KeyKind kind : new KeyKind[] {KeyKind.RSA_2048, KeyKind.RSA_3072, KeyKind.RSA_4096}) {
      assertThat(
              device.p.status(
                  Opcode.IMPORT_PUBLIC_KEY,
                  device.session,
                  new ImportKeyRequest(
                      new KeyAttributes(kind, KeyUsage.SIGN, true, false, ""), spki)))
          .as(kind.toString())
          .isEqualTo(Status.INVALID_KEY_MATERIAL);
    }
  }

  @Test
  void outsideApprovedModeNonApprovedRequestsAreServedWithTheFlagClear() throws Exception {
    int co = coSession();
    assertThat(mgmt.status(Opcode.SET_APPROVED_MODE, co, new Id(2)))
        .isEqualTo(Status.INVALID_PARAMETER);
    assertThat(device.p.status(Opcode.SET_APPROVED_MODE, device.session, new Id(0)))
        .isEqualTo(Status.WRONG_PORT);
    assertThat(status().approvedMode()).as("refusals changed nothing").isTrue();

    mgmt.ok(Opcode.SET_APPROVED_MODE, co, new Id(0), Empty::read);
    assertThat(status().approvedMode()).isFalse();
    FirmwareClient.Answer<byte[]> sha1 = sign(sha1Ecdsa());
    assertThat(sha1.status()).isEqualTo(Status.SUCCESS);
    assertThat(sha1.approved()).isFalse();
    Signature jdk = Signature.getInstance("SHA1withECDSA");
    jdk.initVerify(KeysTest.publicKey(ec, "EC"));
    jdk.update(MSG);
    assertThat(jdk.verify(sha1.body())).isTrue();
    FirmwareClient.Answer<Encrypted> gcm =
        device.p.call(Opcode.ENCRYPT, device.session, gcmWithCallerIv(), Encrypted::read);
    assertThat(gcm.approved()).isFalse();
    assertThat(gcm.body().iv()).isEqualTo(new byte[12]);
    // Approved requests keep the flag set in either mode.
    assertThat(
            sign(Operation.of(ec.handle(), Algorithm.ECDSA, MSG).withHash(HashAlgorithm.SHA256))
                .approved())
        .isTrue();

    // The setting survives a restart; zeroization returns the module to approved-only.
    device.fw.close();
    device.fw = Firmware.powerOn(device.platform);
    mgmt = new FirmwareClient(device.fw, Port.MANAGEMENT);
    assertThat(status().approvedMode()).isFalse();
    mgmt.ok(Opcode.ZEROIZE, coSession(), Empty.INSTANCE, Empty::read);
    assertThat(status().approvedMode()).isTrue();
  }
}
