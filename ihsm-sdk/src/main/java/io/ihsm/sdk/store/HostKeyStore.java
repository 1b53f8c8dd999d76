package io.ihsm.sdk.store;

import io.ihsm.ddi.key.KeyAttributes;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyLifecycle;
import io.ihsm.ddi.key.KeyOrigin;
import io.ihsm.ddi.key.KeyState;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.ddi.message.CreatePartitionRequest;
import io.ihsm.host.AtomicFile;
import io.ihsm.host.OwnerOnly;
import io.ihsm.host.store.FleetStore;
import io.ihsm.host.store.FleetStores;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The host side of the vault: per partition its id, credential id and blobs, and per key its
 * attributes, public key and masked blob. Nothing here is secret in clear: blobs are masked by the
 * device. A damaged entry (empty, cut, edited) is reported naming it ({@link
 * DamagedEntryException}) and affects only its own entry: listings skip it and say so ({@link
 * #damagedKeys}).
 *
 * <p>On one server the entries are owner-only files under the home directory, each written
 * atomically (temporary file, sync, rename, directory sync), so a crash never loses or corrupts an
 * acknowledged key:
 *
 * <pre>
 * home/partitions/NAME/partition.properties
 * home/partitions/NAME/keys/LABEL.key      the label's newest version
 * home/partitions/NAME/keys/LABEL#N.key    its older versions, after rotations
 * </pre>
 *
 * <p>In a fleet ({@code home/fleet.properties} names the shared store, {@link #useFleetStore}) the
 * same entries live in the fleet's store under {@code host/partitions/}, so every member sees what
 * any member filed, and a new label is a conditional create: two servers filing one label at once
 * give one winner. Only the partition's id on this server's device stays in the home ({@code
 * NAME/device.properties}): ids differ between devices.
 */
public final class HostKeyStore {
  /** The home's file naming the fleet's shared store ({@code store=etcd://…}). */
  public static final String FLEET_CONFIG = "fleet.properties";

  private static final Map<String, FleetStore> OPEN_STORES = new ConcurrentHashMap<>();

  private final Entries shared;
  private final Entries local;
  private final boolean fleet;

  /**
   * A partition as the host knows it. {@code userPinSet} is false after the owner re-initialised
   * the partition and before the owner set a PIN again: no PIN opens it then. {@code id} is the
   * partition's id on this server's device; 0 in a fleet for a partition this device has not taken
   * on yet.
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

    /** The same entry with this device's id for the partition. */
    public PartitionEntry withId(int newId) {
      return new PartitionEntry(
          name, newId, credentialId, partitionBlob, backupKeyBlob, userPinSet);
    }
  }

  /**
   * A key version as the host knows it: what it is, its version and lifecycle as the device last
   * answered them, and how to load it again. {@code lifecycle} is null for an entry filed before
   * keys had versions (the device loads its blob as version 1, active). A destroyed version keeps
   * its entry, with no blob.
   */
  public record StoredKey(
      String label,
      KeyKind kind,
      KeyUsage usage,
      KeyOrigin origin,
      boolean extractable,
      byte[] publicKey,
      byte[] maskedBlob,
      KeyLifecycle lifecycle) {
    /** The key's version, 1 for an entry filed before versions. */
    public int version() {
      return lifecycle == null ? 1 : lifecycle.version();
    }

    /** The state the entry records (without the dates that passed since: see the lifecycle). */
    public KeyState state() {
      return lifecycle == null ? KeyState.ACTIVE : lifecycle.state();
    }

    /** {@code label#version}: the name of this version whatever versions follow it. */
    public String versionRef() {
      return KeyRef.of(label, version());
    }

    /** The same entry with another blob and lifecycle, as the device answered a change. */
    public StoredKey changed(byte[] blob, KeyLifecycle next) {
      return new StoredKey(label, kind, usage, origin, extractable, publicKey, blob, next);
    }

    /** The same key under another name (a label, or {@code label#version} for a view of it). */
    public StoredKey relabelled(String to) {
      return new StoredKey(to, kind, usage, origin, extractable, publicKey, maskedBlob, lifecycle);
    }
  }

  private HostKeyStore(Entries shared, Entries local, boolean fleet) {
    this.shared = shared;
    this.local = local;
    this.fleet = fleet;
  }

  /**
   * The home's store: its own files, or the fleet's shared store when {@code home/fleet.properties}
   * names one (opened once per process and address).
   *
   * @throws io.ihsm.host.store.StoreException when the named store cannot be opened
   */
  public static HostKeyStore at(Path home) {
    FileEntries files = new FileEntries(home.resolve("partitions"));
    Optional<String> address = fleetStoreAddress(home);
    if (address.isEmpty()) {
      return new HostKeyStore(files, files, false);
    }
    FleetStore store = OPEN_STORES.computeIfAbsent(address.get(), FleetStores::open);
    return new HostKeyStore(new FleetEntries(store), files, true);
  }

  /** The home's entries in {@code store}, the partitions' device ids in the home. */
  public static HostKeyStore on(FleetStore store, Path home) {
    return new HostKeyStore(
        new FleetEntries(store), new FileEntries(home.resolve("partitions")), true);
  }

  /** Whether the entries are the fleet's shared ones. */
  public boolean inFleet() {
    return fleet;
  }

  /**
   * The address of the fleet store the home's {@value #FLEET_CONFIG} names, if it names one.
   *
   * @throws IllegalStateException when the file exists but names no store
   */
  public static Optional<String> fleetStoreAddress(Path home) {
    Path config = home.resolve(FLEET_CONFIG);
    if (!Files.exists(config)) {
      return Optional.empty();
    }
    try {
      String address =
          parse(config, Files.readString(config, StandardCharsets.ISO_8859_1)).getProperty("store");
      if (address == null || address.isBlank()) {
        throw new IllegalStateException(config + " names no store (store=etcd://host:port)");
      }
      return Optional.of(address.strip());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + config, e);
    }
  }

  /**
   * Makes the home use the fleet store at {@code address} from now on (writes {@value
   * #FLEET_CONFIG}); the address is checked by opening the store.
   */
  public static void useFleetStore(Path home, String address) {
    OPEN_STORES.computeIfAbsent(address, FleetStores::open);
    Properties p = new Properties();
    p.setProperty("store", address);
    try {
      OwnerOnly.createDirectories(home);
      AtomicFile.writeProperties(home.resolve(FLEET_CONFIG), p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + home.resolve(FLEET_CONFIG), e);
    }
  }

  /**
   * @throws DamagedEntryException when the partition's entry exists but does not read as one
   */
  public Optional<PartitionEntry> partition(String name) {
    checkName(name);
    String path = name + "/partition.properties";
    return shared
        .read(path)
        .map(
            p ->
                parsed(
                    shared.where(path),
                    () -> {
                      int id = fleet ? deviceId(name) : Integer.parseInt(required(p, "id"));
                      if (id < (fleet ? 0 : 1)) {
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

  private int deviceId(String name) {
    String path = name + "/device.properties";
    return local
        .read(path)
        .map(p -> parsed(local.where(path), () -> Integer.parseInt(required(p, "id"))))
        .orElse(0);
  }

  /**
   * Every entry of the store by path (partitions, keys and their versions, certificates), for a
   * backup: what the store holds, masked blobs and metadata only.
   */
  SortedMap<String, Properties> allEntries() {
    SortedMap<String, Properties> all = new TreeMap<>();
    collect("", all);
    return all;
  }

  private void collect(String dir, SortedMap<String, Properties> into) {
    for (String child : shared.children(dir)) {
      if (child.startsWith(".")) {
        continue; // a write in progress
      }
      String path = dir.isEmpty() ? child : dir + "/" + child;
      if (ENTRY_NAME.matcher(child).matches() && !dir.isEmpty()) {
        shared.read(path).ifPresent(p -> into.put(path, p));
      } else {
        collect(path, into);
      }
    }
  }

  /** The names entries have: a partition's, a key version's, a certificate chain's. */
  private static final java.util.regex.Pattern ENTRY_NAME =
      java.util.regex.Pattern.compile(".+\\.(properties|key|chain)");

  /** Writes one entry as a backup holds it (a restore). */
  void writeEntry(String path, Properties p) {
    checkName(path.substring(0, path.indexOf('/')));
    shared.write(path, p);
  }

  public List<String> partitions() {
    return shared.children("").stream()
        .filter(CreatePartitionRequest::validName)
        .filter(n -> shared.children(n).contains("partition.properties"))
        .toList();
  }

  public void savePartition(PartitionEntry e) {
    checkName(e.name());
    shared.write(e.name() + "/partition.properties", partitionProperties(e));
    saveDeviceId(e);
  }

  /**
   * Files a new partition; false, changing nothing, when an entry of that name exists (in a fleet,
   * one any member filed).
   */
  public boolean createPartition(PartitionEntry e) {
    checkName(e.name());
    if (!shared.create(e.name() + "/partition.properties", partitionProperties(e))) {
      return false;
    }
    saveDeviceId(e);
    return true;
  }

  /** Records the partition's id on this server's device (in a fleet; otherwise in its entry). */
  public void saveDeviceId(PartitionEntry e) {
    if (fleet && e.id() > 0) {
      Properties p = new Properties();
      p.setProperty("id", Integer.toString(e.id()));
      local.write(e.name() + "/device.properties", p);
    }
  }

  private Properties partitionProperties(PartitionEntry e) {
    Properties p = new Properties();
    if (!fleet) {
      p.setProperty("id", Integer.toString(e.id()));
    }
    p.setProperty("credentialId", HexFormat.of().formatHex(e.credentialId()));
    p.setProperty("partitionBlob", Base64.getEncoder().encodeToString(e.partitionBlob()));
    p.setProperty("backupKeyBlob", Base64.getEncoder().encodeToString(e.backupKeyBlob()));
    if (!e.userPinSet()) {
      p.setProperty("userPinSet", "false");
    }
    return p;
  }

  /**
   * Replaces the partition's blob with {@code next} only if the entry still holds {@code expected}
   * (a compare-and-swap in a fleet); false, changing nothing, when it changed since.
   */
  public boolean replacePartitionBlob(String name, byte[] expected, byte[] next) {
    checkName(name);
    String path = name + "/partition.properties";
    PartitionEntry e =
        partition(name).orElseThrow(() -> new IllegalArgumentException("no partition " + name));
    return shared.replace(
        path,
        p ->
            expected.length > 0 && Arrays.equals(b64(p.getProperty("partitionBlob", "")), expected),
        partitionProperties(
            new PartitionEntry(
                name, e.id(), e.credentialId(), next, e.backupKeyBlob(), e.userPinSet())));
  }

  /**
   * Replaces a key's masked blob with {@code next} only if its entry still holds {@code expected}
   * (a compare-and-swap in a fleet); false, changing nothing, when it changed or went since.
   */
  public boolean replaceKeyBlob(String partition, String label, byte[] expected, byte[] next) {
    StoredKey k = key(partition, label).orElse(null);
    if (k == null) {
      return false;
    }
    Properties replacement = keyProperties(k.changed(next, k.lifecycle()));
    filed(partition, label).ifPresent(t -> replacement.setProperty("filed", t.toString()));
    return shared.replace(
        keyPath(partition, label),
        p -> Arrays.equals(b64(p.getProperty("maskedBlob", "")), expected),
        replacement);
  }

  /** Removes the partition's entry and all its keys, damaged ones included. */
  public void deletePartition(String name) {
    deleteKeys(name);
    shared.delete(name + "/partition.properties");
    if (fleet) {
      local.delete(name + "/device.properties");
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
   * A key by label (its newest version) or by {@code label#version} ({@link KeyRef}).
   *
   * @throws DamagedEntryException when the key's entry exists but does not read as a key
   */
  public Optional<StoredKey> key(String partition, String ref) {
    checkName(partition);
    KeyRef r = KeyRef.parse(ref);
    Optional<StoredKey> newest = entry(partition, r.label(), keyPath(partition, r.label()));
    if (r.version() == 0 || newest.map(k -> k.version() == r.version()).orElse(false)) {
      return newest;
    }
    return entry(partition, r.label(), versionPath(partition, r.label(), r.version()))
        .filter(k -> k.version() == r.version());
  }

  /**
   * Every key and every older version of each, by the name that reaches it: {@code label} for the
   * newest, {@code label#version} for an older one. Damaged entries are left out, as in {@link
   * #keys}.
   */
  public java.util.SortedMap<String, StoredKey> allVersions(String partition) {
    checkName(partition);
    java.util.SortedMap<String, StoredKey> all = new java.util.TreeMap<>();
    for (String name : shared.children(partition + "/keys")) {
      if (!name.endsWith(".key")) {
        continue;
      }
      String ref = name.substring(0, name.length() - 4);
      boolean label = !ref.isEmpty() && KeyAttributes.validLabel(ref);
      if (!label && !KeyRef.valid(ref)) {
        continue;
      }
      try {
        entry(partition, KeyRef.parse(ref).label(), partition + "/keys/" + name)
            .ifPresent(k -> all.put(ref, k));
      } catch (DamagedEntryException skipped) {
        // reported by damagedKeys
      }
    }
    return all;
  }

  /** Every version of the key, oldest first (empty when there is no such key). */
  public List<StoredKey> versions(String partition, String label) {
    checkName(partition);
    checkLabel(label);
    List<StoredKey> all = new ArrayList<>();
    String prefix = label + KeyRef.SEPARATOR;
    for (String name : shared.children(partition + "/keys")) {
      if (name.startsWith(prefix) && name.endsWith(".key")) {
        String ref = name.substring(0, name.length() - 4);
        if (KeyRef.valid(ref)) {
          entry(partition, label, partition + "/keys/" + name).ifPresent(all::add);
        }
      }
    }
    entry(partition, label, keyPath(partition, label)).ifPresent(all::add);
    all.sort(java.util.Comparator.comparingInt(StoredKey::version));
    return all;
  }

  private Optional<StoredKey> entry(String partition, String label, String path) {
    return shared
        .read(path)
        .map(
            p ->
                parsed(
                    shared.where(path),
                    () -> {
                      KeyLifecycle lifecycle = lifecycle(p);
                      boolean destroyed =
                          lifecycle != null && lifecycle.state() == KeyState.DESTROYED;
                      // A destroyed version keeps its entry and no blob; any other needs one.
                      byte[] blob =
                          destroyed
                              ? b64(p.getProperty("maskedBlob", ""))
                              : b64(required(p, "maskedBlob"));
                      if (blob.length == 0 && !destroyed) {
                        throw new Unreadable("its masked blob is empty");
                      }
                      return new StoredKey(
                          label,
                          KeyKind.fromTextName(required(p, "kind")),
                          KeyUsage.fromTextName(required(p, "usage")),
                          KeyOrigin.valueOf(required(p, "origin")),
                          Boolean.parseBoolean(required(p, "extractable")),
                          b64(p.getProperty("publicKey", "")),
                          blob,
                          lifecycle);
                    }));
  }

  /** The entry's lifecycle; null for an entry filed before keys had versions. */
  private static KeyLifecycle lifecycle(Properties p) {
    String version = p.getProperty("version");
    if (version == null) {
      return null;
    }
    KeyState state = KeyState.fromTextName(required(p, "state"));
    if (state == null) {
      throw new Unreadable("its state is not a key state");
    }
    return new KeyLifecycle(
        Integer.parseInt(version),
        HexFormat.of().parseHex(required(p, "keyId")),
        state,
        date(p.getProperty("activationDate")),
        date(p.getProperty("deactivationDate")));
  }

  private static long date(String text) {
    return text == null || text.isEmpty() ? 0 : Instant.parse(text).toEpochMilli();
  }

  /**
   * Files a rotation: the replaced version under {@code label#version} (with the key's certificate
   * chain, which belongs to it), then {@code next} as the label's entry, only if that entry still
   * holds {@code expectedBlob} (a compare-and-swap in a fleet). False when the entry changed since
   * (another rotation won): the older version's entry is then the winner's to keep, and nothing
   * else changed.
   */
  public boolean fileRotation(
      String partition, StoredKey previous, StoredKey next, byte[] expectedBlob) {
    checkName(partition);
    checkLabel(next.label());
    String ref = previous.versionRef();
    shared.write(versionPath(partition, next.label(), previous.version()), keyProperties(previous));
    if (!shared.replace(
        keyPath(partition, next.label()),
        p -> Arrays.equals(b64(p.getProperty("maskedBlob", "")), expectedBlob),
        keyProperties(next))) {
      return false;
    }
    List<byte[]> chain = certificates(partition, next.label());
    if (!chain.isEmpty()) {
      writeChain(partition, ref, chain);
      shared.delete(chainPath(partition, next.label()));
    }
    return true;
  }

  /**
   * Replaces one version's entry with {@code changed} (a new state from the device) only if it
   * still holds {@code expectedBlob}; false, changing nothing, when it changed or went since.
   */
  public boolean replaceVersion(
      String partition, String ref, byte[] expectedBlob, StoredKey changed) {
    checkName(partition);
    String path = pathOf(partition, ref);
    Optional<Properties> now = shared.read(path);
    if (now.isEmpty()) {
      return false;
    }
    Properties replacement = keyProperties(changed);
    String filed = now.get().getProperty("filed");
    if (filed != null) {
      replacement.setProperty("filed", filed);
    }
    return shared.replace(
        path, p -> Arrays.equals(b64(p.getProperty("maskedBlob", "")), expectedBlob), replacement);
  }

  /**
   * The partition's keys that read whole; a damaged key entry is left out ({@link #damagedKeys}).
   */
  public List<StoredKey> keys(String partition) {
    List<StoredKey> all = new ArrayList<>();
    for (String label : keyLabels(partition)) {
      try {
        key(partition, label).ifPresent(all::add);
      } catch (DamagedEntryException skipped) {
        // reported by damagedKeys; one bad entry must not take the partition's other keys with it
      }
    }
    return all;
  }

  /**
   * When a key of the partition was last created, replaced or deleted, where the store can tell
   * without reading the keys (a file store: its directory's time); empty where it cannot (a fleet
   * store). For callers that cache {@link #keys}.
   */
  public Optional<Instant> keysChanged(String partition) {
    checkName(partition);
    return shared.changed(partition + "/keys");
  }

  /** The partition's key entries that do not read as keys, each as its problem (naming it). */
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
    return shared.children(partition + "/keys").stream()
        .filter(n -> n.endsWith(".key"))
        .map(n -> n.substring(0, n.length() - 4))
        .filter(KeyAttributes::validLabel)
        .filter(l -> !l.isEmpty())
        .sorted()
        .toList();
  }

  /**
   * Calls {@code deleted} with the label of every key of {@code partition} deleted from now on by
   * any member of the fleet (the store's delete is the tombstone members watch); closing the answer
   * stops it. On one server's files there is nothing to watch.
   */
  public AutoCloseable watchDeletedKeys(String partition, Consumer<String> deleted) {
    checkName(partition);
    return shared.watchDeletions(
        partition + "/keys",
        path -> {
          String name = path.substring(path.lastIndexOf('/') + 1);
          if (name.endsWith(".key")) {
            deleted.accept(name.substring(0, name.length() - 4));
          }
        });
  }

  /** Files the key, replacing an entry of the same label. */
  public void saveKey(String partition, StoredKey k) {
    checkName(partition);
    checkLabel(k.label());
    shared.write(keyPath(partition, k.label()), keyProperties(k));
  }

  /**
   * Files a new key; false, changing nothing, when the label is taken (in a fleet, by any member,
   * even one filing it at this moment).
   */
  public boolean createKey(String partition, StoredKey k) {
    checkName(partition);
    checkLabel(k.label());
    return shared.create(keyPath(partition, k.label()), keyProperties(k));
  }

  private static Properties keyProperties(StoredKey k) {
    Properties p = new Properties();
    KeyLifecycle l = k.lifecycle();
    if (l != null) {
      p.setProperty("version", Integer.toString(l.version()));
      p.setProperty("keyId", l.idText());
      p.setProperty("state", l.state().textName());
      if (l.activationDate() != 0) {
        p.setProperty("activationDate", Instant.ofEpochMilli(l.activationDate()).toString());
      }
      if (l.deactivationDate() != 0) {
        p.setProperty("deactivationDate", Instant.ofEpochMilli(l.deactivationDate()).toString());
      }
    }
    p.setProperty("kind", k.kind().textName());
    p.setProperty("usage", k.usage().textName());
    p.setProperty("origin", k.origin().name());
    p.setProperty("extractable", Boolean.toString(k.extractable()));
    p.setProperty("publicKey", Base64.getEncoder().encodeToString(k.publicKey()));
    p.setProperty("maskedBlob", Base64.getEncoder().encodeToString(k.maskedBlob()));
    p.setProperty("filed", Instant.now().toString());
    return p;
  }

  /** Removes the key: every version of it and their certificate chains. */
  public void deleteKey(String partition, String label) {
    checkName(partition);
    checkLabel(label);
    for (String ref : olderVersionRefs(partition, label)) {
      shared.delete(chainPath(partition, ref));
      shared.delete(partition + "/keys/" + ref + ".key");
    }
    shared.delete(chainPath(partition, label));
    shared.delete(keyPath(partition, label));
  }

  private List<String> olderVersionRefs(String partition, String label) {
    String prefix = label + KeyRef.SEPARATOR;
    return shared.children(partition + "/keys").stream()
        .filter(n -> n.startsWith(prefix) && n.endsWith(".key"))
        .map(n -> n.substring(0, n.length() - 4))
        .filter(KeyRef::valid)
        .toList();
  }

  /**
   * Files a key under another label, with its certificate chain. The key's blob is unchanged (the
   * label it was made with stays inside it; the device does not use it to find the key).
   */
  public void renameKey(String partition, String from, String to) {
    StoredKey k =
        key(partition, from).orElseThrow(() -> new IllegalArgumentException("no key " + from));
    checkLabel(to);
    List<byte[]> chain = certificates(partition, from);
    if (!createKey(partition, k.relabelled(to))) {
      throw new IllegalArgumentException(
          "partition " + partition + " already has a key labelled " + to);
    }
    saveCertificates(partition, to, chain);
    for (StoredKey older : versions(partition, from)) {
      if (older.version() != k.version()) {
        StoredKey moved = older.relabelled(to);
        shared.write(versionPath(partition, to, older.version()), keyProperties(moved));
        List<byte[]> olderChain = certificates(partition, older.versionRef());
        if (!olderChain.isEmpty()) {
          writeChain(partition, moved.versionRef(), olderChain);
        }
      }
    }
    deleteKey(partition, from);
  }

  /** When a key was filed under its label, if it exists. */
  public Optional<Instant> filed(String partition, String label) {
    checkName(partition);
    String path = pathOf(partition, label);
    Optional<Properties> p = shared.read(path);
    if (p.isEmpty()) {
      return Optional.empty();
    }
    String filed = p.get().getProperty("filed");
    if (filed != null) {
      try {
        return Optional.of(Instant.parse(filed));
      } catch (DateTimeParseException e) {
        throw new DamagedEntryException(shared.where(path), "its filing time does not read");
      }
    }
    return shared.modified(path); // filed before entries carried the time
  }

  /**
   * A key's certificate chain (DER, leaf first; empty when it has none), kept beside it; {@code
   * label#version} for an older version's.
   */
  public List<byte[]> certificates(String partition, String label) {
    checkName(partition);
    KeyRef.parse(label);
    return shared
        .read(chainPath(partition, label))
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
      shared.delete(chainPath(partition, label));
      return;
    }
    writeChain(partition, label, chain);
  }

  private void writeChain(String partition, String ref, List<byte[]> chain) {
    Properties p = new Properties();
    for (int i = 0; i < chain.size(); i++) {
      p.setProperty("certificate." + i, Base64.getEncoder().encodeToString(chain.get(i)));
    }
    shared.write(chainPath(partition, ref), p);
  }

  private static String chainPath(String partition, String label) {
    return partition + "/keys/" + label + ".chain";
  }

  private static String keyPath(String partition, String label) {
    return partition + "/keys/" + label + ".key";
  }

  /** Where the entry {@code ref} names is (or would be) filed. */
  private String pathOf(String partition, String ref) {
    KeyRef r = KeyRef.parse(ref);
    if (r.newest()
        || key(partition, r.label()).map(k -> k.version() == r.version()).orElse(false)) {
      return keyPath(partition, r.label());
    }
    return versionPath(partition, r.label(), r.version());
  }

  private static String versionPath(String partition, String label, int version) {
    return partition + "/keys/" + KeyRef.of(label, version) + ".key";
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
   * The largest entry read: a key's blob and public key are a few KiB; anything bigger is damage.
   */
  static final int MAX_ENTRY_BYTES = 1 << 20;

  /** An entry's text as properties; text that is not is damage, named by {@code where}. */
  static Properties parse(Path where, String text) {
    try {
      Properties p = new Properties();
      p.load(new StringReader(text));
      return p;
    } catch (IllegalArgumentException | IOException e) {
      throw new DamagedEntryException(where, "it does not parse as properties");
    }
  }

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
   * Parses an entry, turning whatever a damaged entry makes the parser throw into one clear error.
   */
  private static <T> T parsed(Path where, Supplier<T> parse) {
    try {
      return parse.get();
    } catch (RuntimeException e) {
      String why =
          e instanceof Unreadable
              ? e.getMessage()
              : "one of its fields does not read as what it should hold";
      throw new DamagedEntryException(where, why);
    }
  }
}
