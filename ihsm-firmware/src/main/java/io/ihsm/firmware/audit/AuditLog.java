package io.ihsm.firmware.audit;

import io.ihsm.ddi.audit.AuditFormat;
import io.ihsm.ddi.spi.NonVolatileStore;
import io.ihsm.firmware.crypto.CryptoEngine;
import io.ihsm.firmware.rng.RandomSource;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The tamper-evident audit log, in the card's non-volatile storage, surviving restarts and
 * zeroization. Each entry is one line {@code seq|time|event|detail|hash}, where {@code hash =
 * SHA-384(previous hash || seq|time|event|detail)}; the first entry chains from 48 zero bytes, or
 * from the anchor line a rotation leaves. An export ends with the chain head signed by the device's
 * audit key (ECDSA P-384), so an edited, deleted, reordered or hand-appended entry is detected by
 * anyone holding the device's audit public key. Entries never hold secrets: events, ports,
 * statuses. It is kept in segments of about {@value #SEGMENT_BYTES} bytes, so an entry rewrites one
 * small record rather than the whole log. Format: docs/ddi.md, "Audit log".
 *
 * <p>Nothing is dropped before the Crypto Officer has exported it: a segment is removed only once
 * an export has covered it, and when the unexported entries fill the ordinary space the module
 * refuses requests that would need a record ({@link #hasRoom}) instead of forgetting. A reserve is
 * kept for the Crypto Officer (to log in and export) and for what the module records by itself
 * (state changes, self-tests, tamper). Refused requests are not written one by one: they are
 * counted and written as one summary entry at most once per {@link #summaryIntervalMillis} (and
 * before any other entry), so a flood of refusals cannot fill the log.
 */
public final class AuditLog {
  /**
   * {@code first last anchorSeq anchorHash}: which segments exist and what the oldest one chains
   * from.
   */
  static final String INDEX = "audit-index";

  static final String SEGMENT = "audit-log-";
  static final int MAX_DETAIL = 256;
  static final String KEY = "audit-key";
  static final String KEY_PUBLIC = "audit-key-public";

  /** A segment is closed once it passes this size. */
  static final int SEGMENT_BYTES = 32 * 1024;

  /**
   * Segments kept; past this the oldest goes once exported; an anchor keeps the chain verifiable
   * (about 2 MiB).
   */
  static final int MAX_SEGMENTS = 64;

  /**
   * Segments kept back from ordinary (partition) requests for the Crypto Officer and the module
   * itself.
   */
  static final int RESERVE_SEGMENTS = 2;

  static final long SUMMARY_INTERVAL_MILLIS = 60_000;

  /** The event of a summary of refused requests. */
  public static final String REFUSED = "REFUSED";

  private final NonVolatileStore nv;
  private final CryptoEngine engine;
  private final Consumer<String> onFailure;
  private final RandomSource random;
  private final int segmentBytes;
  private final int maxSegments;
  private final long summaryIntervalMillis;

  /** Refused requests not yet written, "EVENT/STATUS" -> count, oldest first; guarded by this. */
  private final Map<String, Long> refusals = new TreeMap<>();

  private long refusalsSinceMillis;
  private long lastSummaryMillis;

  /** The newest sequence number an export has covered; entries up to it may rotate out. */
  private long exportedThrough = -1;

  /** Made or read on first use, after the power-on self-tests (key generation needs them). */
  private PrivateKey key;

  private PublicKey publicKey;
  private final Deque<List<String>> segments = new ArrayDeque<>();
  private long firstSegment;
  private long anchorSeq = -1;
  private byte[] anchorHash = new byte[AuditFormat.HASH_BYTES];
  private long nextSeq;

  /** Guards the group commit's sync; taken before the log's own lock, never after it. */
  private final Object syncLock = new Object();

  /** The last entry known to be on the disk (guarded by syncLock). */
  private long durableThrough;

  private long syncs;
  private byte[] lastHash;
  private byte[] snapshot = new byte[0];
  private long snapshotHead = -1;

  /**
   * How much the log holds: segments of about {@code segmentBytes}, {@code maxSegments} of them,
   * and how often refusals are summarised. Tests use a small capacity to fill the log.
   */
  public record Capacity(int segmentBytes, int maxSegments, long summaryIntervalMillis) {
    public static final Capacity DEFAULT =
        new Capacity(SEGMENT_BYTES, MAX_SEGMENTS, SUMMARY_INTERVAL_MILLIS);

    public Capacity {
      if (segmentBytes < 256 || maxSegments <= RESERVE_SEGMENTS || summaryIntervalMillis < 0) {
        throw new IllegalArgumentException(
            "segments of at least 256 bytes, more than "
                + RESERVE_SEGMENTS
                + " of them, and a non-negative interval; got "
                + segmentBytes
                + ", "
                + maxSegments
                + ", "
                + summaryIntervalMillis);
      }
    }
  }

  /**
   * @param onFailure told when an entry cannot be stored: the module must then stop (ERROR)
   */
  public AuditLog(
      NonVolatileStore nv, CryptoEngine engine, RandomSource random, Consumer<String> onFailure) {
    this(nv, engine, random, onFailure, Capacity.DEFAULT);
  }

  public AuditLog(
      NonVolatileStore nv,
      CryptoEngine engine,
      RandomSource random,
      Consumer<String> onFailure,
      Capacity capacity) {
    this.nv = nv;
    this.onFailure = onFailure;
    this.engine = engine;
    this.random = random;
    this.segmentBytes = capacity.segmentBytes();
    this.maxSegments = capacity.maxSegments();
    this.summaryIntervalMillis = capacity.summaryIntervalMillis();
    load();
  }

  /**
   * Whether a request that needs a record may be served: unexported entries fill fewer than {@code
   * maxSegments - RESERVE_SEGMENTS} segments, or, with {@code reserve} (the Crypto Officer's
   * requests), fewer than {@code maxSegments}.
   */
  public synchronized boolean hasRoom(boolean reserve) {
    // Exported segments are the oldest ones, so counting stops at the first unexported segment.
    int exported = 0;
    for (List<String> s : segments) {
      if (s.isEmpty() || lastSeq(s) > exportedThrough) {
        break;
      }
      exported++;
    }
    int unexported = segments.size() - exported;
    return unexported < (reserve ? maxSegments : maxSegments - RESERVE_SEGMENTS);
  }

  /**
   * Counts a refused request instead of writing it; the counts are written as one {@value #REFUSED}
   * entry before the next other entry, or on a refusal once the interval has passed and there is
   * room.
   */
  public void refused(String event, String status) {
    boolean stored = true;
    long written = 0;
    synchronized (this) {
      long now = System.currentTimeMillis();
      if (refusals.isEmpty()) {
        refusalsSinceMillis = now;
      }
      refusals.merge(clean(event) + "/" + clean(status), 1L, Long::sum);
      if (now - lastSummaryMillis >= summaryIntervalMillis && hasRoom(false)) {
        stored = flushRefusals(now);
        written = nextSeq - 1;
      }
    }
    if (stored && written > 0) {
      stored = durable(written);
    }
    if (!stored) {
      onFailure.accept("the audit log cannot be written");
    }
  }

  private boolean flushRefusals(long now) {
    if (refusals.isEmpty()) {
      return true;
    }
    long total = refusals.values().stream().mapToLong(Long::longValue).sum();
    StringBuilder detail =
        new StringBuilder("count=").append(total).append(" since=").append(refusalsSinceMillis);
    for (var e : refusals.entrySet()) {
      String item = " " + e.getKey() + "=" + e.getValue();
      if (detail.length() + item.length() > MAX_DETAIL - 4) {
        detail.append(" ...");
        break;
      }
      detail.append(item);
    }
    refusals.clear();
    lastSummaryMillis = now;
    return append(REFUSED, detail.toString());
  }

  /** Refused requests counted and not yet written (for status and tests). */
  public synchronized long pendingRefusals() {
    return refusals.values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * Appends an event; {@code detail} must hold no secret (it is sanitised, not checked for
   * secrets). Never throws: a storage failure goes to {@code onFailure}.
   */
  public void record(String event, String detail) {
    boolean stored;
    long written;
    synchronized (this) {
      stored = flushRefusals(System.currentTimeMillis()) & append(event, detail);
      written = nextSeq - 1;
    }
    stored = stored && durable(written);
    // Told outside the lock: the state machine calls back into the log when its state changes.
    if (!stored) {
      onFailure.accept("the audit log cannot be written");
    }
  }

  /**
   * Group commit: returns once entry {@code seq} and all before it are on the disk. One caller at a
   * time syncs the current segment, for every entry written so far; callers whose entries another's
   * sync covered return without one. Entries are appended without waiting for the disk, under the
   * log's lock; the sync runs outside it, so entries keep coming while one sync runs and the next
   * sync takes them all. No caller returns (and no answer leaves the device) before its entry is
   * durable, as before: only the number of syncs changes.
   */
  private boolean durable(long seq) {
    synchronized (syncLock) {
      if (durableThrough >= seq) {
        return true;
      }
      long target;
      String segment;
      synchronized (this) {
        target = nextSeq - 1;
        segment = SEGMENT + (firstSegment + segments.size() - 1);
      }
      try {
        nv.sync(segment);
      } catch (RuntimeException e) {
        return false;
      }
      durableThrough = target;
      syncs++;
      return true;
    }
  }

  /** How many syncs group commit has made (for tests and the bench). */
  public long syncs() {
    synchronized (syncLock) {
      return syncs;
    }
  }

  private boolean append(String event, String detail) {
    try {
      appendOrThrow(event, detail);
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private void appendOrThrow(String event, String detail) {
    String body =
        nextSeq + "|" + System.currentTimeMillis() + "|" + clean(event) + "|" + clean(detail);
    lastHash = AuditFormat.chain(lastHash, body);
    List<String> current = segments.peekLast();
    if (current == null || size(current) > segmentBytes) {
      if (current != null) {
        // The segment being closed may hold entries not yet synced (group commit): on the disk
        // first, so only the last segment can ever have a torn tail.
        nv.sync(SEGMENT + (firstSegment + segments.size() - 1));
      }
      current = new ArrayList<>();
      segments.addLast(current);
      // Only an exported segment may go: unexported ones stay, however many (hasRoom refuses
      // first).
      List<String> oldest = segments.peekFirst();
      boolean exported = !oldest.isEmpty() && lastSeq(oldest) <= exportedThrough;
      List<String> dropped =
          segments.size() > maxSegments && exported ? segments.removeFirst() : null;
      if (dropped != null && !dropped.isEmpty()) {
        String[] f = dropped.get(dropped.size() - 1).split("\\|", -1);
        anchorSeq = Long.parseLong(f[0]);
        anchorHash = HexFormat.of().parseHex(f[4]);
      }
      if (dropped != null) {
        firstSegment++;
      }
      // The index names the new segment before it is written: a crash leaves an empty segment,
      // never a lost one.
      writeIndex();
      if (dropped != null) {
        nv.delete(SEGMENT + (firstSegment - 1));
      }
    }
    String line = body + "|" + HexFormat.of().formatHex(lastHash);
    current.add(line);
    nextSeq++;
    String segment = SEGMENT + (firstSegment + segments.size() - 1);
    if (current.size() == 1) {
      nv.write(segment, (line + "\n").getBytes(StandardCharsets.UTF_8));
    } else {
      // One line appended and synced, not the whole segment rewritten: the cost of every audited
      // call.
      nv.appendUnsynced(segment, (line + "\n").getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * The log and its signed head, as exported: the lines, then {@code
   * head|seq|hash|signature|publicKey}.
   */
  public synchronized byte[] export() {
    loadKey();
    try {
      String headHash = HexFormat.of().formatHex(lastHash);
      Signature s = engine.signature("SHA384withECDSA");
      s.initSign(key, random.secureRandom());
      s.update(AuditFormat.headMessage(Long.toString(nextSeq - 1), headHash));
      StringBuilder b = new StringBuilder();
      if (anchorSeq >= 0) {
        b.append("anchor|")
            .append(anchorSeq)
            .append('|')
            .append(HexFormat.of().formatHex(anchorHash))
            .append('\n');
      }
      segments.forEach(segment -> b.append(text(segment)));
      b.append("head|")
          .append(nextSeq - 1)
          .append('|')
          .append(headHash)
          .append('|')
          .append(HexFormat.of().formatHex(s.sign()))
          .append('|')
          .append(HexFormat.of().formatHex(publicKey.getEncoded()))
          .append('\n');
      snapshot = b.toString().getBytes(StandardCharsets.UTF_8);
      snapshotHead = nextSeq - 1;
      return snapshot.clone();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the audit head cannot be signed", e);
    }
  }

  /** The newest entry's sequence number (-1 when the log is empty) and chain hash. */
  public record Head(long sequence, byte[] hash) {
    public Head {
      hash = hash.clone();
    }

    @Override
    public byte[] hash() {
      return hash.clone();
    }
  }

  /** An entry still kept: its sequence number, time (ms since the epoch) and detail. */
  public record Entry(long sequence, long timeMillis, String detail) {}

  public synchronized Head head() {
    return new Head(nextSeq - 1, lastHash);
  }

  /** The bytes the log holds in non-volatile storage now (its kept segments' text). */
  public synchronized long storedBytes() {
    return segments.stream().mapToLong(AuditLog::size).sum();
  }

  /** The kept entries of one event, oldest first (the log keeps its newest segments only). */
  public synchronized List<Entry> entries(String event) {
    List<Entry> found = new ArrayList<>();
    for (List<String> segment : segments) {
      for (String line : segment) {
        String[] f = line.split("\\|", -1);
        if (f.length == 5 && f[2].equals(event)) {
          found.add(new Entry(Long.parseLong(f[0]), Long.parseLong(f[1]), f[3]));
        }
      }
    }
    return found;
  }

  /** The export made last, for reading it in pieces. */
  public synchronized byte[] lastExport() {
    return snapshot.clone();
  }

  /**
   * The Crypto Officer has read the last export to its end: its entries may now rotate out. Kept in
   * the index, so it holds across restarts.
   */
  public synchronized void exportRead() {
    if (snapshotHead > exportedThrough) {
      exportedThrough = snapshotHead;
      writeIndex();
    }
  }

  public synchronized PublicKey publicKey() {
    loadKey();
    return publicKey;
  }

  private void loadKey() {
    if (key != null) {
      return;
    }
    try {
      if (nv.read(KEY).isEmpty()) {
        KeyPairGenerator g = engine.keyPairGenerator("EC");
        g.initialize(new ECGenParameterSpec("secp384r1"), random.secureRandom());
        KeyPair kp = g.generateKeyPair();
        byte[] pkcs8 = kp.getPrivate().getEncoded();
        try {
          nv.write(KEY, pkcs8);
        } finally {
          Arrays.fill(pkcs8, (byte) 0);
        }
        nv.write(KEY_PUBLIC, kp.getPublic().getEncoded());
      }
      byte[] pkcs8 = nv.read(KEY).orElseThrow();
      try {
        key = engine.keyFactory("EC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
      } finally {
        Arrays.fill(pkcs8, (byte) 0);
      }
      publicKey =
          engine
              .keyFactory("EC")
              .generatePublic(new X509EncodedKeySpec(nv.read(KEY_PUBLIC).orElseThrow()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the audit key cannot be made or read", e);
    }
  }

  private void load() {
    nv.read(INDEX)
        .ifPresent(
            b -> {
              String[] f = new String(b, StandardCharsets.UTF_8).split(" ");
              firstSegment = Long.parseLong(f[0]);
              long last = Long.parseLong(f[1]);
              anchorSeq = Long.parseLong(f[2]);
              anchorHash = HexFormat.of().parseHex(f[3]);
              exportedThrough = f.length > 4 ? Long.parseLong(f[4]) : anchorSeq;
              for (long i = firstSegment; i <= last; i++) {
                List<String> segment = new ArrayList<>();
                String name = SEGMENT + i;
                nv.read(name)
                    .ifPresent(
                        t -> {
                          String text = new String(t, StandardCharsets.UTF_8);
                          segment.addAll(completeLines(text));
                          if (!text.isEmpty() && !text.endsWith("\n")) {
                            nv.write(
                                name,
                                text(segment)
                                    .getBytes(
                                        StandardCharsets
                                            .UTF_8)); // drop the torn tail before appending again
                          }
                        });
                segments.addLast(segment);
              }
            });
    nextSeq = anchorSeq + 1;
    lastHash = anchorHash;
    // The newest segment may be empty (named in the index, then a crash); the chain goes on from
    // the last entry.
    segments.stream()
        .filter(s -> !s.isEmpty())
        .reduce((a, b) -> b)
        .ifPresent(
            newest -> {
              String[] f = newest.get(newest.size() - 1).split("\\|", -1);
              nextSeq = Long.parseLong(f[0]) + 1;
              lastHash = HexFormat.of().parseHex(f[4]);
            });
  }

  /**
   * The lines of a segment; a last line without its newline is an append a crash tore, never
   * acknowledged.
   */
  static List<String> completeLines(String text) {
    List<String> lines = new ArrayList<>(text.lines().toList());
    if (!text.isEmpty() && !text.endsWith("\n")) {
      lines.removeLast();
    }
    return lines;
  }

  private void writeIndex() {
    String index =
        firstSegment
            + " "
            + (firstSegment + segments.size() - 1)
            + " "
            + anchorSeq
            + " "
            + HexFormat.of().formatHex(anchorHash)
            + " "
            + exportedThrough;
    nv.write(INDEX, index.getBytes(StandardCharsets.UTF_8));
  }

  private static long lastSeq(List<String> segment) {
    String line = segment.get(segment.size() - 1);
    return Long.parseLong(line.substring(0, line.indexOf('|')));
  }

  private static int size(List<String> lines) {
    return lines.stream().mapToInt(l -> l.length() + 1).sum();
  }

  private static String text(List<String> lines) {
    StringBuilder b = new StringBuilder();
    lines.forEach(l -> b.append(l).append('\n'));
    return b.toString();
  }

  private static String clean(String s) {
    String t = s.replace('|', '/').replace('\n', ' ').replace('\r', ' ');
    return t.length() > MAX_DETAIL ? t.substring(0, MAX_DETAIL) : t;
  }
}
