package io.ihsm.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ihsm.ddi.Status;
import io.ihsm.ddi.credential.Credential;
import io.ihsm.ddi.key.Algorithm;
import io.ihsm.ddi.key.Encrypted;
import io.ihsm.ddi.key.KeyAttributes;
import io.ihsm.ddi.key.KeyInfo;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.ddi.key.Operation;
import io.ihsm.ddi.message.PartitionLimits;
import io.ihsm.device.Device;
import io.ihsm.device.DeviceConfig;
import io.ihsm.device.daemon.DeviceDaemon;
import io.ihsm.sdk.store.HostKeyStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch through a daemon: every operation gets the result it would get alone, a refused one stops
 * no other, and a batch the device cannot answer in one frame is refused before anything in it
 * runs.
 */
class BatchTest {
  static final String PIN = "batch-pin-1234";
  @TempDir Path tmp;
  private Device device;
  private DeviceDaemon daemon;
  private IhsmClient hsm;
  private PartitionConnection partition;
  private HsmSession session;

  @BeforeEach
  void partitionWithASession() throws Exception {
    device = Device.powerOn(DeviceConfig.of(tmp.resolve("state")));
    daemon = DeviceDaemon.start(device, tmp.resolve("sock"));
    hsm = IhsmClient.connect(DeviceAddress.daemon(tmp.resolve("sock")));
    Credential officer = Credential.of(new byte[16], "officer-pin");
    hsm.initCryptoOfficer(officer);
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp384r1"));
    HostKeyStore.PartitionEntry entry;
    try (CryptoOfficerSession co = hsm.loginCryptoOfficer(officer)) {
      entry =
          PartitionClient.create(
              hsm,
              co,
              HostKeyStore.at(tmp.resolve("home")),
              "batch",
              PartitionLimits.DEFAULTS,
              g.generateKeyPair().getPublic().getEncoded(),
              PIN);
    }
    partition = hsm.partition(entry.id());
    session = partition.openSession(Credential.of(entry.credentialId(), PIN));
  }

  @AfterEach
  void close() throws Exception {
    session.close();
    partition.close();
    hsm.close();
    daemon.close();
    device.close();
  }

  private KeyInfo key(KeyKind kind, KeyUsage usage) {
    return session.generateKey(new KeyAttributes(kind, usage, true, false, ""));
  }

  @Test
  void eachOperationGetsWhatItWouldGetAloneAndARefusalStopsNoOther() {
    KeyInfo aes = key(KeyKind.AES_256, KeyUsage.ENCRYPT);
    KeyInfo hmac = key(KeyKind.HMAC_SHA256, KeyUsage.SIGN);
    List<byte[]> records = new ArrayList<>();
    Batch batch = session.batch();
    List<Batch.Item<Encrypted>> sealed = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      byte[] record = ("record " + i).getBytes(StandardCharsets.UTF_8);
      records.add(record);
      sealed.add(batch.encrypt(Operation.of(aes.handle(), Algorithm.AES_GCM, record)));
    }
    Batch.Item<byte[]> tag =
        batch.sign(Operation.of(hmac.handle(), Algorithm.HMAC, records.get(0)));
    Batch.Item<byte[]> noSuchKey =
        batch.sign(Operation.of(0x7fff_0000, Algorithm.HMAC, records.get(0)));
    Batch.Item<byte[]> wrongKey =
        batch.sign(Operation.of(aes.handle(), Algorithm.HMAC, records.get(1)));
    assertThat(batch.size()).isEqualTo(8);
    assertThatThrownBy(tag::get).isInstanceOf(IllegalStateException.class);
    batch.run();

    for (int i = 0; i < 5; i++) {
      Encrypted e = sealed.get(i).get();
      byte[] opened =
          session.decrypt(
              Operation.of(aes.handle(), Algorithm.AES_GCM, e.ciphertext()).withIv(e.iv()));
      assertThat(opened).isEqualTo(records.get(i));
    }
    assertThat(tag.get())
        .isEqualTo(session.sign(Operation.of(hmac.handle(), Algorithm.HMAC, records.get(0))));
    assertThat(noSuchKey.failure()).isPresent();
    assertThatThrownBy(noSuchKey::get)
        .isInstanceOf(IhsmException.class)
        .hasMessageContaining("SIGN refused by the device");
    assertThat(wrongKey.failure().orElseThrow().status()).isEqualTo(Status.WRONG_KEY_KIND);
    assertThatThrownBy(() -> batch.sign(Operation.of(hmac.handle(), Algorithm.HMAC, new byte[1])))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(batch::run).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void keysLoadAndUnloadInABatch() {
    KeyInfo ec = key(KeyKind.EC_P256, KeyUsage.SIGN);
    session.unload(ec.handle());
    Batch load = session.batch();
    List<Batch.Item<KeyInfo>> loaded = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      loaded.add(load.unmask(ec.maskedBlob()));
    }
    Batch.Item<KeyInfo> damaged =
        load.unmask(Arrays.copyOf(ec.maskedBlob(), ec.maskedBlob().length - 1));
    load.run();
    assertThat(damaged.failure()).isPresent();
    Batch unload = session.batch();
    for (Batch.Item<KeyInfo> k : loaded) {
      assertThat(k.get().publicKey()).isEqualTo(ec.publicKey());
      unload.unload(k.get().handle());
    }
    unload.run();
  }

  @Test
  void aBatchTooLargeForOneFrameIsRefusedBeforeAnythingInItRuns() {
    KeyInfo aes = key(KeyKind.AES_256, KeyUsage.ENCRYPT);
    Batch big = session.batch();
    List<Batch.Item<Encrypted>> items = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      items.add(big.encrypt(Operation.of(aes.handle(), Algorithm.AES_GCM, new byte[4096])));
    }
    assertThatThrownBy(big::run)
        .isInstanceOfSatisfying(
            IhsmException.class,
            e -> {
              assertThat(e.status()).isEqualTo(Status.INVALID_PARAMETER);
              assertThat(e.getMessage()).contains("smaller batches");
            });
    assertThatThrownBy(() -> items.get(0).get()).isInstanceOf(IllegalStateException.class);

    Batch full = session.batch();
    for (int i = 0; i < Batch.MAX_OPERATIONS; i++) {
      full.unload(0x7fff_0000);
    }
    assertThatThrownBy(() -> full.unload(1)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> session.batch().run()).isInstanceOf(IllegalStateException.class);
  }
}
