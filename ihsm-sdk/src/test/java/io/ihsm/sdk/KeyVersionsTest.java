package io.ihsm.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ihsm.ddi.Status;
import io.ihsm.ddi.key.KeyActivation;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyState;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.ddi.message.PartitionLimits;
import io.ihsm.sdk.cipher.AesGcmParameters;
import io.ihsm.sdk.cipher.Ciphertext;
import io.ihsm.sdk.key.HashFunction;
import io.ihsm.sdk.signature.EcdsaParameters;
import io.ihsm.sdk.store.HostKeyStore;
import io.ihsm.sdk.store.HostKeyStore.StoredKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key versions and states through the SDK and the host key store. */
class KeyVersionsTest {
  static final byte[] DEK = "a data encryption key".getBytes(StandardCharsets.US_ASCII);

  @TempDir Path home;

  @Test
  void theLabelNamesTheNewestVersionAndOlderVersionsStillDecryptByLabelHashVersion()
      throws Exception {
    HostKeyStore store = HostKeyStore.at(home);
    try (IhsmClient hsm = IhsmClient.connect(DeviceAddress.embedded(home))) {
      PartitionClientTest.setUp(hsm, store, new PartitionLimits(0, 0, 0, 0, 2));
      try (PartitionClient app = PartitionClient.open(hsm, store, "app", PartitionClientTest.PIN)) {
        StoredKey v1 = app.generate("kek", KeyKind.AES_256, KeyUsage.ENCRYPT, false);
        assertThat(v1.version()).isEqualTo(1);
        assertThat(v1.state()).isEqualTo(KeyState.ACTIVE);
        Ciphertext underV1 = app.encrypt("kek", AesGcmParameters.create(), DEK);

        StoredKey v2 = app.rotate("kek");

        assertThat(v2.version()).isEqualTo(2);
        assertThat(v2.lifecycle().idText()).isNotEqualTo(v1.lifecycle().idText());
        assertThat(app.key("kek").version()).isEqualTo(2);
        assertThat(app.key("kek#1").state()).isEqualTo(KeyState.DEACTIVATED);
        assertThat(app.key("kek#1").lifecycle().idText()).isEqualTo(v1.lifecycle().idText());
        assertThat(app.key("kek#2").lifecycle()).isEqualTo(v2.lifecycle());
        assertThat(app.versions("kek")).extracting(StoredKey::version).containsExactly(1, 2);
        assertThat(app.keys()).extracting(StoredKey::label).containsExactly("kek");

        assertThat(app.decrypt("kek#1", AesGcmParameters.create(), underV1)).isEqualTo(DEK);
        assertThatThrownBy(() -> app.encrypt("kek#1", AesGcmParameters.create(), DEK))
            .isInstanceOfSatisfying(
                IhsmException.class,
                e -> assertThat(e.status()).isEqualTo(Status.KEY_STATE_NOT_PERMITTED));
        Ciphertext underV2 = app.encrypt("kek", AesGcmParameters.create(), DEK);
        assertThat(app.decrypt("kek#2", AesGcmParameters.create(), underV2)).isEqualTo(DEK);
        assertThatThrownBy(() -> app.decrypt("kek", AesGcmParameters.create(), underV1))
            .as("the newest version is new material")
            .isInstanceOf(IhsmException.class);

        hsm.resetEmbeddedDevice();
        assertThat(app.decrypt("kek#1", AesGcmParameters.create(), underV1))
            .as("after a reset, from the re-masked blob")
            .isEqualTo(DEK);
        assertThatThrownBy(() -> app.encrypt("kek#1", AesGcmParameters.create(), DEK))
            .isInstanceOfSatisfying(
                IhsmException.class,
                e -> assertThat(e.status()).isEqualTo(Status.KEY_STATE_NOT_PERMITTED));

        assertThatThrownBy(() -> app.rotate("kek#1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> app.key("kek#3"))
            .isInstanceOfSatisfying(
                IhsmException.class,
                e -> {
                  assertThat(e.status()).isEqualTo(Status.LABEL_NOT_FOUND);
                  assertThat(e.isTransportFailure())
                      .as("a refusal, not an unreachable device")
                      .isFalse();
                });
        assertThatThrownBy(() -> app.key("kek#0")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> app.key("kek#x")).isInstanceOf(IllegalArgumentException.class);
      }
    }
  }

  @Test
  void anotherClientsRotationIsPickedUpByTheLabelWithoutAnError() throws Exception {
    HostKeyStore store = HostKeyStore.at(home);
    try (IhsmClient hsm = IhsmClient.connect(DeviceAddress.embedded(home))) {
      PartitionClientTest.setUp(hsm, store, new PartitionLimits(0, 0, 0, 0, 2));
      try (PartitionClient a = PartitionClient.open(hsm, store, "app", PartitionClientTest.PIN);
          PartitionClient b = PartitionClient.open(hsm, store, "app", PartitionClientTest.PIN)) {
        a.generate("signer", KeyKind.EC_P256, KeyUsage.SIGN, false);
        byte[] old =
            a.sign(
                "signer",
                EcdsaParameters.of(HashFunction.SHA256, EcdsaParameters.Encoding.DER),
                DEK); // a has v1 loaded

        StoredKey v2 = b.rotate("signer");
        byte[] fresh =
            a.sign(
                "signer",
                EcdsaParameters.of(HashFunction.SHA256, EcdsaParameters.Encoding.DER),
                DEK);

        assertThat(PartitionClientTest.jdkVerifies(v2, DEK, fresh))
            .as("signed by the newest version")
            .isTrue();
        assertThat(
                a.verify(
                    "signer#1",
                    EcdsaParameters.of(HashFunction.SHA256, EcdsaParameters.Encoding.DER),
                    DEK,
                    old))
            .isTrue();
      }
    }
  }

  @Test
  void aClientRotatesTheNewestVersionEvenWhenItHadAnOlderOneLoaded() throws Exception {
    HostKeyStore store = HostKeyStore.at(home);
    try (IhsmClient hsm = IhsmClient.connect(DeviceAddress.embedded(home))) {
      PartitionClientTest.setUp(hsm, store, new PartitionLimits(0, 0, 0, 0, 2));
      try (PartitionClient a = PartitionClient.open(hsm, store, "app", PartitionClientTest.PIN);
          PartitionClient b = PartitionClient.open(hsm, store, "app", PartitionClientTest.PIN)) {
        a.generate("kek", KeyKind.AES_256, KeyUsage.ENCRYPT, false);
        a.encrypt("kek", AesGcmParameters.create(), DEK); // a has version 1 loaded
        b.rotate("kek");

        StoredKey v3 = a.rotate("kek");

        assertThat(v3.version()).isEqualTo(3);
        assertThat(a.versions("kek")).extracting(StoredKey::version).containsExactly(1, 2, 3);
        assertThat(a.versions("kek"))
            .extracting(k -> k.lifecycle().idText())
            .doesNotHaveDuplicates();
        assertThat(a.key("kek#2").state()).isEqualTo(KeyState.DEACTIVATED);

        b.encrypt("kek", AesGcmParameters.create(), DEK); // b has version 3 loaded
        StoredKey v4 = a.rotate("kek");
        StoredKey compromised = b.setState("kek", KeyState.COMPROMISED, null);
        assertThat(compromised.version())
            .as("b moves the store's newest, not the version it had loaded")
            .isEqualTo(4);
        assertThat(b.key("kek").lifecycle().idText()).isEqualTo(v4.lifecycle().idText());
        assertThat(b.key("kek#3").state()).isEqualTo(KeyState.DEACTIVATED);
      }
    }
  }

  @Test
  void statesChangeInsideTheDeviceAndTheStoreRecordsThem() throws Exception {
    HostKeyStore store = HostKeyStore.at(home);
    try (IhsmClient hsm = IhsmClient.connect(DeviceAddress.embedded(home))) {
      PartitionClientTest.setUp(hsm, store, new PartitionLimits(0, 0, 0, 0, 2));
      try (PartitionClient app = PartitionClient.open(hsm, store, "app", PartitionClientTest.PIN)) {
        StoredKey pending =
            app.generate(
                "pending",
                KeyKind.AES_256,
                KeyUsage.ENCRYPT,
                false,
                0,
                KeyActivation.WHEN_ACTIVATED);
        assertThat(pending.state()).isEqualTo(KeyState.PRE_ACTIVE);
        assertThatThrownBy(() -> app.encrypt("pending", AesGcmParameters.create(), DEK))
            .isInstanceOfSatisfying(
                IhsmException.class,
                e -> assertThat(e.status()).isEqualTo(Status.KEY_STATE_NOT_PERMITTED));

        assertThat(app.setState("pending", KeyState.ACTIVE, null).state())
            .isEqualTo(KeyState.ACTIVE);
        Ciphertext c = app.encrypt("pending", AesGcmParameters.create(), DEK);
        Instant later = Instant.now().plusSeconds(3600);
        StoredKey scheduled = app.setState("pending", KeyState.DEACTIVATED, later);
        assertThat(scheduled.state()).isEqualTo(KeyState.ACTIVE);
        assertThat(app.key("pending").lifecycle().deactivationDate())
            .isEqualTo(later.toEpochMilli());

        app.setState("pending", KeyState.COMPROMISED, null);
        assertThat(app.key("pending").state()).isEqualTo(KeyState.COMPROMISED);
        assertThat(app.decrypt("pending", AesGcmParameters.create(), c)).isEqualTo(DEK);

        assertThatThrownBy(() -> app.setState("pending", KeyState.ACTIVE, null))
            .isInstanceOfSatisfying(
                IhsmException.class,
                e -> assertThat(e.status()).isEqualTo(Status.INVALID_STATE_TRANSITION));
        assertThat(app.key("pending").state()).as("unchanged").isEqualTo(KeyState.COMPROMISED);

        StoredKey destroyed = app.setState("pending", KeyState.DESTROYED, null);
        assertThat(destroyed.state()).isEqualTo(KeyState.DESTROYED);
        assertThat(app.key("pending").maskedBlob()).as("no blob is kept").isEmpty();
        assertThatThrownBy(() -> app.decrypt("pending", AesGcmParameters.create(), c))
            .isInstanceOfSatisfying(
                IhsmException.class,
                e -> assertThat(e.status()).isEqualTo(Status.KEY_STATE_NOT_PERMITTED));
        assertThatThrownBy(() -> app.setState("pending", KeyState.DESTROYED, null))
            .isInstanceOfSatisfying(
                IhsmException.class,
                e -> assertThat(e.status()).isEqualTo(Status.INVALID_STATE_TRANSITION));

        hsm.resetEmbeddedDevice();
        assertThatThrownBy(() -> app.decrypt("pending", AesGcmParameters.create(), c))
            .as("nor after a reset")
            .isInstanceOf(IhsmException.class);
        app.deleteKey("pending");
        assertThat(app.hasKey("pending")).isFalse();
      }
    }
  }

  @Test
  void anEntryFiledBeforeVersionsLoadsAsVersionOneAndLearnsItsId() throws Exception {
    HostKeyStore store = HostKeyStore.at(home);
    try (IhsmClient hsm = IhsmClient.connect(DeviceAddress.embedded(home))) {
      PartitionClientTest.setUp(hsm, store, new PartitionLimits(0, 0, 0, 0, 2));
      Path file;
      try (PartitionClient app = PartitionClient.open(hsm, store, "app", PartitionClientTest.PIN)) {
        app.generate("old", KeyKind.AES_256, KeyUsage.ENCRYPT, false);
        file = home.resolve("partitions/app/keys/old.key");
      }
      // The entry as an earlier release filed it: no version, id or state.
      Properties p = new Properties();
      try (var in = Files.newBufferedReader(file)) {
        p.load(in);
      }
      for (String k : List.of("version", "keyId", "state", "activationDate")) {
        p.remove(k);
      }
      try (var out = Files.newBufferedWriter(file)) {
        p.store(out, null);
      }
      assertThat(store.key("app", "old").orElseThrow().lifecycle()).isNull();

      try (PartitionClient app = PartitionClient.open(hsm, store, "app", PartitionClientTest.PIN)) {
        assertThat(app.key("old").version()).isEqualTo(1);
        Ciphertext c = app.encrypt("old", AesGcmParameters.create(), DEK);
        assertThat(app.decrypt("old", AesGcmParameters.create(), c)).isEqualTo(DEK);
        assertThat(app.key("old").lifecycle()).as("filed once loaded").isNotNull();
        assertThat(app.key("old").state()).isEqualTo(KeyState.ACTIVE);
      }
    }
  }
}
