package io.ihsm.pkcs11.object;

import io.ihsm.ddi.key.KeyKind;
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
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The token objects of one partition, beside the host key store: {@code <home>/pkcs11/<partition>/
 * <record>.object}, one properties file per object (its attributes in hex; for a key, the label of
 * the partition key). Nothing here is secret: private and secret keys are only named. Written
 * atomically, owner-only, like the host key store.
 */
public final class ObjectStore {
  private static final Pattern RECORD = Pattern.compile("[0-9a-f]{16,32}");
  private final Path dir;

  public ObjectStore(Path home, String partition) {
    this.dir = home.resolve("pkcs11").resolve(partition);
  }

  /**
   * When a record was last created, replaced or deleted (the directory's time; EPOCH when there is
   * none yet); empty when it cannot be read.
   */
  public Optional<Instant> changed() {
    try {
      return Optional.of(
          Files.isDirectory(dir) ? Files.getLastModifiedTime(dir).toInstant() : Instant.EPOCH);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  public List<P11Object> load() {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<P11Object> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.sorted().toList()) {
        String name = f.getFileName().toString();
        if (name.endsWith(".object")
            && RECORD.matcher(name.substring(0, name.length() - 7)).matches()) {
          out.add(read(name.substring(0, name.length() - 7), f));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    return out;
  }

  public void save(P11Object o) {
    Properties p = new Properties();
    if (o.deviceLabel() != null) {
      p.setProperty("device-label", o.deviceLabel());
    }
    if (o.kind() != null) {
      p.setProperty("kind", o.kind().textName());
    }
    o.attributes()
        .forEach(
            (type, value) ->
                p.setProperty(
                    "attribute." + Long.toHexString(type), HexFormat.of().formatHex(value)));
    try {
      OwnerOnly.createDirectories(dir.getParent().getParent());
      OwnerOnly.createDirectories(dir.getParent());
      OwnerOnly.createDirectories(dir);
      AtomicFile.writeProperties(file(o.recordId()), p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a PKCS#11 object in " + dir, e);
    }
  }

  /** Deletes every object of the partition (C_InitToken). */
  public void clear() {
    for (P11Object o : load()) {
      delete(o.recordId());
    }
  }

  /** The token label C_InitToken set, if any. */
  public Optional<String> label() {
    Path f = dir.resolve("token.properties");
    if (!Files.exists(f)) {
      return Optional.empty();
    }
    try {
      Properties p = new Properties();
      p.load(new StringReader(Files.readString(f, StandardCharsets.ISO_8859_1)));
      return Optional.ofNullable(p.getProperty("label"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + f, e);
    }
  }

  public void saveLabel(String label) {
    Properties p = new Properties();
    p.setProperty("label", label);
    try {
      OwnerOnly.createDirectories(dir.getParent().getParent());
      OwnerOnly.createDirectories(dir.getParent());
      OwnerOnly.createDirectories(dir);
      AtomicFile.writeProperties(dir.resolve("token.properties"), p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the token label in " + dir, e);
    }
  }

  public void delete(String recordId) {
    try {
      AtomicFile.delete(file(recordId));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete a PKCS#11 object in " + dir, e);
    }
  }

  private Path file(String recordId) {
    if (!RECORD.matcher(recordId).matches()) {
      throw new IllegalArgumentException("not a record id");
    }
    return dir.resolve(recordId + ".object");
  }

  private static P11Object read(String id, Path f) throws IOException {
    Properties p = new Properties();
    p.load(new StringReader(Files.readString(f, StandardCharsets.ISO_8859_1)));
    Map<Long, byte[]> attributes = new TreeMap<>();
    for (String k : p.stringPropertyNames()) {
      if (k.startsWith("attribute.")) {
        attributes.put(
            Long.parseUnsignedLong(k.substring(10), 16), HexFormat.of().parseHex(p.getProperty(k)));
      }
    }
    String kind = p.getProperty("kind");
    return new P11Object(
        id,
        0,
        p.getProperty("device-label"),
        kind == null ? null : KeyKind.fromTextName(kind),
        attributes);
  }
}
