package io.ihsm.host.store;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The fleet's shared records: a versioned key-value store. Every value has a revision that rises
 * with each change; creates are conditional and updates and deletes compare-and-swap on the
 * revision the caller read, so two servers changing one record at once give one winner and one
 * {@link StoreException.Reason#CONFLICT} (or {@code EXISTS}). Keys are at most {@value #MAX_KEY}
 * characters of {@code [A-Za-z0-9._/#-]} ({@code #} names a key version: {@code LABEL#N.key}),
 * values at most {@value #MAX_VALUE} bytes.
 *
 * <p>Implementations: {@link FileFleetStore} (one server, the default) and {@link EtcdFleetStore}
 * (many). {@code FleetStoreContract} is the test suite both pass.
 *
 * @throws StoreException from every method, with its reason
 */
public interface FleetStore extends AutoCloseable {
  int MAX_KEY = 256;
  int MAX_VALUE = 64 * 1024;

  /** A record and the revision it was last changed at. */
  record Entry(String key, byte[] value, long revision) {
    public Entry {
      value = value.clone();
    }

    @Override
    public byte[] value() {
      return value.clone();
    }
  }

  /** A change a watcher sees: a put (created or updated) or a delete. */
  record Change(Kind kind, String key, byte[] value, long revision) {
    public enum Kind {
      PUT,
      DELETE
    }

    public Change {
      value = value.clone();
    }

    @Override
    public byte[] value() {
      return value.clone();
    }
  }

  /** Creates the record; {@code EXISTS} when the key is there already. Answers its revision. */
  long create(String key, byte[] value);

  /**
   * Replaces the value if the record is still at {@code expectedRevision}: {@code CONFLICT} when it
   * changed since, {@code NOT_FOUND} when it is gone. Answers the new revision.
   */
  long update(String key, long expectedRevision, byte[] value);

  Optional<Entry> get(String key);

  /** The records whose keys start with {@code prefix}, in key order. */
  List<Entry> list(String prefix);

  /**
   * Deletes the record if it is still at {@code expectedRevision} ({@code CONFLICT}, {@code
   * NOT_FOUND}).
   */
  void delete(String key, long expectedRevision);

  /**
   * Calls {@code listener} for every change under {@code prefix} from now on, in revision order, on
   * a thread of the store's; closing the answer stops it.
   */
  AutoCloseable watch(String prefix, Consumer<Change> listener);

  @Override
  void close();

  /**
   * @throws StoreException INVALID for a key outside the rules
   */
  static void checkKey(String key) {
    if (key == null
        || key.isEmpty()
        || key.length() > MAX_KEY
        || !key.matches("[A-Za-z0-9._/#-]+")) {
      throw new StoreException(
          StoreException.Reason.INVALID,
          "a store key is 1 to "
              + MAX_KEY
              + " characters of [A-Za-z0-9._/#-], got "
              + (key == null
                  ? "null"
                  : key.length() > 40 ? key.length() + " characters" : "'" + key + "'"));
    }
  }

  /**
   * @throws StoreException INVALID for a prefix outside the key rules (empty is every key)
   */
  static void checkPrefix(String prefix) {
    if (prefix == null
        || !prefix.isEmpty() && !prefix.matches("[A-Za-z0-9._/#-]{1," + MAX_KEY + "}")) {
      throw new StoreException(
          StoreException.Reason.INVALID, "a store prefix follows the key rules");
    }
  }

  /**
   * @throws StoreException INVALID for a value over {@value #MAX_VALUE} bytes
   */
  static void checkValue(byte[] value) {
    if (value == null || value.length > MAX_VALUE) {
      throw new StoreException(
          StoreException.Reason.INVALID,
          "a store value is at most "
              + MAX_VALUE
              + " bytes, got "
              + (value == null ? "null" : value.length));
    }
  }
}
