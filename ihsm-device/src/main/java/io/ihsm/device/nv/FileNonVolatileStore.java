package io.ihsm.device.nv;

import io.ihsm.ddi.spi.CorruptRecordException;
import io.ihsm.ddi.spi.NonVolatileStore;
import io.ihsm.host.AtomicFile;
import io.ihsm.host.OwnerOnly;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Non-volatile records as files in one owner-only directory, each versioned and authenticated under
 * the card's integrity key, with an authenticated catalog of the records that exist, so a record
 * that is missing, short, altered, renamed or from another card is detected, never read as a
 * default. Format of a record file (docs/architecture.md, "Non-volatile records"):
 *
 * <pre>
 *   "IHNV" u8 version=1 u8 form (0 whole, 1 appended), then chunks: u32 length | payload | tag (32)
 *   tag = HMAC-SHA256(key, "ihsm nv" 0x00 name 0x00 version form || previous tag (32 zero bytes first) || u32 length || payload)
 * </pre>
 *
 * A write replaces the file atomically with one chunk (temporary file, sync, rename, directory
 * sync): a whole record is exactly that chunk, and a byte more or less is corruption. The first
 * append rewrites the record atomically in the appended form; later appends add a chunk chained to
 * the last and sync, so a crash may leave a torn last chunk, which only that form tolerates and
 * drops. (A torn tail cannot be told from a deliberately cut one: docs/threat-model.md.) The
 * catalog is itself such a record; a new record is written before it is catalogued and a deleted
 * one is uncatalogued before it is removed, so a crash leaves at most an uncatalogued file, an
 * unacknowledged change, which opening removes.
 */
public final class FileNonVolatileStore implements NonVolatileStore {
  static final String CATALOG = "catalog";
  static final byte VERSION = 1;
  private static final byte[] MAGIC = "IHNV".getBytes(StandardCharsets.US_ASCII);
  private static final int HEADER = MAGIC.length + 2;
  private static final byte WHOLE = 0;
  private static final byte APPENDED = 1;
  private static final int TAG = 32;

  private final Path dir;

  /** HMAC-SHA256 under the integrity key, made once; used only under this store's lock. */
  private final Mac mac;

  private final TreeSet<String> catalog = new TreeSet<>();

  /**
   * The last chunk's tag, the valid length and the form of records read or written, so an append
   * need not re-read.
   */
  private final Map<String, Tail> tails = new HashMap<>();

  private record Tail(byte[] tag, long length, byte form) {}

  /**
   * Opens the store and checks it whole: the catalog and every record it names must verify, and a
   * file it does not name (left by a crash in the middle of a create or delete) is removed.
   *
   * @throws CorruptRecordException naming the first record that is missing or does not verify
   */
  public FileNonVolatileStore(Path dir, byte[] integrityKey) throws IOException {
    this.dir = OwnerOnly.createDirectories(dir);
    try {
      this.mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(integrityKey, "HmacSHA256"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is missing from this JDK", e);
    }
    Optional<byte[]> cat = readVerified(CATALOG);
    if (cat.isPresent()) {
      String text = new String(cat.get(), StandardCharsets.UTF_8);
      text.lines().filter(l -> !l.isEmpty()).forEach(catalog::add);
    } else if (!recordFiles().isEmpty()) {
      throw new CorruptRecordException(CATALOG, "is missing while records exist");
    }
    for (String name : catalog) {
      NonVolatileStore.checkName(name);
      if (readVerified(name).isEmpty()) {
        throw new CorruptRecordException(name, "is missing (the catalog names it)");
      }
    }
    for (String file : recordFiles()) {
      if (!file.equals(CATALOG) && !catalog.contains(file)) {
        AtomicFile.delete(dir.resolve(file));
      }
    }
  }

  /** Whether any record file exists in {@code dir} (an older, unauthenticated store counts). */
  static boolean hasRecords(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.anyMatch(p -> !p.getFileName().toString().startsWith("."));
    }
  }

