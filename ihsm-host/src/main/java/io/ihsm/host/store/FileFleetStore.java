package io.ihsm.host.store;

import io.ihsm.host.AtomicFile;
import io.ihsm.host.OwnerOnly;
import io.ihsm.host.store.StoreException.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The fleet store on one server: a directory of owner-only files written atomically. A record is
 * {@code records/<SHA-256 of its key, hex>}: an 8-byte revision, the key (u16 length, ASCII), the
 * value. The store's revision is in {@code revision}; every change is also written to {@code
 * changes/<revision>} (the newest {@value #KEPT_CHANGES} are kept), which watchers read in order
 * every {@value #POLL_MILLIS} ms, and a watcher that falls behind the oldest kept change catches up
 * from the records themselves. Changes take a lock of this JVM and a file lock, so the processes of
 * one server may share the store. A record that does not read is {@code CORRUPT}, never skipped.
 */
public final class FileFleetStore implements FleetStore {
  static final int POLL_MILLIS = 20;
  static final int KEPT_CHANGES = 1000;
  private static final Map<Path, Object> JVM_LOCKS = new ConcurrentHashMap<>();

  private final Path records;
  private final Path changes;
  private final Path revisionFile;
  private final Path lockFile;
  private final Object jvmLock;
  private final ScheduledExecutorService watchers;
  private volatile boolean closed;

  private FileFleetStore(Path dir) throws IOException {
    OwnerOnly.createDirectories(dir);
    this.records = OwnerOnly.createDirectories(dir.resolve("records"));
    this.changes = OwnerOnly.createDirectories(dir.resolve("changes"));
    this.revisionFile = dir.resolve("revision");
    this.lockFile = dir.resolve("lock");
    this.jvmLock = JVM_LOCKS.computeIfAbsent(dir.toAbsolutePath().normalize(), d -> new Object());
    this.watchers =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ihsm-store-watch");
              t.setDaemon(true);
              return t;
            });
  }

  /** Opens (creating if needed) the store in {@code dir}. */
  public static FileFleetStore open(Path dir) {
    try {
      return new FileFleetStore(dir);
    } catch (IOException e) {
      throw new StoreException(
          Reason.UNAVAILABLE, "cannot open the store at " + dir + ": " + e.getMessage(), e);
    }
  }

  @Override
  public long create(String key, byte[] value) {
    FleetStore.checkKey(key);
    FleetStore.checkValue(value);
    return locked(
        () -> {
          if (read(key).isPresent()) {
            throw new StoreException(Reason.EXISTS, "the store already has " + key);
          }
          return write(key, value);
        });
  }

  @Override
  public long update(String key, long expectedRevision, byte[] value) {
    FleetStore.checkKey(key);
    FleetStore.checkValue(value);
    return locked(
        () -> {
          requireRevision(key, expectedRevision);
          return write(key, value);
        });
  }

  @Override
  public Optional<Entry> get(String key) {
    FleetStore.checkKey(key);
    requireOpen();
    return read(key);
  }

  @Override
  public List<Entry> list(String prefix) {
    FleetStore.checkPrefix(prefix);
    requireOpen();
    List<Entry> out = new ArrayList<>();
    for (Path f : files(records)) {
      parse(f, null).filter(e -> e.key().startsWith(prefix)).ifPresent(out::add);
    }
    out.sort((a, b) -> a.key().compareTo(b.key()));
    return out;
  }

  @Override
  public void delete(String key, long expectedRevision) {
    FleetStore.checkKey(key);
    locked(
        () -> {
          requireRevision(key, expectedRevision);
          long revision = nextRevision();
          logChange(revision, Change.Kind.DELETE, key, new byte[0]);
          AtomicFile.delete(file(key));
          return null;
        });
  }

  @Override
  public AutoCloseable watch(String prefix, Consumer<Change> listener) {
    FleetStore.checkPrefix(prefix);
    requireOpen();
    long[] after = {currentRevision()};
    var task =
        watchers.scheduleWithFixedDelay(
            () -> poll(prefix, after, listener), POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
    return () -> task.cancel(false);
  }

  /** Hands the watcher every logged change after {@code after[0]} under its prefix, in order. */
  private void poll(String prefix, long[] after, Consumer<Change> listener) {
    if (closed) {
      return;
    }
    try {
      List<Path> logged = files(changes);
      long oldest =
          logged.isEmpty()
              ? Long.MAX_VALUE
              : Long.parseLong(logged.get(0).getFileName().toString());
      if (after[0] + 1 < oldest && currentRevision() > after[0]) {
        catchUp(prefix, after, listener); // changes the log no longer holds
        return;
      }
      for (Path f : logged) {
        long revision = Long.parseLong(f.getFileName().toString());
        if (revision <= after[0]) {
          continue;
        }
        Optional<Change> c = readChange(f, revision);
        if (c.isEmpty()) {
          return; // removed by compaction just now: the next poll catches up
        }
        if (c.get().key().startsWith(prefix)) {
          deliver(listener, c.get());
        }
        after[0] = revision;
      }
    } catch (StoreException | NumberFormatException unreadable) {
      // the next poll tries again
    }
  }

  /**
   * A watcher too far behind: what each record is now, as puts (what was deleted meanwhile is not
   * told).
   */
  private void catchUp(String prefix, long[] after, Consumer<Change> listener) {
    long now = currentRevision();
    for (Entry e : list(prefix)) {
      if (e.revision() > after[0]) {
        deliver(listener, new Change(Change.Kind.PUT, e.key(), e.value(), e.revision()));
      }
    }
    after[0] = now;
  }

  /** A listener that throws misses nothing else: the watch goes on with the next change. */
  private static void deliver(Consumer<Change> listener, Change c) {
    try {
      listener.accept(c);
    } catch (RuntimeException listenerFailed) {
      // the listener's own failure is its to report
    }
  }

  @Override
  public void close() {
    closed = true;
    watchers.shutdownNow();
  }

  private void requireOpen() {
    if (closed) {
      throw new StoreException(Reason.INVALID, "the store is closed");
    }
  }

  private void requireRevision(String key, long expectedRevision) {
    Entry current =
        read(key)
            .orElseThrow(() -> new StoreException(Reason.NOT_FOUND, "the store has no " + key));
    if (current.revision() != expectedRevision) {
      throw new StoreException(
          Reason.CONFLICT,
          key
              + " is at revision "
              + current.revision()
              + ", not "
              + expectedRevision
              + ": it changed since it was read");
    }
  }

  /** The store's revision goes up first: a crash after it leaves a gap, never a reused number. */
  private long write(String key, byte[] value) throws IOException {
    long revision = nextRevision();
    logChange(revision, Change.Kind.PUT, key, value);
    AtomicFile.write(file(key), encode(revision, key, value));
    return revision;
  }

  private void logChange(long revision, Change.Kind kind, String key, byte[] value)
      throws IOException {
    byte[] body = encode(revision, key, value);
    byte[] withKind = new byte[body.length + 1];
    withKind[0] = (byte) kind.ordinal();
    System.arraycopy(body, 0, withKind, 1, body.length);
    AtomicFile.write(changes.resolve(String.format("%019d", revision)), withKind);
    List<Path> logged = files(changes);
    for (int i = 0; i < logged.size() - KEPT_CHANGES; i++) {
      AtomicFile.delete(logged.get(i));
    }
  }

  private static Optional<Change> readChange(Path f, long revision) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(f);
    } catch (NoSuchFileException compacted) {
      return Optional.empty();
    } catch (IOException e) {
      throw new StoreException(Reason.UNAVAILABLE, "cannot read " + f + ": " + e.getMessage(), e);
    }
    if (bytes.length < 1 || bytes[0] < 0 || bytes[0] > 1) {
      throw corrupt(f);
    }
    Entry e = decode(Arrays.copyOfRange(bytes, 1, bytes.length), f, null);
    return Optional.of(
        new Change(Change.Kind.values()[bytes[0]], e.key(), e.value(), e.revision()));
  }

  private static byte[] encode(long revision, String key, byte[] value) {
    byte[] k = key.getBytes(StandardCharsets.US_ASCII);
    return ByteBuffer.allocate(8 + 2 + k.length + value.length)
        .putLong(revision)
        .putShort((short) k.length)
        .put(k)
        .put(value)
        .array();
  }

  private Optional<Entry> read(String key) {
    return parse(file(key), key);
  }

  /** The record in {@code f}; {@code expectedKey} null when any key will do (listing). */
  private static Optional<Entry> parse(Path f, String expectedKey) {
    try {
      return Optional.of(decode(Files.readAllBytes(f), f, expectedKey));
    } catch (NoSuchFileException absent) {
      return Optional.empty();
    } catch (IOException e) {
      throw new StoreException(Reason.UNAVAILABLE, "cannot read " + f + ": " + e.getMessage(), e);
    }
  }

  private static Entry decode(byte[] bytes, Path f, String expectedKey) {
    if (bytes.length < 10 || bytes.length > 10 + MAX_KEY + MAX_VALUE) {
      throw corrupt(f);
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    long revision = b.getLong();
    int keyLength = b.getShort() & 0xffff;
    if (revision < 1 || keyLength < 1 || keyLength > MAX_KEY || b.remaining() < keyLength) {
      throw corrupt(f);
    }
    byte[] k = new byte[keyLength];
    b.get(k);
    String key = new String(k, StandardCharsets.US_ASCII);
    if (expectedKey != null && !expectedKey.equals(key)) {
      throw corrupt(f);
    }
    return new Entry(key, Arrays.copyOfRange(bytes, b.position(), bytes.length), revision);
  }

  private static StoreException corrupt(Path f) {
    return new StoreException(
        Reason.CORRUPT,
        "the record " + f.getFileName() + " does not read: restore the store from a backup");
  }

  /** The directory's files in name order, without atomic writes in progress. */
  private static List<Path> files(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
    } catch (IOException e) {
      throw new StoreException(Reason.UNAVAILABLE, "cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  private long currentRevision() {
    try {
      byte[] b = Files.readAllBytes(revisionFile);
      if (b.length != 8) {
        throw new StoreException(Reason.CORRUPT, "the store's revision file does not read");
      }
      return ByteBuffer.wrap(b).getLong();
    } catch (NoSuchFileException none) {
      return 0;
    } catch (IOException e) {
      throw new StoreException(
          Reason.UNAVAILABLE, "cannot read the store's revision: " + e.getMessage(), e);
    }
  }

  private long nextRevision() throws IOException {
    long next = currentRevision() + 1;
    AtomicFile.write(revisionFile, ByteBuffer.allocate(8).putLong(next).array());
    return next;
  }

  private Path file(String key) {
    try {
      return records.resolve(
          HexFormat.of()
              .formatHex(
                  MessageDigest.getInstance("SHA-256")
                      .digest(key.getBytes(StandardCharsets.US_ASCII))));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  private interface Mutation<T> {
    T run() throws IOException;
  }

  /** A change under this JVM's lock of the store and its file lock (other processes). */
  private <T> T locked(Mutation<T> change) {
    requireOpen();
    synchronized (jvmLock) {
      try (FileChannel ch =
              FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = ch.lock()) {
        return change.run();
      } catch (IOException e) {
        throw new StoreException(
            Reason.UNAVAILABLE, "the store could not be written: " + e.getMessage(), e);
      }
    }
  }
}
