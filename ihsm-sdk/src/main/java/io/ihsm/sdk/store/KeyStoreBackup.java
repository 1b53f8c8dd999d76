package io.ihsm.sdk.store;

import io.ihsm.host.AtomicFile;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A backup of a host key store: every entry (partitions, keys and each of their versions,
 * certificates) as the store holds it: masked blobs and metadata, never key material, which never
 * leaves the device. A device's Crypto Officer and partition-owner credentials are not in it. The
 * file is text, one line each:
 *
 * <pre>
 * ihsm-key-store-backup 1
 * device SERIAL
 * domain HEX (the device's security domain id, or "-")
 * created ISO-8601 instant
 * entry PATH BASE64(properties)         (sorted by path; PATH as in the store: NAME/keys/LABEL.key)
 * sha256 HEX                            (of every line above, with their line feeds)
 * </pre>
 *
 * The digest catches a truncated or damaged file; the blobs are authenticated by the device that
 * masked them (docs/masked-keys.md), so an edited blob fails there.
 */
public final class KeyStoreBackup {
  public static final String FORMAT = "ihsm-key-store-backup 1";

  /** The largest backup read: far above any key store's entries (each at most 1 MiB). */
  public static final int MAX_BYTES = 64 << 20;

  private static final int MAX_ENTRIES = 100_000;
  private static final Pattern PATH =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}(/[A-Za-z0-9][A-Za-z0-9._#-]{0,80}){1,3}");

  /** Where a backup was made: the device's serial number, and its domain id in hex or empty. */
  public record Origin(String deviceSerial, String domainId) {
    public Origin {
      if (!deviceSerial.matches("[A-Za-z0-9._-]{1,64}")
          || !domainId.matches("([0-9a-f]{2}){0,32}")) {
        throw new IllegalArgumentException("not a device serial and domain id");
      }
    }
  }

  /** A backup read back: where and when it was made, and its entries by path. */
  public record Contents(Origin origin, Instant created, SortedMap<String, Properties> entries) {
    public Contents {
      entries = Collections.unmodifiableSortedMap(new TreeMap<>(entries));
    }

    /** The partitions it holds, by name. */
    public List<String> partitions() {
      return entries.keySet().stream()
          .filter(p -> p.endsWith("/partition.properties"))
          .map(p -> p.substring(0, p.indexOf('/')))
          .toList();
    }

    /** How many key entries (each version of each key) it holds. */
    public long keys() {
      return entries.keySet().stream()
          .filter(p -> p.contains("/keys/") && p.endsWith(".key"))
          .count();
    }
  }

  /** What a restore wrote and what it found already there. */
  public record Restored(int written, int unchanged) {}

  private KeyStoreBackup() {}

  /** What a backup of {@code store} holds: every entry, made on the device {@code origin} names. */
  public static Contents of(HostKeyStore store, Origin origin, Instant created) {
    return new Contents(origin, created, store.allEntries());
  }

  /** The backup file of {@code backup}. */
  public static byte[] write(Contents backup) {
    Origin origin = backup.origin();
    StringBuilder b = new StringBuilder();
    b.append(FORMAT).append('\n');
    b.append("device ").append(origin.deviceSerial()).append('\n');
    b.append("domain ").append(origin.domainId().isEmpty() ? "-" : origin.domainId()).append('\n');
    b.append("created ").append(backup.created()).append('\n');
    for (var e : backup.entries().entrySet()) {
      b.append("entry ")
          .append(e.getKey())
          .append(' ')
          .append(Base64.getEncoder().encodeToString(AtomicFile.propertiesBytes(e.getValue())))
          .append('\n');
    }
    String digest = sha256(b.toString());
    b.append("sha256 ").append(digest).append('\n');
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Reads a backup strictly.
   *
   * @throws IllegalArgumentException saying what is wrong with it: not a backup, damaged,
   *     truncated, an entry that is not one
   */
  public static Contents read(byte[] file) {
    if (file.length > MAX_BYTES) {
      throw new IllegalArgumentException(
          "it is larger than any backup (" + file.length + " bytes)");
    }
    String text = new String(file, StandardCharsets.UTF_8);
    if (!text.startsWith(FORMAT + "\n")) {
      throw new IllegalArgumentException("it is not an ihsm key store backup");
    }
    int digestAt = text.lastIndexOf("sha256 ");
    if (digestAt < 0 || !text.endsWith("\n")) {
      throw new IllegalArgumentException("it is truncated (no digest line at its end)");
    }
    String body = text.substring(0, digestAt);
    String digest = text.substring(digestAt + 7, text.length() - 1);
    if (!MessageDigest.isEqual(
        sha256(body).getBytes(StandardCharsets.US_ASCII),
        digest.getBytes(StandardCharsets.US_ASCII))) {
      throw new IllegalArgumentException("it is damaged: its digest does not match its content");
    }
    List<String> lines = new ArrayList<>(List.of(body.split("\n")));
    if (lines.size() < 4 || lines.size() > MAX_ENTRIES + 4) {
      throw new IllegalArgumentException("it does not have the lines of a backup");
    }
    try {
      Origin origin =
          new Origin(value(lines.get(1), "device"), value(lines.get(2), "domain").replace("-", ""));
      Instant created = Instant.parse(value(lines.get(3), "created"));
      SortedMap<String, Properties> entries = new TreeMap<>();
      for (int i = 4; i < lines.size(); i++) {
        String[] f = lines.get(i).split(" ", -1);
        if (f.length != 3 || !f[0].equals("entry") || !PATH.matcher(f[1]).matches()) {
          throw new IllegalArgumentException("line " + (i + 1) + " is not an entry");
        }
        byte[] props = Base64.getDecoder().decode(f[2]);
        if (props.length > HostKeyStore.MAX_ENTRY_BYTES || entries.containsKey(f[1])) {
          throw new IllegalArgumentException("line " + (i + 1) + " is not an entry");
        }
        entries.put(
            f[1],
            HostKeyStore.parse(
                java.nio.file.Path.of("backup", f[1]),
                new String(props, StandardCharsets.ISO_8859_1)));
      }
      return new Contents(origin, created, entries);
    } catch (DateTimeParseException | DamagedEntryException e) {
      throw new IllegalArgumentException("it has a field that does not read: " + e.getMessage());
    } catch (IllegalArgumentException e) {
      if (e.getMessage() != null && e.getMessage().startsWith("line ")) {
        throw e;
      }
      throw new IllegalArgumentException("it has a field that does not read: " + e.getMessage());
    }
  }

  /**
   * Writes the backup's entries into {@code store}: missing ones are added, equal ones left; an
   * entry that differs from the store's is overwritten only with {@code replace}, else nothing at
   * all is written.
   *
   * @throws IllegalStateException naming the entries that differ, when not {@code replace}
   */
  public static Restored restore(HostKeyStore store, Contents backup, boolean replace) {
    SortedMap<String, Properties> current = store.allEntries();
    List<String> differ = new ArrayList<>();
    int unchanged = 0;
    for (var e : backup.entries().entrySet()) {
      Properties now = current.get(e.getKey());
      if (now != null && now.equals(e.getValue())) {
        unchanged++;
      } else if (now != null) {
        differ.add(e.getKey());
      }
    }
    if (!differ.isEmpty() && !replace) {
      throw new IllegalStateException(
          differ.size()
              + " entries of the key store differ from the backup's (first: "
              + differ.get(0)
              + "); nothing was restored; --replace overwrites them");
    }
    int written = 0;
    for (var e : backup.entries().entrySet()) {
      Properties now = current.get(e.getKey());
      if (now == null || !now.equals(e.getValue())) {
        store.writeEntry(e.getKey(), e.getValue());
        written++;
      }
    }
    return new Restored(written, unchanged);
  }

  private static String value(String line, String name) {
    if (!line.startsWith(name + " ")) {
      throw new IllegalArgumentException("no " + name + " line");
    }
    return line.substring(name.length() + 1);
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}