  private List<String> recordFiles() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> !n.startsWith("."))
          .sorted()
          .toList();
    }
  }

  @Override
  public synchronized Optional<byte[]> read(String name) {
    NonVolatileStore.checkName(name);
    requireRecordName(name);
    if (!catalog.contains(name)) {
      return Optional.empty();
    }
    return Optional.of(
        readVerified(name)
            .orElseThrow(
                () -> new CorruptRecordException(name, "is missing (the catalog names it)")));
  }

  @Override
  public synchronized void write(String name, byte[] value) {
    NonVolatileStore.checkName(name);
    requireRecordName(name);
    if (value.length > MAX_RECORD_BYTES) {
      throw new IllegalArgumentException(
          "non-volatile record " + name + " exceeds " + MAX_RECORD_BYTES + " bytes");
    }
    try {
      writeRecord(name, value);
      if (catalog.add(name)) {
        saveCatalog();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write non-volatile record " + name, e);
    }
  }

  /** Appends a chunk in place and syncs: one sync instead of a whole-record rewrite and three. */
  @Override
  public void append(String name, byte[] bytes) {
    appendChunk(name, bytes, true);
  }

  /** Appends a chunk in place; {@link #sync} makes it durable (group commit). */
  @Override
  public void appendUnsynced(String name, byte[] bytes) {
    appendChunk(name, bytes, false);
  }

  /**
   * Syncs the record's file without holding the store: appends to it and other records go on
   * meanwhile (fsync covers every byte written to the file before it).
   */
  @Override
  public void sync(String name) {
    NonVolatileStore.checkName(name);
    requireRecordName(name);
    try (FileChannel ch = FileChannel.open(dir.resolve(name), StandardOpenOption.WRITE)) {
      ch.force(false);
    } catch (java.nio.file.NoSuchFileException gone) {
      // deleted meanwhile: its bytes went with it, nothing is left to make durable
    } catch (IOException e) {
      throw new UncheckedIOException("cannot sync non-volatile record " + name, e);
    }
  }

  private synchronized void appendChunk(String name, byte[] bytes, boolean force) {
    NonVolatileStore.checkName(name);
    requireRecordName(name);
    if (!catalog.contains(name)) {
      write(name, bytes);
      return;
    }
    Path p = dir.resolve(name);
    try {
      Tail tail = tails.get(name);
      if (tail == null) {
        readVerified(name)
            .orElseThrow(
                () -> new CorruptRecordException(name, "is missing (the catalog names it)"));
        tail = tails.get(name);
      }
      if (tail.length() + bytes.length + 4 + TAG > MAX_RECORD_BYTES + HEADER) {
        throw new IllegalArgumentException(
            "non-volatile record " + name + " would exceed " + MAX_RECORD_BYTES + " bytes");
      }
      if (tail.form() == WHOLE) {
        // The first append: rewrite the record whole, in the form that may grow (and be torn).
        byte[] old = readVerified(name).orElseThrow();
        writeRecord(name, APPENDED, List.of(old, bytes));
        return;
      }
      byte[] chunk = chunk(name, APPENDED, tail.tag(), bytes);
      try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
        if (ch.size() != tail.length()) {
          ch.truncate(
              tail.length()); // a torn chunk a crash left: never acknowledged, dropped before
          // appending
        }
        ch.position(tail.length());
        ByteBuffer b = ByteBuffer.wrap(chunk);
        while (b.hasRemaining()) {
          ch.write(b);
        }
        if (force) {
          ch.force(false);
        }
      }
      tails.put(
          name,
          new Tail(
              Arrays.copyOfRange(chunk, chunk.length - TAG, chunk.length),
              tail.length() + chunk.length,
              APPENDED));
    } catch (IOException e) {
      tails.remove(name);
      throw new UncheckedIOException("cannot append to non-volatile record " + name, e);
    }
  }

  @Override
  public synchronized void delete(String name) {
    NonVolatileStore.checkName(name);
    requireRecordName(name);
    try {
      if (catalog.remove(name)) {
        saveCatalog();
      }
      tails.remove(name);
      AtomicFile.delete(dir.resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete non-volatile record " + name, e);
    }
  }

  private static void requireRecordName(String name) {
    if (name.equals(CATALOG)) {
      throw new IllegalArgumentException("'" + CATALOG + "' is the store's own record");
    }
  }

  private void saveCatalog() throws IOException {
    writeRecord(CATALOG, String.join("\n", catalog).getBytes(StandardCharsets.UTF_8));
  }

  private void writeRecord(String name, byte[] value) throws IOException {
    writeRecord(name, WHOLE, List.of(value));
  }

  /** Replaces the record's file atomically: the header, then one chunk per part, chained. */
  private void writeRecord(String name, byte form, List<byte[]> parts) throws IOException {
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    file.writeBytes(MAGIC);
    file.write(VERSION);
    file.write(form);
    byte[] prev = new byte[TAG];
    for (byte[] part : parts) {
      byte[] chunk = chunk(name, form, prev, part);
      file.writeBytes(chunk);
      prev = Arrays.copyOfRange(chunk, chunk.length - TAG, chunk.length);
    }
    byte[] bytes = file.toByteArray();
    AtomicFile.write(dir.resolve(name), bytes);
    tails.put(name, new Tail(prev, bytes.length, form));
  }

  /** The record's payload when its file exists, after checking every chunk; remembers its tail. */
  private Optional<byte[]> readVerified(String name) {
    byte[] file;
    Path p = dir.resolve(name);
    try {
      if (Files.size(p) > MAX_RECORD_BYTES + HEADER + 64L * 1024) {
        throw new CorruptRecordException(name, "is larger than any record can be");
      }
      file = Files.readAllBytes(p);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read non-volatile record " + name, e);
    }
    if (file.length < HEADER || !Arrays.equals(file, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw new CorruptRecordException(
          name, "has no ihsm record header (truncated, replaced, or from an older ihsm)");
    }
    if (file[MAGIC.length] != VERSION) {
      throw new CorruptRecordException(
          name, "has format version " + file[MAGIC.length] + ", this device reads " + VERSION);
    }
    byte form = file[MAGIC.length + 1];
    if (form != WHOLE && form != APPENDED) {
      throw new CorruptRecordException(name, "has an unknown form " + form);
    }
    ByteBuffer in = ByteBuffer.wrap(file, HEADER, file.length - HEADER);
    ByteArrayOutputStream payload = new ByteArrayOutputStream();
    byte[] prev = new byte[TAG];
    int chunks = 0;
    long valid = HEADER;
    while (in.remaining() >= 4) {
      int length = in.getInt();
      if (length < 0 || length > in.remaining() - TAG) {
        break; // a torn last chunk
      }
      byte[] data = new byte[length];
      in.get(data);
      byte[] tag = new byte[TAG];
      in.get(tag);
      if (!MessageDigest.isEqual(tag, tag(name, form, prev, data))) {
        throw new CorruptRecordException(
            name, "does not verify (altered, or written by another device)");
      }
      payload.writeBytes(data);
      prev = tag;
      chunks++;
      valid = in.position();
    }
    if (chunks == 0) {
      throw new CorruptRecordException(name, "is truncated");
    }
    if (form == WHOLE && (chunks != 1 || valid != file.length)) {
      throw new CorruptRecordException(name, "has bytes beyond its one chunk (altered)");
    }
    tails.put(name, new Tail(prev, valid, form));
    return Optional.of(payload.toByteArray());
  }

  private byte[] chunk(String name, byte form, byte[] prev, byte[] data) {
    byte[] tag = tag(name, form, prev, data);
    return ByteBuffer.allocate(4 + data.length + TAG)
        .putInt(data.length)
        .put(data)
        .put(tag)
        .array();
  }

  private byte[] tag(String name, byte form, byte[] prev, byte[] data) {
    mac.update(("ihsm nv\0" + name + "\0").getBytes(StandardCharsets.UTF_8));
    mac.update(VERSION);
    mac.update(form);
    mac.update(prev);
    mac.update(ByteBuffer.allocate(4).putInt(data.length).array());
    mac.update(data);
    return mac.doFinal();
  }
}
