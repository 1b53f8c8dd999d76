package io.ihsm.sdk.store;

import io.ihsm.ddi.key.KeyAttributes;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyOrigin;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.ddi.message.CreatePartitionRequest;
import io.ihsm.host.AtomicFile;
import io.ihsm.host.OwnerOnly;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The host side of the vault under the home directory: per partition its id, credential id and
 * blobs, and per key its attributes, public key and masked blob. Nothing here is secret in clear:
 * blobs are masked by the device. Every write is atomic (temporary file, sync, rename, directory
 * sync), so a crash never loses or corrupts an acknowledged key. Files and folders are owner-only.
 * A damaged file (empty, cut, edited) is reported naming it ({@link DamagedEntryException}) and
 * affects only its own entry: listings skip it and say so ({@link #damagedKeys}).
 *
 * <pre>
 * home/partitions/NAME/partition.properties
 * home/partitions/NAME/keys/LABEL.key
 * </pre>
 */
public final class HostKeyStore {
  private final Path root;

  /**
   * A partition as the host knows it. {@code userPinSet} is false after the owner re-initialised
   * the partition and before the owner set a PIN again: no PIN opens it then.
   */
  public record PartitionEntry(
      String name,
      int id,
      byte[] credentialId,
      byte[] partitionBlob,
      byte[] backupKeyBlob,
      boolean userPinSet) {
    /** An entry whose user PIN is set. */
    public PartitionEntry(
        String name, int id, byte[] credentialId, byte[] partitionBlob, byte[] backupKeyBlob) {
      this(name, id, credentialId, partitionBlob, backupKeyBlob, true);
    }
  }

  /** A key as the host knows it: what it is and how to load it again. */
  public record StoredKey(
      String label,
      KeyKind kind,
      KeyUsage usage,
      KeyOrigin origin,
      boolean extractable,
      byte[] publicKey,
      byte[] maskedBlob) {}

  private HostKeyStore(Path root) {
    this.root = root;
  }

  public static HostKeyStore at(Path home) {
    return new HostKeyStore(home.resolve("partitions"));
  }

  /**
   * @throws DamagedEntryException when the partition's file exists but does not read as an entry
   */
  public Optional<PartitionEntry> partition(String name) {
    checkName(name);
    Path file = root.resolve(name).resolve("partition.properties");
    return read(file)
        .map(
            p ->
                parsed(
                    file,
                    () -> {
                      int id = Integer.parseInt(required(p, "id"));
                      if (id < 1) {
                        throw new Unreadable("its id " + id + " is not a partition id");
                      }
                      return new PartitionEntry(
                          name,
                          id,
                          HexFormat.of().parseHex(required(p, "credentialId")),
                          b64(required(p, "partitionBlob")),
                          b64(p.getProperty("backupKeyBlob", "")),
                          !"false".equals(p.getProperty("userPinSet")));
                    }));
  }

  public List<String> partitions() {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(p -> Files.exists(p.resolve("partition.properties")))
          .map(p -> p.getFileName().toString())
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root, e);
    }
  }

  public void savePartition(PartitionEntry e) {
    checkName(e.name());
    Properties p = new Properties();
    p.setProperty("id", Integer.toString(e.id()));
    p.setProperty("credentialId", HexFormat.of().formatHex(e.credentialId()));
    p.setProperty("partitionBlob", Base64.getEncoder().encodeToString(e.partitionBlob()));
    p.setProperty("backupKeyBlob", Base64.getEncoder().encodeToString(e.backupKeyBlob()));
    if (!e.userPinSet()) {
      p.setProperty("userPinSet", "false");
    }
    write(root.resolve(e.name()).resolve("partition.properties"), p);
  }

  /** Removes the partition's entry and all its keys, damaged ones included. */
  public void deletePartition(String name) {
    deleteKeys(name);
    try {
      AtomicFile.delete(root.resolve(name).resolve("partition.properties"));
      Files.deleteIfExists(root.resolve(name).resolve("keys"));
      Files.deleteIfExists(root.resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete partition " + name + " from the key store", e);
    }
  }

  /** Removes all the partition's keys, damaged ones included; the partition's entry stays. */
  public void deleteKeys(String partition) {
    checkName(partition);
    for (String label : keyLabels(partition)) {
      deleteKey(partition, label);
    }
  }

  /**
   * @throws DamagedEntryException when the key's file exists but does not read as a key
   */
  public Optional<StoredKey> key(String partition, String label) {
    checkName(partition);
    checkLabel(label);
    Path file = keyFile(partition, label);
    return read(file)
        .map(
            p ->
                parsed(
                    file,
                    () -> {
                      byte[] blob = b64(required(p, "maskedBlob"));
                      if (blob.length == 0) {
                        throw new Unreadable("its masked blob is empty");
                      }
                      return new StoredKey(
                          label,
                          KeyKind.fromTextName(required(p, "kind")),
                          KeyUsage.fromTextName(required(p, "usage")),
                          KeyOrigin.valueOf(required(p, "origin")),
                          Boolean.parseBoolean(required(p, "extractable")),
                          b64(p.getProperty("publicKey", "")),
                          blob);
                    }));
  }

  /**
   * The partition's keys that read whole; a damaged key file is left out ({@link #damagedKeys}).
   */
  public List<StoredKey> keys(String partition) {
    List<StoredKey> all = new ArrayList<>();
    for (String label : keyLabels(partition)) {
      try {
        key(partition, label).ifPresent(all::add);
      } catch (DamagedEntryException skipped) {
        // reported by damagedKeys; one bad file must not take the partition's other keys with it
      }
    }
    return all;
  }

  /** The partition's key files that do not read as keys, each as its problem (naming the file). */
  public List<DamagedEntryException> damagedKeys(String partition) {
    List<DamagedEntryException> damaged = new ArrayList<>();
    for (String label : keyLabels(partition)) {
      try {
        key(partition, label);
      } catch (DamagedEntryException e) {
        damaged.add(e);
      }
    }
    return damaged;
  }

  private List<String> keyLabels(String partition) {
    checkName(partition);
    Path dir = root.resolve(partition).resolve("keys");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(f -> f.getFileName().toString())
          .filter(n -> n.endsWith(".key"))
          .map(n -> n.substring(0, n.length() - 4))
          .filter(KeyAttributes::validLabel)
          .filter(l -> !l.isEmpty())
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list keys of " + partition, e);
    }
  }

  public void saveKey(String partition, StoredKey k) {
    checkName(partition);
    checkLabel(k.label());
    Properties p = new Properties();
    p.setProperty("kind", k.kind().textName());
    p.setProperty("usage", k.usage().textName());
    p.setProperty("origin", k.origin().name());
    p.setProperty("extractable", Boolean.toString(k.extractable()));
    p.setProperty("publicKey", Base64.getEncoder().encodeToString(k.publicKey()));
    p.setProperty("maskedBlob", Base64.getEncoder().encodeToString(k.maskedBlob()));
    write(keyFile(partition, k.label()), p);
  }

  public void deleteKey(String partition, String label) {
    checkName(partition);
    checkLabel(label);
    try {
      AtomicFile.delete(chainFile(partition, label));
      AtomicFile.delete(keyFile(partition, label));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete key " + label, e);
    }
  }

  /**
   * Files a key under another label, with its certificate chain. The key's blob is unchanged (the
   * label it was made with stays inside it; the device does not use it to find the key).
   */
  public void renameKey(String partition, String from, String to) {
    StoredKey k =
        key(partition, from).orElseThrow(() -> new IllegalArgumentException("no key " + from));
    checkLabel(to);
    if (key(partition, to).isPresent()) {
      throw new IllegalArgumentException(
          "partition " + partition + " already has a key labelled " + to);
    }
    List<byte[]> chain = certificates(partition, from);
    saveKey(
        partition,
        new StoredKey(
            to, k.kind(), k.usage(), k.origin(), k.extractable(), k.publicKey(), k.maskedBlob()));
    saveCertificates(partition, to, chain);
    deleteKey(partition, from);
  }

  /** When a key was filed under its label (its file's time), if it exists. */
  public Optional<Instant> filed(String partition, String label) {
    checkName(partition);
    checkLabel(label);
    try {
      Path f = keyFile(partition, label);
      return Files.exists(f)
          ? Optional.of(Files.getLastModifiedTime(f).toInstant())
          : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + label, e);
    }
  }

  /** A key's certificate chain (DER, leaf first; empty when it has none), kept beside it. */
  public List<byte[]> certificates(String partition, String label) {
    checkName(partition);
    checkLabel(label);
    return read(chainFile(partition, label))
        .map(
            p -> {
              List<byte[]> chain = new ArrayList<>();
              for (int i = 0; p.getProperty("certificate." + i) != null; i++) {
                chain.add(b64(p.getProperty("certificate." + i)));
              }
              return chain;
            })
        .orElse(List.of());
  }

  /** Replaces a key's certificate chain (DER, leaf first); an empty chain removes it. */
  public void saveCertificates(String partition, String label, List<byte[]> chain) {
    checkName(partition);
    checkLabel(label);
    if (chain.isEmpty()) {
      try {
        AtomicFile.delete(chainFile(partition, label));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot delete the chain of " + label, e);
      }
      return;
    }
    Properties p = new Properties();
    for (int i = 0; i < chain.size(); i++) {
      p.setProperty("certificate." + i, Base64.getEncoder().encodeToString(chain.get(i)));
    }
    write(chainFile(partition, label), p);
  }

  private Path chainFile(String partition, String label) {
    return root.resolve(partition).resolve("keys").resolve(label + ".chain");
  }

  private Path keyFile(String partition, String label) {
    return root.resolve(partition).resolve("keys").resolve(label + ".key");
  }

  private static void checkName(String name) {
    if (!CreatePartitionRequest.validName(name)) {
      throw new IllegalArgumentException(
          "partition names are 1-32 of [a-z0-9-], starting with a letter");
    }
  }

  private static void checkLabel(String label) {
    if (label.isEmpty() || !KeyAttributes.validLabel(label)) {
      throw new IllegalArgumentException(
          "key labels are 1-64 of [A-Za-z0-9._-], starting with a letter or digit");
    }
  }

  private static byte[] b64(String s) {
    return Base64.getDecoder().decode(s);
  }

  /**
   * The largest entry file read: a key's blob and public key are a few KiB; anything bigger is
   * damage.
   */
  static final int MAX_ENTRY_BYTES = 1 << 20;

  private static String required(Properties p, String name) {
    String v = p.getProperty(name);
    if (v == null || v.isEmpty()) {
      throw new Unreadable("it has no " + name);
    }
    return v;
  }

  /** What a check of an entry's fields found wrong, in words for {@link DamagedEntryException}. */
  private static final class Unreadable extends RuntimeException {
    Unreadable(String why) {
      super(why, null, false, false);
    }
  }

  /**
   * Parses an entry, turning whatever a damaged file makes the parser throw into one clear error.
   */
  private static <T> T parsed(Path file, Supplier<T> parse) {
    try {
      return parse.get();
    } catch (RuntimeException e) {
      String why =
          e instanceof Unreadable
              ? e.getMessage()
              : "one of its fields does not read as what it should hold";
      throw new DamagedEntryException(file, why);
    }
  }

  private static Optional<Properties> read(Path file) {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      if (Files.size(file) > MAX_ENTRY_BYTES) {
        throw new DamagedEntryException(
            file, "it is larger than any entry (" + Files.size(file) + " bytes)");
      }
      Properties p = new Properties();
      p.load(new StringReader(Files.readString(file, StandardCharsets.ISO_8859_1)));
      return Optional.of(p);
    } catch (IllegalArgumentException e) {
      throw new DamagedEntryException(file, "it does not parse as properties");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static void write(Path file, Properties p) {
    try {
      OwnerOnly.createDirectories(file.getParent().getParent());
      OwnerOnly.createDirectories(file.getParent());
      AtomicFile.writeProperties(file, p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
