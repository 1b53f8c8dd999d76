package io.ihsm.sdk.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyOrigin;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.host.store.FileFleetStore;
import io.ihsm.host.store.FleetStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host key store kept in a fleet store: new labels are conditional creates, and a record
 * another server (or an attacker with the store) damaged is named and affects only its own entry.
 */
class FleetKeyStoreTest {
  @TempDir Path dir;

  static HostKeyStore.StoredKey key(String label) {
    return new HostKeyStore.StoredKey(
        label,
        KeyKind.AES_256,
        KeyUsage.ENCRYPT,
        KeyOrigin.GENERATED,
        false,
        new byte[0],
        new byte[] {2, 1, 0, 0, 0, 1},
        null);
  }

  @Test
  void aDamagedRecordIsNamedAndSkippedAndALabelIsCreatedOnce() throws Exception {
    try (FleetStore store = FileFleetStore.open(dir.resolve("store"))) {
      HostKeyStore a = HostKeyStore.on(store, dir.resolve("a"));
      HostKeyStore b = HostKeyStore.on(store, dir.resolve("b"));
      a.savePartition(
          new HostKeyStore.PartitionEntry("p", 3, new byte[16], new byte[] {2, 1}, new byte[0]));
      assertThat(b.partition("p").orElseThrow().id()).as("the id is each server's own").isZero();
      assertThat(a.partition("p").orElseThrow().id()).isEqualTo(3);
      assertThat(a.createKey("p", key("good"))).isTrue();
      assertThat(b.createKey("p", key("good"))).as("taken, by another server").isFalse();
      assertThat(a.createKey("p", key("bad"))).isTrue();

      String record = "host/partitions/p/keys/bad.key";
      FleetStore.Entry e = store.get(record).orElseThrow();
      store.update(
          record,
          e.revision(),
          "kind=aes-256\nmaskedBlob=%%%\n".getBytes(StandardCharsets.ISO_8859_1));
      assertThat(b.keys("p")).extracting(HostKeyStore.StoredKey::label).containsExactly("good");
      assertThat(b.damagedKeys("p"))
          .singleElement()
          .satisfies(d -> assertThat(d.getMessage()).contains("fleet-store/" + record));

      String partition = "host/partitions/p/partition.properties";
      FleetStore.Entry pe = store.get(partition).orElseThrow();
      store.update(partition, pe.revision(), new byte[] {0, 1, 2});
      assertThatThrownBy(() -> b.partition("p"))
          .isInstanceOf(DamagedEntryException.class)
          .hasMessageContaining("fleet-store/" + partition);
    }
  }
}
