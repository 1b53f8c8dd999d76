package io.ihsm.kmip.server;

import io.ihsm.host.AtomicFile;
import io.ihsm.host.OwnerOnly;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The KMIP objects of one partition, one owner-only file each ({@code home/kmip/PARTITION/UID
 * .properties}, written atomically). Nothing in them is secret: the keys stay in the device and
 * their blobs in the host key store.
 */
final class KmipObjects {
  private static final Pattern UID = Pattern.compile("[0-9a-f]{32}(-public)?");

  private final Path dir;

  KmipObjects(Path home, String partition) {
    this.dir = home.resolve("kmip").resolve(partition);
  }

  static boolean validUid(String uid) {
    return UID.matcher(uid).matches();
  }

  synchronized Optional<KmipObject> find(String uid) {
    if (!validUid(uid)) {
      return Optional.empty();
    }
    Path f = dir.resolve(uid + ".properties");
    if (!Files.exists(f)) {
      return Optional.empty();
    }
    try (Reader r = Files.newBufferedReader(f)) {
      Properties p = new Properties();
      p.load(r);
      return Optional.of(read(uid, p));
    } catch (IOException | RuntimeException e) {
      // Cut, edited or emptied: refused, naming it, never guessed at.
      throw new DamagedRecordException(
          "the KMIP record of object " + uid + " (" + f + ") is damaged");
    }
  }

  /** A record that exists but does not read as one: the object is refused, the others served. */
  static final class DamagedRecordException extends IllegalStateException {
    DamagedRecordException(String message) {
      super(message);
    }
  }

  synchronized List<KmipObject> all() {
    List<KmipObject> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.properties")) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        try {
          find(name.substring(0, name.length() - ".properties".length())).ifPresent(out::add);
        } catch (DamagedRecordException skipped) {
          // refused when named; one damaged record must not hide the partition's other objects
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    out.sort((a, b) -> a.uid().compareTo(b.uid()));
    return out;
  }

  synchronized void save(KmipObject o) {
    Properties p = new Properties();
    p.setProperty("objectType", Integer.toString(o.objectType()));
    p.setProperty("key", o.key());
    p.setProperty("algorithm", Integer.toString(o.algorithm()));
    p.setProperty("length", Integer.toString(o.length()));
    p.setProperty("usageMask", Integer.toString(o.usageMask()));
    p.setProperty("initialDate", o.initialDate().toString());
    for (int i = 0; i < o.names().size(); i++) {
      p.setProperty("name." + i, o.names().get(i));
    }
    for (Map.Entry<String, List<byte[]>> a : o.custom().entrySet()) {
      for (int i = 0; i < a.getValue().size(); i++) {
        p.setProperty(
            "custom." + a.getKey() + "." + i,
            Base64.getEncoder().encodeToString(a.getValue().get(i)));
      }
    }
    try {
      OwnerOnly.createDirectories(dir);
      AtomicFile.writeProperties(dir.resolve(o.uid() + ".properties"), p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot record KMIP object " + o.uid(), e);
    }
  }

  private static KmipObject read(String uid, Properties p) {
    String key = p.getProperty("key", "");
    if (!io.ihsm.sdk.store.KeyRef.valid(key)) {
      throw new IllegalArgumentException("no key version");
    }
    List<String> names = new ArrayList<>();
    for (int i = 0; p.getProperty("name." + i) != null; i++) {
      names.add(p.getProperty("name." + i));
    }
    Map<String, List<byte[]>> custom = new TreeMap<>();
    for (String k : new TreeMap<>(p).keySet().stream().map(Object::toString).toList()) {
      if (k.startsWith("custom.")) {
        String rest = k.substring("custom.".length());
        String name = rest.substring(0, rest.lastIndexOf('.'));
        custom.computeIfAbsent(name, x -> new ArrayList<>());
      }
    }
    Map<String, List<byte[]>> ordered = new LinkedHashMap<>();
    for (String name : custom.keySet()) {
      List<byte[]> values = new ArrayList<>();
      for (int i = 0; p.getProperty("custom." + name + "." + i) != null; i++) {
        values.add(Base64.getDecoder().decode(p.getProperty("custom." + name + "." + i)));
      }
      ordered.put(name, values);
    }
    return new KmipObject(
        uid,
        Integer.parseInt(p.getProperty("objectType")),
        key,
        Integer.parseInt(p.getProperty("algorithm")),
        Integer.parseInt(p.getProperty("length")),
        Integer.parseInt(p.getProperty("usageMask")),
        names,
        ordered,
        Instant.parse(p.getProperty("initialDate")));
  }
}
