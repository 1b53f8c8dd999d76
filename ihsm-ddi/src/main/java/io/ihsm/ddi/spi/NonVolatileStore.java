package io.ihsm.ddi.spi;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;

/**
 * Named records in the card's non-volatile storage. Writes are atomic: after a crash a record holds
 * either its old or its new value (appends: see {@link #append}). Names are 1 to 64 characters of
 * [a-z0-9._-]; a record holds at most {@value #MAX_RECORD_BYTES} bytes.
 */
public interface NonVolatileStore {
  int MAX_RECORD_BYTES = 1 << 20;

  Optional<byte[]> read(String name);

  void write(String name, byte[] value);

  void delete(String name);

  /**
   * Adds bytes to the end of a record (made if absent), durably before returning. After a crash the
   * record holds its old value followed by a prefix of the new bytes: a reader must tolerate a torn
   * tail. This default reads and rewrites the whole record; a store may do better.
   */
  default void append(String name, byte[] bytes) {
    byte[] old = read(name).orElse(new byte[0]);
    byte[] all = Arrays.copyOf(old, old.length + bytes.length);
    System.arraycopy(bytes, 0, all, old.length, bytes.length);
    write(name, all);
  }

  /**
   * Adds bytes to the end of a record like {@link #append}, but may return before they are on the
   * disk: they are durable once {@link #sync} for the record returns (group commit: many appends,
   * one sync). This default appends durably at once.
   */
  default void appendUnsynced(String name, byte[] bytes) {
    append(name, bytes);
  }

  /**
   * Makes everything appended to the record so far durable. Called without the store's other work
   * waiting on it, so appends go on while one sync runs. This default has nothing to do.
   */
  default void sync(String name) {}

  /**
   * A record that must be exactly {@code size} bytes: empty when absent, and any other size is
   * corrupt (never read as a default: a short failure count must not unlock a credential).
   *
   * @throws CorruptRecordException when the record exists with another size
   */
  default Optional<byte[]> readExactly(String name, int size) {
    Optional<byte[]> value = read(name);
    if (value.isPresent() && value.get().length != size) {
      throw new CorruptRecordException(name, "is " + value.get().length + " bytes, not " + size);
    }
    return value;
  }

  /** A non-negative u32 counter: 0 when absent; another size or a negative value is corrupt. */
  default int readCounter(String name) {
    int v = readExactly(name, 4).map(b -> ByteBuffer.wrap(b).getInt()).orElse(0);
    if (v < 0) {
      throw new CorruptRecordException(name, "holds a negative count");
    }
    return v;
  }

  static void checkName(String name) {
    if (name == null || !name.matches("[a-z0-9._-]{1,64}") || name.startsWith(".")) {
      throw new IllegalArgumentException("invalid record name");
    }
  }
}
