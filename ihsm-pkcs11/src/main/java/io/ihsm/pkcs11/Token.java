package io.ihsm.pkcs11;

import io.ihsm.ddi.Status;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyOrigin;
import io.ihsm.ddi.key.KeyState;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.pkcs11.mechanism.Statuses;
import io.ihsm.pkcs11.object.KeyObjects;
import io.ihsm.pkcs11.object.ObjectStore;
import io.ihsm.pkcs11.object.P11Object;
import io.ihsm.pkcs11.wire.Native;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.IhsmException;
import io.ihsm.sdk.PartitionClient;
import io.ihsm.sdk.store.HostKeyStore;
import io.ihsm.sdk.store.HostKeyStore.StoredKey;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The token in one slot: one partition of the host key store. Its objects are the PKCS#11 records
 * kept for it ({@link ObjectStore}), this process's session objects, and a view of every partition
 * key made elsewhere (by the CLI or the JCA provider), which appears as a private or secret key
 * object (and a public key object) labelled with its key label. Logging in as the user opens the
 * partition with its PIN; logging out closes it.
 */
final class Token {
  /**
   * The label of the partition's RSA unwrapping key object (CKM_RSA_AES_KEY_WRAP imports under it).
   */
  static final String UNWRAPPING_KEY_LABEL = "ihsm-partition-unwrapping-key";

  final long slotId;
  final String partition;
  private final HostKeyStore store;
  private final ObjectStore records;
  private final Supplier<IhsmClient> device;
  private final OwnerKey ownerKeyFile;
  private final Map<String, P11Object> sessionObjects = new LinkedHashMap<>();
  private PartitionClient client;
  private PrivateKey ownerKey;
  private P11Object unwrappingKey;
  private int failedLogins;
  private boolean locked;

  /**
   * The stored objects and keys as last read, with their directories' times then; used again while
   * those times stand. Only times a little in the past are trusted ({@link #SETTLED}): the clock
   * that stamps directories is coarse, and two changes within one of its ticks look like one.
   */
  private Snapshot snapshot;

  static final Duration SETTLED = Duration.ofMillis(100);

  private record Snapshot(
      Instant recordsChanged,
      Instant keysChanged,
      List<P11Object> stored,
      SortedMap<String, StoredKey> keys) {}

  Token(
      long slotId,
      String partition,
      HostKeyStore store,
      ObjectStore records,
      Supplier<IhsmClient> device,
      OwnerKey ownerKeyFile) {
    this.slotId = slotId;
    this.partition = partition;
    this.store = store;
    this.records = records;
    this.device = device;
    this.ownerKeyFile = ownerKeyFile;
  }

  /** The security officer (the partition owner) is logged in. */
  boolean soLoggedIn() {
    return ownerKey != null;
  }

  void soLogin(byte[] soPin) {
    if (ownerKey != null) {
      throw new CkException(
          Ck.CKR_USER_ALREADY_LOGGED_IN,
          "the security officer is already logged in to " + partition);
    }
    if (client != null) {
      throw new CkException(
          Ck.CKR_USER_ANOTHER_ALREADY_LOGGED_IN, "the user is logged in to " + partition);
    }
    ownerKey = ownerKeyFile.open(soPin);
  }

  /**
   * C_InitPIN: the owner gives the application credential a new PIN and unlocks it (OWNER_SET_PIN).
   */
  void initPin(byte[] newPin) {
    if (ownerKey == null) {
      throw new CkException(
          Ck.CKR_USER_NOT_LOGGED_IN, "C_InitPIN needs the security officer (CKU_SO) logged in");
    }
    try {
      PartitionClient.setPinAsOwner(
          device.get(), store, partition, ownerKey, new String(newPin, StandardCharsets.UTF_8));
      failedLogins = 0;
      locked = false;
    } catch (IhsmException e) {
      throw Statuses.of(e);
    }
  }

  /**
   * C_InitToken by the security officer: the owner key (opened by the SO PIN) re-initialises the
   * partition on the device (OWNER_REINIT_PARTITION, audited there): every key destroyed; here its
   * key records and every PKCS#11 object go too, and the token takes the label. The user PIN is
   * unset until C_InitPIN. The caller has checked that no session of the token is open.
   */
  void initToken(byte[] soPin, String label) {
    PrivateKey owner = ownerKeyFile.open(soPin);
    try {
      PartitionClient.reinitializeAsOwner(device.get(), store, partition, owner);
    } catch (IhsmException e) {
      throw Statuses.of(e);
    }
    records.clear();
    records.saveLabel(label);
    sessionObjects.clear();
    unwrappingKey = null;
    failedLogins = 0;
    locked = false;
  }

