package io.ihsm.ddi.spi;

import java.util.Optional;

/**
 * Named records in the card's non-volatile storage. Writes are atomic: after a crash a record
 * holds either its old or its new value. Names are 1 to 64 characters of [a-z0-9._-]; a record
 * holds at most {@value #MAX_RECORD_BYTES} bytes.
 */
public interface NonVolatileStore {
  int MAX_RECORD_BYTES = 1 << 20;

  Optional<byte[]> read(String name);

  void write(String name, byte[] value);

  void delete(String name);

  static void checkName(String name) {
    if (name == null || !name.matches("[a-z0-9._-]{1,64}") || name.startsWith(".")) {
      throw new IllegalArgumentException("invalid record name");
    }
  }
}
