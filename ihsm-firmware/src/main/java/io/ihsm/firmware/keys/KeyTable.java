package io.ihsm.firmware.keys;

import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.key.KeyAttributes;
import io.ihsm.ddi.key.KeyLifecycle;
import io.ihsm.ddi.key.KeyOrigin;
import io.ihsm.ddi.message.PartitionLimits;
import io.ihsm.firmware.rng.RandomSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One partition's loaded keys, bounded like the real device's table: at most {@code maxKeys} keys
 * and {@code maxKeyBytes} bytes of material. A label and version are unique among loaded app keys
 * (the versions of one label share it). A session sees the partition's app keys and its own session
 * keys, never another session's.
 */
final class KeyTable {
  private final PartitionLimits limits;
  private final RandomSource random;
  private final Map<Integer, LoadedKey> keys = new HashMap<>();
  private int usedBytes;

  KeyTable(PartitionLimits limits, RandomSource random) {
    this.limits = limits;
    this.random = random;
  }

  /** Checks that a key of this cost and label would fit, without adding it. */
  synchronized void checkRoom(int cost, String label, int version, boolean appKey)
      throws DdiException {
    if (keys.size() >= limits.maxKeys() || usedBytes + cost > limits.maxKeyBytes()) {
      throw new DdiException(
          Status.KEY_TABLE_FULL,
          "the key table holds "
              + keys.size()
              + " keys, "
              + usedBytes
              + " bytes (limits "
              + limits.maxKeys()
              + ", "
              + limits.maxKeyBytes()
              + ")");
    }
    if (appKey
        && !label.isEmpty()
        && keys.values().stream()
            .anyMatch(
                k ->
                    k.isAppKey()
                        && k.attributes().label().equals(label)
                        && k.lifecycle().version() == version)) {
      throw new DdiException(
          Status.LABEL_EXISTS, "a loaded app key has this label and version " + version);
    }
  }

  synchronized LoadedKey add(LoadedKeyDraft draft) throws DdiException {
    checkRoom(
        draft.material().cost(),
        draft.attributes().label(),
        draft.lifecycle().version(),
        draft.sessionId() == 0);
    int handle;
    do {
      handle = random.nonZeroInt();
    } while (keys.containsKey(handle));
    LoadedKey k =
        new LoadedKey(
            handle,
            draft.attributes(),
            draft.origin(),
            draft.lifecycle(),
            draft.sessionId(),
            draft.material());
    keys.put(handle, k);
    usedBytes += k.material().cost();
    return k;
  }

  /** The key with this handle as seen from {@code sessionId}: its own session keys and app keys. */
  synchronized LoadedKey find(int handle, int sessionId) throws DdiException {
    LoadedKey k = keys.get(handle);
    if (k == null || !(k.isAppKey() || k.sessionId() == sessionId)) {
      throw new DdiException(
          Status.KEY_NOT_FOUND, "no key " + Integer.toUnsignedString(handle) + " for this session");
    }
    return k;
  }

  /**
   * The loaded app key with this label when it holds the same material (compared in constant time);
   * else null.
   */
  synchronized LoadedKey loadedAppKey(String label, KeyMaterial material) {
    if (label.isEmpty()) {
      return null;
    }
    return keys.values().stream()
        .filter(
            k ->
                k.isAppKey()
                    && k.attributes().label().equals(label)
                    && k.material().sameAs(material))
        .findFirst()
        .orElse(null);
  }

  /** Records a loaded key's new lifecycle (same handle, same material). */
  synchronized void update(LoadedKey changed) {
    if (keys.replace(changed.handle(), changed) == null) {
      throw new IllegalStateException("no key " + changed.handle() + " to update");
    }
  }

  synchronized void remove(int handle) {
    LoadedKey k = keys.remove(handle);
    if (k != null) {
      usedBytes -= k.material().cost();
      k.material().wipe();
    }
  }

  /** Drops a closed session's keys. */
  synchronized void removeSession(int sessionId) {
    for (LoadedKey k : List.copyOf(keys.values())) {
      if (k.sessionId() == sessionId) {
        remove(k.handle());
      }
    }
  }

  synchronized int size() {
    return keys.size();
  }

  synchronized void clear() {
    for (LoadedKey k : List.copyOf(keys.values())) {
      remove(k.handle());
    }
  }

  /** A key about to be added: everything but its handle. */
  record LoadedKeyDraft(
      KeyAttributes attributes,
      KeyOrigin origin,
      KeyLifecycle lifecycle,
      int sessionId,
      KeyMaterial material) {}
}