  /** The label C_InitToken gave, or the partition's name. */
  String label() {
    return records.label().filter(l -> !l.isEmpty()).orElse(partition);
  }

  /** False from C_InitToken until C_InitPIN: no PIN opens the partition then. */
  boolean userPinSet() {
    return store.partition(partition).map(HostKeyStore.PartitionEntry::userPinSet).orElse(true);
  }

  /**
   * A C_InitToken label: 32 bytes of UTF-8 padded with blanks (PKCS#11 3.0 §5.4.1); the blanks go,
   * and a label that is not UTF-8 text or holds control characters is CKR_ARGUMENTS_BAD.
   */
  static String labelOf(byte[] padded) {
    if (padded.length != 32) {
      throw new CkException(Ck.CKR_ARGUMENTS_BAD, "a token label is 32 bytes, padded with blanks");
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(padded)).toString();
    } catch (CharacterCodingException e) {
      throw new CkException(Ck.CKR_ARGUMENTS_BAD, "the token label is not UTF-8");
    }
    String label = text.stripTrailing();
    if (label.chars().anyMatch(Character::isISOControl)) {
      throw new CkException(Ck.CKR_ARGUMENTS_BAD, "the token label holds control characters");
    }
    return label;
  }

  boolean loggedIn() {
    return client != null;
  }

  PartitionClient client() {
    if (client == null) {
      throw new CkException(Ck.CKR_USER_NOT_LOGGED_IN, "log in to use the keys of " + partition);
    }
    return client;
  }

  void login(byte[] pin) {
    if (client != null) {
      throw new CkException(Ck.CKR_USER_ALREADY_LOGGED_IN, "already logged in to " + partition);
    }
    if (!userPinSet()) {
      throw new CkException(
          Ck.CKR_USER_PIN_NOT_INITIALIZED,
          partition
              + " was re-initialised (C_InitToken): the"
              + " security officer sets the user PIN with C_InitPIN first");
    }
    if (ownerKey != null) {
      throw new CkException(
          Ck.CKR_USER_ANOTHER_ALREADY_LOGGED_IN,
          "the security officer is logged in to " + partition);
    }
    try {
      client =
          PartitionClient.open(
              device.get(), store, partition, new String(pin, StandardCharsets.UTF_8));
      failedLogins = 0;
      locked = false;
    } catch (IhsmException e) {
      throw refused(e);
    }
  }

  /** Logs out; the private session objects go with the login (PKCS#11 3.0 §5.6, C_Logout). */
  void logout() {
    if (client == null && ownerKey == null) {
      throw new CkException(Ck.CKR_USER_NOT_LOGGED_IN, "not logged in to " + partition);
    }
    for (P11Object o : List.copyOf(sessionObjects.values())) {
      if (o.isPrivate()) {
        try {
          destroy(o); // while still logged in: a session key's device key goes with it
        } catch (CkException notOnTheDevice) {
          sessionObjects.remove(o.recordId());
        }
      }
    }
    close();
  }

  /**
   * C_SetPIN: the old PIN is proved to the device on a connection of its own (a login, and its
   * session objects, stay as they are), then the PIN changes, for the current login too.
   */
  void setPin(byte[] oldPin, byte[] newPin) {
    try (PartitionClient check =
        PartitionClient.open(
            device.get(), store, partition, new String(oldPin, StandardCharsets.UTF_8))) {
      failedLogins = 0;
      (client != null ? client : check).changePin(new String(newPin, StandardCharsets.UTF_8));
    } catch (IhsmException e) {
      throw refused(e);
    }
  }

  /** A refused login: counted for the PIN flags as the device counts it. */
  private CkException refused(IhsmException e) {
    if (e.status() == Status.AUTHENTICATION_FAILED) {
      failedLogins++;
    } else if (e.status() == Status.CREDENTIAL_LOCKED) {
      locked = true;
    } else if (e.status() == Status.PIN_THROTTLED) {
      // Not an attempt: the device did not check the PIN, and counts nothing.
      return new CkException(
          Ck.CKR_PIN_INCORRECT,
          "too many recent failures: the device asks to wait before the next try");
    }
    return Statuses.of(e);
  }

  /**
   * CKF_USER_PIN_* as this process has seen the device answer (the device does not say how many
   * tries are left).
   */
  long pinFlags(int maxFailures) {
    if (locked) {
      return Ck.CKF_USER_PIN_LOCKED;
    }
    if (failedLogins == 0) {
      return 0;
    }
    return Ck.CKF_USER_PIN_COUNT_LOW
        | (failedLogins >= maxFailures - 1 ? Ck.CKF_USER_PIN_FINAL_TRY : 0);
  }

  /** Every object of the token, private ones included; the caller filters by login and session. */
  List<P11Object> objects() {
    Snapshot s = snapshot();
    return objects(s.stored(), s.keys());
  }

  /**
   * The stored objects and keys: read again unless neither directory changed since a settled read
   * (every PKCS#11 call that names an object asks, and reading every key each time cost most of a
   * signature's time through the module; docs/performance.md).
   */
  private Snapshot snapshot() {
    Optional<Instant> recordsChanged = records.changed();
    Optional<Instant> keysChanged = store.keysChanged(partition);
    Snapshot last = snapshot;
    if (last != null
        && recordsChanged.equals(Optional.of(last.recordsChanged()))
        && keysChanged.equals(Optional.of(last.keysChanged()))) {
      return last;
    }
    Snapshot read =
        new Snapshot(
            recordsChanged.orElse(null),
            keysChanged.orElse(null),
            records.load(),
            store.allVersions(partition));
    Instant settled = Instant.now().minus(SETTLED);
    snapshot =
        recordsChanged.isPresent()
                && keysChanged.isPresent()
                && recordsChanged.get().isBefore(settled)
                && keysChanged.get().isBefore(settled)
            ? read
            : null;
    return read;
  }

  private List<P11Object> objects(List<P11Object> stored) {
    return objects(stored, store.allVersions(partition));
  }

  private List<P11Object> objects(List<P11Object> stored, SortedMap<String, StoredKey> keys) {
    List<P11Object> all = new ArrayList<>(stored);
    all.addAll(sessionObjects.values());
    Set<String> named =
        all.stream().map(P11Object::deviceLabel).filter(l -> l != null).collect(Collectors.toSet());
    for (Map.Entry<String, StoredKey> k : keys.entrySet()) {
      if (!named.contains(k.getKey()) && k.getValue().state() != KeyState.DESTROYED) {
        all.addAll(view(k.getKey(), k.getValue()));
      }
    }
    if (client != null) {
      all.add(unwrappingKeyObject());
    }
    return all;
  }

  /** Keeps an object: a token object in the store, a session object in memory. */
  void save(P11Object o) {
    if (o.isTokenObject()) {
      records.save(o);
    } else {
      sessionObjects.put(o.recordId(), o);
    }
  }

  /**
   * Destroys an object. The partition key behind a private or secret key object goes with the last
   * such object naming it (a copy shares the key); public key objects keep their public key. The
   * key is deleted first, so a device that refuses leaves the object as it was.
   */
  void destroy(P11Object o) {
    if (o.recordId().equals(UNWRAPPING_KEY_LABEL)) {
      throw new CkException(
          Ck.CKR_ACTION_PROHIBITED, "the partition's unwrapping key cannot be destroyed");
    }
    List<P11Object> stored = records.load();
    List<P11Object> all = objects(stored);
    boolean persisted = stored.stream().anyMatch(r -> r.recordId().equals(o.recordId()));
    long c = o.objectClass();
    if (o.isTokenObject() && !persisted && c == Ck.CKO_PUBLIC_KEY) {
      // A view of a key made elsewhere: recording its private half hides the public view for good.
      all.stream()
          .filter(
              x -> o.deviceLabel().equals(x.deviceLabel()) && x.objectClass() != Ck.CKO_PUBLIC_KEY)
          .findFirst()
          .ifPresent(records::save);
      return;
    }
    if (o.deviceLabel() != null && (c == Ck.CKO_PRIVATE_KEY || c == Ck.CKO_SECRET_KEY)) {
      boolean stillNamed =
          all.stream()
              .anyMatch(
                  x ->
                      !x.recordId().equals(o.recordId())
                          && o.deviceLabel().equals(x.deviceLabel())
                          && x.objectClass() != Ck.CKO_PUBLIC_KEY);
      if (!stillNamed) {
        try {
          client().deleteKey(o.deviceLabel());
        } catch (IhsmException e) {
          if (e.status() != Status.LABEL_NOT_FOUND) {
            throw Statuses.of(e);
          }
        }
      }
    }
    if (!o.isTokenObject()) {
      sessionObjects.remove(o.recordId());
    } else if (persisted) {
      records.delete(o.recordId());
    }
  }

  /** Destroys the session objects of a closing session. */
  void closeSession(long session) {
    for (P11Object o : List.copyOf(sessionObjects.values())) {
      if (o.ownerSession() == session) {
        try {
          destroy(o);
        } catch (CkException notLoggedIn) {
          sessionObjects.remove(
              o.recordId()); // its key stays in the partition: listed as a view from now on
        }
      }
    }
  }

  /**
   * Logs out. Session objects whose keys live in the partition go first, while the partition is
   * still open: their keys must not outlive them.
   */
  void close() {
    for (P11Object o : List.copyOf(sessionObjects.values())) {
      if (o.deviceLabel() != null && o.objectClass() != Ck.CKO_PUBLIC_KEY) {
        try {
          destroy(o);
        } catch (CkException notLoggedIn) {
          sessionObjects.remove(o.recordId());
        }
      }
    }
    ownerKey = null; // dropped; the JDK cannot wipe an EC private key's value in place
    if (client != null) {
      try {
        client.close();
      } catch (IhsmException gone) {
        // the device went away; nothing left to release
      }
      client = null;
      unwrappingKey = null;
    }
  }

  /**
   * The objects a partition key made outside PKCS#11 appears as; record ids fixed by its name: the
   * label for the newest version, {@code label#version} for an older one (which still decrypts and
   * verifies). The version's activation and deactivation dates are its start and end dates.
   */
  private List<P11Object> view(String name, StoredKey stored) {
    StoredKey k = stored.relabelled(name);
    List<P11Object> out = new ArrayList<>(2);
    for (P11Object o : view(k)) {
      out.add(o.with(o.recordId(), o.ownerSession(), KeyObjects.dates(k.lifecycle())));
    }
    return out;
  }

  private List<P11Object> view(StoredKey k) {
    byte[] label = k.label().getBytes(StandardCharsets.UTF_8);
    KeyObjects.Naming n = new KeyObjects.Naming(label, label, new byte[0], true);
    List<P11Object> out = new ArrayList<>(2);
    if (k.kind().isAsymmetric()) {
      out.add(
          new P11Object(
              viewId(k.label(), Ck.CKO_PRIVATE_KEY),
              0,
              k.label(),
              k.kind(),
              KeyObjects.privateKey(
                  k.kind(), k.usage(), k.origin(), k.extractable(), k.publicKey(), n)));
      out.add(
          new P11Object(
              viewId(k.label(), Ck.CKO_PUBLIC_KEY),
              0,
              k.label(),
              k.kind(),
              KeyObjects.publicKey(k.kind(), k.usage(), k.origin(), k.publicKey(), n)));
    } else {
      out.add(
          new P11Object(
              viewId(k.label(), Ck.CKO_SECRET_KEY),
              0,
              k.label(),
              k.kind(),
              KeyObjects.secretKey(
                  k.kind(), k.usage(), k.origin(), k.extractable(), k.kind().bytes(), n)));
    }
    return out;
  }

  private P11Object unwrappingKeyObject() {
    if (unwrappingKey == null) {
      byte[] spki;
      try {
        spki = client.unwrappingKey();
      } catch (IhsmException e) {
        throw Statuses.of(e);
      }
      byte[] label = UNWRAPPING_KEY_LABEL.getBytes(StandardCharsets.UTF_8);
      Map<Long, byte[]> a =
          KeyObjects.privateKey(
              KeyKind.RSA_3072,
              KeyUsage.WRAP,
              KeyOrigin.GENERATED,
              false,
              spki,
              new KeyObjects.Naming(label, label, new byte[0], true));
      a.put(Ck.CKA_MODIFIABLE, Native.bool(false));
      a.put(Ck.CKA_DESTROYABLE, Native.bool(false));
      unwrappingKey = new P11Object(UNWRAPPING_KEY_LABEL, 0, null, KeyKind.RSA_3072, a);
    }
    return unwrappingKey;
  }

  private static String viewId(String label, long cls) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256")
              .digest((cls + ":" + label).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
