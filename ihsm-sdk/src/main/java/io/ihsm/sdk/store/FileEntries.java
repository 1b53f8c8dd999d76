package io.ihsm.sdk.store;

import io.ihsm.host.AtomicFile;
import io.ihsm.host.OwnerOnly;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Entries as owner-only files, each written atomically (temporary file, sync, rename, directory
 * sync), so a crash never loses or corrupts an acknowledged entry.
 */
final class FileEntries implements Entries {
  private final Path root;

  FileEntries(Path root) {
    this.root = root;
  }

  @Override
  public Optional<Properties> read(String path) {
    Path file = where(path);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      if (Files.size(file) > HostKeyStore.MAX_ENTRY_BYTES) {
        throw new DamagedEntryException(
            file, "it is larger than any entry (" + Files.size(file) + " bytes)");
      }
      return Optional.of(
          HostKeyStore.parse(file, Files.readString(file, StandardCharsets.ISO_8859_1)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  @Override
  public void write(String path, Properties p) {
    Path file = where(path);
    try {
      createParents(file);
      AtomicFile.writeProperties(file, p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  @Override
  public boolean create(String path, Properties p) {
    if (Files.exists(where(path))) {
      return false;
    }
    write(path, p);
    return true;
  }

  @Override
  public boolean replace(String path, Predicate<Properties> expected, Properties next) {
    Optional<Properties> now = read(path);
    if (now.isEmpty() || !expected.test(now.get())) {
      return false;
    }
    write(path, next); // one server: its processes change an entry under the catalogue's order
    return true;
  }

  @Override
  public void delete(String path) {
    Path file = where(path);
    try {
      AtomicFile.delete(file);
      // Folders left empty go too: a partition's keys folder, then the partition's.
      for (Path dir = file.getParent(); !dir.equals(root); dir = dir.getParent()) {
        if (!isEmptyDirectory(dir)) {
          break;
        }
        Files.deleteIfExists(dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + file, e);
    }
  }

  @Override
  public List<String> children(String dir) {
    Path d = dir.isEmpty() ? root : where(dir);
    if (!Files.isDirectory(d)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + d, e);
    }
  }

  @Override
  public Optional<Instant> changed(String dir) {
    Path d = dir.isEmpty() ? root : where(dir);
    try {
      // Creating, renaming over or deleting a file (how entries change) stamps its directory.
      return Optional.of(
          Files.isDirectory(d) ? Files.getLastModifiedTime(d).toInstant() : Instant.EPOCH);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  @Override
  public Optional<Instant> modified(String path) {
    Path f = where(path);
    try {
      return Files.exists(f)
          ? Optional.of(Files.getLastModifiedTime(f).toInstant())
          : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + f, e);
    }
  }

  @Override
  public AutoCloseable watchDeletions(String dir, Consumer<String> deleted) {
    return () -> {}; // one server: its processes share the files, and nothing evicts for them
  }

  @Override
  public Path where(String path) {
    return root.resolve(path);
  }

  private void createParents(Path file) throws IOException {
    Path parent = file.getParent();
    if (!parent.equals(root) && !Files.isDirectory(parent.getParent())) {
      createParents(parent);
    }
    OwnerOnly.createDirectories(parent);
  }

  private static boolean isEmptyDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.findAny().isEmpty();
    }
  }
}
