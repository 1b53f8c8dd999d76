package io.ihsm.sdk;

import io.ihsm.ddi.Status;
import io.ihsm.ddi.key.KeyInfo;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.sdk.store.HostKeyStore;
import io.ihsm.sdk.store.HostKeyStore.StoredKey;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/**
 * A partition's keys by label, as the host key store keeps them: what each key is and its masked
 * blob. Creating, renaming and deleting are ordered among themselves (a label is checked and filed
 * in one step); reading takes no lock.
 */
final class KeyCatalogue {
  private final HostKeyStore store;
  private final String partition;
  private final Object changes = new Object();

  KeyCatalogue(HostKeyStore store, String partition) {
    this.store = store;
    this.partition = partition;
  }

  /**
   * @throws IhsmException LABEL_NOT_FOUND when the partition has no such key
   */
  StoredKey key(String label) {
    return store.key(partition, label).orElseThrow(() -> notFound(label));
  }

  boolean has(String label) {
    return store.key(partition, label).isPresent();
  }

  List<StoredKey> all() {
    return store.keys(partition);
  }

  /**
   * Runs a change of the catalogue (creation, renaming, deletion) with no other change under way.
   */
  <T> T change(Supplier<T> change) {
    synchronized (changes) {
      return change.get();
    }
  }

  /**
   * @throws IhsmException LABEL_EXISTS when the label is empty or taken
   */
  void requireNewLabel(String label) {
    if (label.isEmpty() || has(label)) {
      throw new IhsmException(
          Status.LABEL_EXISTS,
          label.isEmpty()
              ? "a key needs a label"
              : "partition " + partition + " already has a key labelled " + label);
    }
  }

  /** Files a key the device just made; the label must still be free. */
  StoredKey file(KeyInfo info, KeyKind kind, KeyUsage usage, boolean extractable) {
    StoredKey k =
        new StoredKey(
            info.attributes().label(),
            kind,
            usage,
            info.origin(),
            extractable,
            info.publicKey(),
            info.maskedBlob(),
            info.lifecycle());
    if (!store.createKey(partition, k)) {
      // Another process (in a fleet, another server) filed the label since it was checked.
      throw new IhsmException(
          Status.LABEL_EXISTS,
          "partition " + partition + " already has a key labelled " + k.label());
    }
    return k;
  }

  void delete(String label) {
    store.deleteKey(partition, label);
  }

  void rename(String from, String to) {
    store.renameKey(partition, from, to);
  }

  List<byte[]> certificates(String label) {
    key(label);
    return store.certificates(partition, label);
  }

  void saveCertificates(String label, List<byte[]> chain) {
    key(label);
    store.saveCertificates(partition, label, chain);
  }

  Instant filed(String label) {
    return store.filed(partition, label).orElseThrow(() -> notFound(label));
  }

  private IhsmException notFound(String label) {
    return new IhsmException(
        Status.LABEL_NOT_FOUND, "partition " + partition + " has no key " + label);
  }
}
