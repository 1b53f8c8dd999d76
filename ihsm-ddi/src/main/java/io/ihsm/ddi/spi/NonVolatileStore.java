package io.ihsm.ddi.spi;

import java.util.Optional;

/**
 * Named records in the card's non-volatile storage. Writes are atomic: after a crash a record
 * holds either its old or its new value (appends: see {@link #append}). Names are 1 to 64 characters of [a-z0-9._-]; a record
 * holds at most {@value #MAX_RECORD_BYTES} bytes.
 */
public interface NonVolatileStore {
  int MAX_RECORD_BYTES = 1 << 20;

  Optional<byte[]> read(String name);

  void write(String name, byte[] value);

  void delete(String name);

  /**
   * Adds bytes to the end of a record (made if absent), durably before returning. After a crash
   * the record holds its old value followed by a prefix of the new bytes: a reader must tolerate
   * a torn tail. This default reads and rewrites the whole record; a store may do better.
   */
  default void append(String name, byte[] bytes) {
    byte[] old = read(name).orElse(new byte[0]);
    byte[] all = java.util.Arrays.copyOf(old, old.length + bytes.length);
    System.arraycopy(bytes, 0, all, old.length, bytes.length);
    write(name, all);
  }

  static void checkName(String name) {
    if (name == null || !name.matches("[a-z0-9._-]{1,64}") || name.startsWith(".")) {
      throw new IllegalArgumentException("invalid record name");
    }
  }
}
