package io.ihsm.device.nv;

import io.ihsm.ddi.spi.NonVolatileStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Non-volatile records as files in one owner-only directory. A write goes to a temporary file
 * that is synced and then atomically renamed over the record, and the directory is synced, so a
 * crash leaves either the old or the new value, never a torn one. An append writes in place and
 * syncs: a crash may leave a torn tail, which the record's reader (the audit log) drops.
 */
public final class FileNonVolatileStore implements NonVolatileStore {
  private final Path dir;

  public FileNonVolatileStore(Path dir) throws IOException {
    this.dir = OwnerOnly.createDirectories(dir);
  }

  @Override
  public Optional<byte[]> read(String name) {
    NonVolatileStore.checkName(name);
    Path p = dir.resolve(name);
    try {
      if (Files.size(p) > MAX_RECORD_BYTES) {
        throw new IllegalStateException("non-volatile record " + name + " exceeds " + MAX_RECORD_BYTES + " bytes");
      }
      return Optional.of(Files.readAllBytes(p));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read non-volatile record " + name, e);
    }
  }

  @Override
  public synchronized void write(String name, byte[] value) {
    NonVolatileStore.checkName(name);
    if (value.length > MAX_RECORD_BYTES) {
      throw new IllegalArgumentException("non-volatile record " + name + " exceeds " + MAX_RECORD_BYTES + " bytes");
    }
    try {
      AtomicFile.write(dir.resolve(name), value);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write non-volatile record " + name, e);
    }
  }

  /** Appends in place and syncs the data: one sync instead of a whole-record rewrite and three. */
  @Override
  public synchronized void append(String name, byte[] bytes) {
    NonVolatileStore.checkName(name);
    Path p = dir.resolve(name);
    try {
      if (!Files.exists(p)) {
        AtomicFile.write(p, bytes); // a new record: made whole, and its directory entry synced
        return;
      }
      if (Files.size(p) + bytes.length > MAX_RECORD_BYTES) {
        throw new IllegalArgumentException("non-volatile record " + name + " would exceed " + MAX_RECORD_BYTES + " bytes");
      }
      try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(p, java.nio.file.StandardOpenOption.WRITE,
          java.nio.file.StandardOpenOption.APPEND)) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(false);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to non-volatile record " + name, e);
    }
  }

  @Override
  public synchronized void delete(String name) {
    NonVolatileStore.checkName(name);
    try {
      AtomicFile.delete(dir.resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete non-volatile record " + name, e);
    }
  }
}
