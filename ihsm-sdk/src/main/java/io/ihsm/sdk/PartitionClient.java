package io.ihsm.sdk;

import io.ihsm.ddi.Status;
import io.ihsm.ddi.credential.Credential;
import io.ihsm.ddi.key.Algorithm;
import io.ihsm.ddi.key.DeriveKeyRequest;
import io.ihsm.ddi.key.EcdsaEncoding;
import io.ihsm.ddi.key.Encrypted;
import io.ihsm.ddi.key.KeyActivation;
import io.ihsm.ddi.key.KeyAttributes;
import io.ihsm.ddi.key.KeyInfo;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyState;
import io.ihsm.ddi.key.KeyStateChange;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.ddi.key.Operation;
import io.ihsm.ddi.key.RotatedKey;
import io.ihsm.ddi.message.DeviceState;
import io.ihsm.ddi.message.DeviceStatus;
import io.ihsm.ddi.message.PartitionLimits;
import io.ihsm.ddi.message.ProvisionResponse;
import io.ihsm.sdk.cipher.CipherParameters;
import io.ihsm.sdk.cipher.Ciphertext;
import io.ihsm.sdk.internal.WireMapping;
import io.ihsm.sdk.key.KeyPurpose;
import io.ihsm.sdk.key.KeyType;
import io.ihsm.sdk.signature.EcdsaParameters;
import io.ihsm.sdk.signature.SignatureParameters;
import io.ihsm.sdk.store.HostKeyStore;
import io.ihsm.sdk.store.HostKeyStore.PartitionEntry;
import io.ihsm.sdk.store.HostKeyStore.StoredKey;
import io.ihsm.sdk.store.KeyRef;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/**
 * A partition as an application uses it: keys by label, kept in the host key store, loaded into the
 * device on demand. The device is a cache: when its key table is full the least recently used key
 * is unloaded (its blob stays in the store) and the needed one loaded, so an application sees as
 * many keys as it likes. After a device reset (daemon restart, live migration) the client
 * re-establishes the partition from its blob, opens a new session and reloads keys by itself; an
 * operation never runs on the wrong key or session.
 *
 * <p>Thread-safe, and calls from many threads run side by side: no lock is held across another
 * call's device round trip. Each key is loaded once however many threads ask for it together
 * ({@link LiveSession}); key creation, renaming and deletion are ordered among themselves only.
 */
public final class PartitionClient implements AutoCloseable {
  private final HostKeyStore store;
  private final PartitionConnection connection;
  private final KeyCatalogue catalogue;
  private final SessionRecovery recovery;
  private volatile PartitionEntry entry;
  private volatile Credential credential;

  /** In a fleet: keys another member deletes are evicted from this device (a no-op on files). */
  private final AutoCloseable deletions;

  private PartitionClient(
      HostKeyStore store,
      PartitionEntry entry,
      PartitionConnection connection,
      Credential credential) {
    this.store = store;
    this.entry = entry;
    this.connection = connection;
    this.credential = credential;
    this.catalogue = new KeyCatalogue(store, entry.name());
    this.recovery =
        new SessionRecovery(connection, () -> this.credential, this::currentPartitionBlob);
    this.deletions = store.watchDeletedKeys(entry.name(), this::evict);
  }

  /**
   * Creates a partition with the Crypto Officer, provisions it, and records it in the store before
   * returning, so the blobs are never lost.
   *
   * @param ownerAnchor the owner's ECDSA P-384 public key (SPKI DER)
   * @param pin the application PIN; the credential id is made here and kept in the store
   */
  public static PartitionEntry create(
      IhsmClient device,
      CryptoOfficerSession co,
      HostKeyStore store,
      String name,
      PartitionLimits limits,
      byte[] ownerAnchor,
      String pin) {
    if (store.partition(name).isPresent()) {
      throw new IhsmException(
          Status.PARTITION_EXISTS, "the key store already has a partition named " + name);
    }
    byte[] credentialId = device.randomBytes(Credential.ID_BYTES);
    int id = co.createPartition(name, limits);
    try (Credential c = Credential.of(credentialId, pin);
        PartitionConnection p = device.partition(id)) {
      ProvisionResponse r = p.provision(ownerAnchor, new byte[0], c);
      PartitionEntry e =
          new PartitionEntry(name, id, credentialId, r.partitionBlob(), r.backupKeyBlob());
      if (!store.createPartition(e)) {
        // In a fleet: another server filed a partition of this name since the check above.
        throw new IhsmException(
            Status.PARTITION_EXISTS, "the key store already has a partition named " + name);
      }
      return e;
    } catch (RuntimeException e) {
      co.deletePartition(id); // nothing half-made stays behind
      throw e;
    }
  }

  /** Opens the named partition of the store with its PIN. */
  public static PartitionClient open(
      IhsmClient device, HostKeyStore store, String partition, String pin) {
    PartitionEntry e =
        store
            .partition(partition)
            .orElseThrow(
                () ->
                    new IhsmException(
                        Status.PARTITION_NOT_FOUND,
                        "no partition " + partition + " in the key store"));
    if (!e.userPinSet()) {
      throw new IhsmException(
          Status.AUTHENTICATION_FAILED,
          "partition "
              + partition
              + " was re-initialised by its owner:"
              + " no PIN opens it until the owner sets one (PKCS#11 C_InitPIN); nothing was sent to the device");
    }
    if (store.inFleet()) {
      e = onThisDevice(device, store, e);
    }
    PartitionConnection connection = device.partition(e.id());
    try {
      // The entry's id decides where the credential goes: check that port is this partition's
      // first.
      String there = partitionNameOrWhyNot(device, connection, e);
      if (!there.equals(partition)) {
        throw new IhsmException(
            Status.PARTITION_NOT_FOUND,
            "the key store entry of partition "
                + partition
                + " names id "
                + e.id()
                + ", which on this device is "
                + (there.isEmpty() ? "no partition" : "partition " + there)
                + " (the entry was edited, or belongs to another device); no credential was sent");
      }
    } catch (RuntimeException ex) {
      connection.close();
      throw ex;
    }
    PartitionClient c =
        new PartitionClient(store, e, connection, Credential.of(e.credentialId(), pin));
    try {
      c.recovery.live();
      return c;
    } catch (RuntimeException ex) {
      c.close();
      throw ex;
    }
  }

  /**
   * A fleet's partition on this server's device: the device takes it on from the shared blob when
   * it does not have it yet (another member made it), and the home remembers its id here.
   */
  private static PartitionEntry onThisDevice(
      IhsmClient device, HostKeyStore store, PartitionEntry e) {
    int id;
    try {
      id = device.adoptPartition(e.partitionBlob());
    } catch (IhsmException noManagementPort) {
      if (!noManagementPort.isTransportFailure()) {
        throw noManagementPort;
      }
      // An application may reach only its partition's socket: the member's daemon adopted the
      // partition (ihsm daemon in a domain), so find its port by name.
      id = device.findPartition(e.name()).orElseThrow(() -> noManagementPort);
    }
    if (id != e.id()) {
      e = e.withId(id);
      store.saveDeviceId(e);
    }
    return e;
  }

  /**
   * The name of the partition on the entry's port; when the port cannot be reached, why, in the
   * device's words: a tampered or zeroized device has closed every partition port, and saying
   * "unreachable" would send the user looking for a daemon problem.
   */
  private static String partitionNameOrWhyNot(
      IhsmClient device, PartitionConnection connection, PartitionEntry e) {
    String there;
    try {
      there = connection.partitionName();
    } catch (IhsmException unreachable) {
      if (unreachable.status() != Status.TRANSPORT_UNAVAILABLE) {
        throw unreachable;
      }
      there = null;
    }
    if (e.name().equals(there)) {
      return there;
    }
    // Not this partition's port: say first whether the device itself is down (tamper, zeroization).
    DeviceStatus s = null;
    try {
      s = device.deviceStatus();
    } catch (IhsmException statusUnreachable) {
      // keep the first answer
    }
    if (s != null && s.state() != DeviceState.OPERATIONAL) {
      throw new IhsmException(
          Status.DEVICE_NOT_OPERATIONAL,
          "the device is "
              + s.state()
              + (s.reason().isEmpty() ? "" : " (" + s.reason() + ")")
              + ": its partitions are closed"
              + (s.state() == DeviceState.ERROR
                  ? ""
                  : "; the Crypto Officer re-initializes it with `ihsm device reinit`"));
    }
    if (there == null) {
      throw new IhsmException(
          s == null ? Status.TRANSPORT_UNAVAILABLE : Status.PARTITION_NOT_FOUND,
          "partition "
              + e.name()
              + " (id "
              + e.id()
              + ") has no port "
              + (s == null
                  ? "reachable"
                  : "on this device: it was deleted there, or the"
                      + " device was zeroized since the key store entry was made"));
    }
    return there;
  }

  /**
   * The partition owner sets a new application PIN and unlocks the credential (no user session is
   * needed, so it works after a lockout or a forgotten PIN); the new blob replaces the old one in
   * the store before this returns.
   *
   * @param ownerKey the ECDSA P-384 private key whose public half provisioned the partition
   */
  public static void setPinAsOwner(
      IhsmClient device, HostKeyStore store, String partition, PrivateKey ownerKey, String newPin) {
    ownerCall(device, store, partition, newPin, PartitionConnection::ownerSetPin, ownerKey, true);
  }

  /**
   * The partition owner re-initialises the partition (PKCS#11 C_InitToken): on the device every key
   * of it is destroyed, its sessions closed and its application credential left without a working
   * PIN; in the store its keys are removed and the entry marked {@code userPinSet = false} until
   * {@link #setPinAsOwner}. The device's change comes first; the store follows before this returns.
   *
   * @param ownerKey the ECDSA P-384 private key whose public half provisioned the partition
   */
  public static void reinitializeAsOwner(
      IhsmClient device, HostKeyStore store, String partition, PrivateKey ownerKey) {
    // The device ignores this PIN (it binds the request to the channel's nonce): any valid one
    // does.
    ownerCall(
        device,
        store,
        partition,
        "unused",
        PartitionConnection::ownerReinitialize,
        ownerKey,
        false);
    store.deleteKeys(partition);
  }

  /**
   * An owner-signed request carrying a sealed credential, answered with the partition's new blob.
   */
  @FunctionalInterface
  private interface OwnerRequestCall {
    byte[] call(PartitionConnection connection, Credential credential, PrivateKey ownerKey);
  }

  /**
   * Sends an owner request to the partition's port (re-establishing the partition from the store's
   * blob when the device asks) and files the new blob in the store, with {@code userPinSet}.
   */
  private static void ownerCall(
      IhsmClient device,
      HostKeyStore store,
      String partition,
      String pin,
      OwnerRequestCall request,
      PrivateKey ownerKey,
      boolean userPinSet) {
    PartitionEntry e =
        store
            .partition(partition)
            .orElseThrow(
                () ->
                    new IhsmException(
                        Status.PARTITION_NOT_FOUND,
                        "no partition " + partition + " in the key store"));
    try (Credential c = Credential.of(e.credentialId(), pin);
        PartitionConnection p = device.partition(e.id())) {
      byte[] blob;
      try {
        blob = request.call(p, c, ownerKey);
      } catch (IhsmException needsBlob) {
        if (needsBlob.status() != Status.NEEDS_REESTABLISH) {
          throw needsBlob;
        }
        p.reestablish(e.partitionBlob());
        blob = request.call(p, c, ownerKey);
      }
      store.savePartition(
          new PartitionEntry(
              e.name(), e.id(), e.credentialId(), blob, e.backupKeyBlob(), userPinSet));
    }
  }

  public String name() {
    return entry.name();
  }

  /**
   * Generates an app key inside the device and records it in the store before returning.
   *
   * @throws IhsmException LABEL_EXISTS when the store has the label already
   */
  public StoredKey generate(String label, KeyKind kind, KeyUsage usage, boolean extractable) {
    return generate(label, kind, usage, extractable, 0);
  }

  /**
   * Generates a key of a given length: {@code lengthBytes} 0 for the kind's own size; an HMAC key
   * may have any length from 14 bytes (112 bits) to 128.
   */
  public StoredKey generate(
      String label, KeyKind kind, KeyUsage usage, boolean extractable, int lengthBytes) {
    KeyAttributes attrs = new KeyAttributes(kind, usage, false, extractable, label);
    return create(
        label,
        kind,
        usage,
        extractable,
        l -> recovery.withRoom(l, () -> l.session.generateKey(attrs, lengthBytes)));
  }

  /**
   * Generates a key inside the device for one purpose and records it in the store before returning.
   */
  public StoredKey generate(String label, KeyType type, KeyPurpose purpose, boolean extractable) {
    return generate(label, WireMapping.kind(type), WireMapping.usage(purpose), extractable);
  }

  /**
   * Generates a key that stays pre-active until {@code activation} ({@link KeyActivation}: a date
   * in milliseconds, or {@link KeyActivation#WHEN_ACTIVATED}), and records it in the store.
   */
  public StoredKey generate(
      String label,
      KeyKind kind,
      KeyUsage usage,
      boolean extractable,
      int lengthBytes,
      long activation) {
    KeyAttributes attrs = new KeyAttributes(kind, usage, false, extractable, label);
    return create(
        label,
        kind,
        usage,
        extractable,
        l -> recovery.withRoom(l, () -> l.session.generateKey(attrs, lengthBytes, activation)));
  }

  /**
   * Makes the key's next version inside the device and files it as the label's newest; the version
   * it replaces is deactivated (it still decrypts, verifies and unwraps, as {@code label#version})
   * and filed under that name. Answers the new version.
   *
   * @throws IhsmException LABEL_EXISTS when another client rotated the key at the same moment (its
   *     rotation stands; this one is undone)
   */
  public StoredKey rotate(String label) {
    KeyRef ref = KeyRef.parse(label);
    if (!ref.newest()) {
      throw new IllegalArgumentException("rotate a key by its label, not one version: " + label);
    }
    return catalogue.change(
        () -> {
          StoredKey current = catalogue.key(label);
          // The store's newest version is the one rotated: a handle this client loaded earlier
          // may be an older version (another client rotated since), so it is loaded afresh.
          evict(label);
          RotatedKey rotated = withKey(label, (l, h) -> l.session.rotateKey(h));
          // Another client may have rotated between reading the store and loading: then the
          // device renewed an older version, and this rotation is dropped.
          boolean stale =
              current.lifecycle() != null
                  && !current.lifecycle().idText().equals(rotated.previous().lifecycle().idText());
          StoredKey previous =
              current.changed(rotated.previous().maskedBlob(), rotated.previous().lifecycle());
          KeyInfo n = rotated.next();
          StoredKey next =
              new StoredKey(
                  label,
                  current.kind(),
                  current.usage(),
                  n.origin(),
                  current.extractable(),
                  n.publicKey(),
                  n.maskedBlob(),
                  n.lifecycle());
          LiveSession l = recovery.current();
          if (stale || !store.fileRotation(entry.name(), previous, next, current.maskedBlob())) {
            if (l != null) {
              unloadQuietly(l, n.handle());
            }
            throw new IhsmException(
                Status.LABEL_EXISTS, "key " + label + " changed while it was rotated; try again");
          }
          if (l != null) {
            l.rename(label, previous.versionRef());
            l.loaded(label, n.handle());
          }
          return next;
        });
  }

  /**
   * Moves a key version to another lifecycle state inside the device ({@code date} null: now; a
   * later date only to activate a pre-active or deactivate an active key) and files the answer.
   * Destroying a version wipes it in the device; its entry stays, with no blob, saying so.
   *
   * @throws IhsmException INVALID_STATE_TRANSITION when the key's state does not allow the move
   */
  public StoredKey setState(String ref, KeyState state, Instant date) {
    long when = date == null ? 0 : date.toEpochMilli();
    return catalogue.change(
        () -> {
          StoredKey current = catalogue.key(ref);
          if (current.state() == KeyState.DESTROYED) {
            throw new IhsmException(
                Status.INVALID_STATE_TRANSITION, "key " + ref + " is destroyed already");
          }
          evict(ref); // the version the store names, not one this client loaded before
          KeyInfo changed =
              withKey(ref, (l, h) -> l.session.setKeyState(new KeyStateChange(h, state, when)));
          if (current.lifecycle() != null
              && !current.lifecycle().idText().equals(changed.lifecycle().idText())) {
            throw new IhsmException(
                Status.LABEL_EXISTS,
                "key "
                    + ref
                    + " was rotated while its state changed; the device moved version "
                    + changed.lifecycle().version()
                    + ", try again");
          }
          StoredKey filed = current.changed(changed.maskedBlob(), changed.lifecycle());
          if (state == KeyState.DESTROYED) {
            evict(ref);
          }
          if (!store.replaceVersion(entry.name(), ref, current.maskedBlob(), filed)) {
            throw new IhsmException(
                Status.LABEL_EXISTS,
                "key "
                    + ref
                    + " changed in the store while its state changed; the device holds it "
                    + changed.lifecycle().state().textName());
          }
          return filed;
        });
  }

  /** Every version of the key, oldest first. */
  public List<StoredKey> versions(String label) {
    List<StoredKey> all = store.versions(entry.name(), label);
    if (all.isEmpty()) {
      catalogue.key(label); // LABEL_NOT_FOUND
    }
    return all;
  }

  private static void unloadQuietly(LiveSession l, int handle) {
    try {
      l.session.unload(handle);
    } catch (IhsmException gone) {
      // the session ended with it
    }
  }

  /** The partition's RSA unwrapping key (SPKI DER), for {@link KeyImport#wrapForImport}. */
  public byte[] unwrappingKey() {
    return recovery.recovering(l -> l.session.unwrappingKey());
  }

  /** Imports a key wrapped for this partition (bring your own key) and records it in the store. */
  public StoredKey importKey(
      String label, KeyKind kind, KeyUsage usage, boolean extractable, byte[] wrapped) {
    return importKey(label, kind, usage, extractable, wrapped, KeyActivation.NOW);
  }

  /**
   * Imports a wrapped key that becomes active when {@code activation} says ({@link KeyActivation}).
   */
  public StoredKey importKey(
      String label,
      KeyKind kind,
      KeyUsage usage,
      boolean extractable,
      byte[] wrapped,
      long activation) {
    KeyAttributes attrs = new KeyAttributes(kind, usage, false, extractable, label);
    return create(
        label,
        kind,
        usage,
        extractable,
        l -> recovery.withRoom(l, () -> l.session.importKey(attrs, wrapped, activation)));
  }

  /** Imports a public key (SPKI DER) to verify or encrypt with, and records it in the store. */
  public StoredKey importPublicKey(String label, KeyKind kind, KeyUsage usage, byte[] spki) {
    return importPublicKey(label, kind, usage, spki, KeyActivation.NOW);
  }

  /** Imports a public key that becomes active when {@code activation} says. */
  public StoredKey importPublicKey(
      String label, KeyKind kind, KeyUsage usage, byte[] spki, long activation) {
    KeyAttributes attrs = new KeyAttributes(kind, usage, false, false, label);
    return create(
        label,
        kind,
        usage,
        false,
        l -> recovery.withRoom(l, () -> l.session.importPublicKey(attrs, spki, activation)));
  }

  /**
   * Changes the PIN; the partition's new blob replaces the old one in the store before this
   * returns.
   */
  public void changePin(String newPin) {
    catalogue.change(
        () -> {
          Credential next = Credential.of(entry.credentialId(), newPin);
          byte[] blob = recovery.recovering(l -> l.session.changePin(next));
          entry =
              new PartitionEntry(
                  entry.name(), entry.id(), entry.credentialId(), blob, entry.backupKeyBlob());
          store.savePartition(entry);
          Credential old = credential;
          credential = next;
          old.destroy();
          return null;
        });
  }

  /**
   * A key the device makes in a call (generate, import), recorded in the store under a new label.
   */
  private StoredKey create(
      String label,
      KeyKind kind,
      KeyUsage usage,
      boolean extractable,
      Function<LiveSession, KeyInfo> make) {
    return catalogue.change(
        () -> {
          catalogue.requireNewLabel(label);
          return recovery.recovering(l -> file(l, make.apply(l), kind, usage, extractable));
        });
  }

  /**
   * Files a key the device just made and loaded; when the store refuses it, the device lets it go.
   */
  private StoredKey file(
      LiveSession l, KeyInfo info, KeyKind kind, KeyUsage usage, boolean extractable) {
    StoredKey k;
    try {
      k = catalogue.file(info, kind, usage, extractable);
    } catch (RuntimeException e) {
      l.session.unload(info.handle());
      throw e;
    }
    l.loaded(k.label(), info.handle());
    return k;
  }

  public List<StoredKey> keys() {
    return catalogue.all();
  }

  /** Whether the store has a key with this label (one file read, no device call). */
  public boolean hasKey(String label) {
    return catalogue.has(label);
  }

  /**
   * @throws IhsmException LABEL_NOT_FOUND when the partition has no such key
   */
  public StoredKey key(String label) {
    return catalogue.key(label);
  }

  /**
   * Unloads the key and removes it from the store. (A copy of its blob kept elsewhere would still
   * load.)
   */
  public void deleteKey(String label) {
    catalogue.change(
        () -> {
          catalogue.key(label);
          evict(label);
          catalogue.delete(label);
          return null;
        });
  }

  /**
   * The blob to re-establish the partition from: in a fleet the store's newest (another member may
   * have changed the PIN, or the re-masker moved it to a new epoch), else the one this client has.
   */
  private byte[] currentPartitionBlob() {
    if (store.inFleet()) {
      store.partition(entry.name()).ifPresent(e -> entry = e.withId(entry.id()));
    }
    return entry.partitionBlob();
  }

  /** Unloads the key from the device if this client loaded it; the store is not touched. */
  private void evict(String label) {
    LiveSession l = recovery.current();
    Integer h = l == null ? null : l.remove(label);
    if (h != null) {
      try {
        l.session.unload(h);
      } catch (IhsmException gone) {
        // not loaded any more, or the session is gone: nothing to unload
      }
    }
  }

  /** Signs (or MACs) {@code message} with the key labelled {@code label}. */
  public byte[] sign(String label, SignatureParameters parameters, byte[] message) {
    byte[] signature = sign(label, WireMapping.signing(parameters, message));
    if (p1363(parameters)) {
      return EcdsaEncoding.derToP1363(signature, key(label).kind().bytes());
    }
    return signature;
  }

  /**
   * Whether {@code signature} is the key's signature (or MAC tag) of {@code message}; malformed is
   * false.
   */
  public boolean verify(
      String label, SignatureParameters parameters, byte[] message, byte[] signature) {
    byte[] wire = signature;
    if (p1363(parameters)) {
      int size = key(label).kind().bytes();
      if (signature.length != 2 * size) {
        return false;
      }
      wire = EcdsaEncoding.p1363ToDer(signature, size);
    }
    return verify(label, WireMapping.signing(parameters, message).withSignature(wire));
  }

  private static boolean p1363(SignatureParameters p) {
    return p instanceof EcdsaParameters e && e.encoding() == EcdsaParameters.Encoding.IEEE_P1363;
  }

  /**
   * Encrypts with the key labelled {@code label}; the IV or counter block the device used comes
   * back with it.
   */
  public Ciphertext encrypt(String label, CipherParameters parameters, byte[] plaintext) {
    Encrypted e = encrypt(label, WireMapping.encrypting(parameters, plaintext));
    return Ciphertext.of(e.iv(), e.ciphertext());
  }

  public byte[] decrypt(String label, CipherParameters parameters, Ciphertext ciphertext) {
    return decrypt(label, WireMapping.decrypting(parameters, ciphertext));
  }

  /**
   * The wire-level form, for the provider modules: {@code template} is a DDI operation without a
   * key handle.
   */
  public byte[] sign(String label, Operation template) {
    return withKey(label, (l, h) -> l.session.sign(template.withHandle(h)));
  }

  public boolean verify(String label, Operation template) {
    return withKey(label, (l, h) -> l.session.verify(template.withHandle(h)));
  }

  public Encrypted encrypt(String label, Operation template) {
    return withKey(label, (l, h) -> l.session.encrypt(template.withHandle(h)));
  }

  public byte[] decrypt(String label, Operation template) {
    return withKey(label, (l, h) -> l.session.decrypt(template.withHandle(h)));
  }

  /** A key attestation report for the key with this label (see {@link HsmSession#attestKey}). */
  public byte[] attest(String label, byte[] nonce) {
    return withKey(label, (l, h) -> l.session.attestKey(h, nonce));
  }

  /** This partition's identity chain: root, DeviceID, Alias, partition identity (DER). */
  public List<byte[]> certificates() {
    return connection.certificates();
  }

  /**
   * Files a key under a new label (see {@link HostKeyStore#renameKey}); a loaded key stays loaded.
   */
  public void renameKey(String from, String to) {
    catalogue.change(
        () -> {
          catalogue.requireNewLabel(to);
          catalogue.rename(from, to);
          LiveSession l = recovery.current();
          if (l != null) {
            l.rename(from, to);
          }
          return null;
        });
  }

  /** The certificate chain kept with a key (DER, leaf first), empty when it has none. */
  public List<byte[]> keyCertificates(String label) {
    return catalogue.certificates(label);
  }

  /** When the key was filed under its label. */
  public Instant keyFiled(String label) {
    return catalogue.filed(label);
  }

  /** Keeps a certificate chain (DER, leaf first) with a key; an empty chain removes it. */
  public void saveKeyCertificates(String label, List<byte[]> chain) {
    catalogue.saveCertificates(label, chain);
  }

  /**
   * Verifies with any public key (SPKI DER): the device imports it as a session key for this one
   * call, then forgets it.
   */
  public boolean verifyWith(KeyKind kind, byte[] spki, Operation template) {
    return withPublicKey(
        kind, KeyUsage.SIGN, spki, (l, h) -> l.session.verify(template.withHandle(h)));
  }

  /** Encrypts with any public key (SPKI DER), imported for this one call. */
  public Encrypted encryptWith(KeyKind kind, byte[] spki, Operation template) {
    return withPublicKey(
        kind, KeyUsage.ENCRYPT, spki, (l, h) -> l.session.encrypt(template.withHandle(h)));
  }

  private <T> T withPublicKey(
      KeyKind kind, KeyUsage usage, byte[] spki, SessionRecovery.KeyCall<T> op) {
    KeyAttributes attrs = new KeyAttributes(kind, usage, true, false, "");
    return recovery.recovering(
        l -> {
          int handle = recovery.withRoom(l, () -> l.session.importPublicKey(attrs, spki)).handle();
          try {
            return op.apply(l, handle);
          } finally {
            try {
              l.session.unload(handle);
            } catch (IhsmException gone) {
              // the session ended with it
            }
          }
        });
  }

  /**
   * Wraps the extractable key {@code target} under {@code wrapping} (AES_KW, AES_KWP, or RSA_AES_KW
   * under an RSA key).
   */
  public byte[] wrap(String wrapping, String target, Algorithm algorithm) {
    catalogue.key(target);
    return withKey(
        wrapping,
        (l, h) -> {
          try (LiveSession.Lease t = l.acquire(target, x -> load(l, x))) {
            return l.session.wrapKey(h, t.handle, algorithm);
          }
        });
  }

  /**
   * Wraps the extractable key {@code target} for export to any RSA public key (SPKI DER) with
   * RSA_AES_KW; the device imports the public key for this one call.
   */
  public byte[] wrapFor(KeyKind kind, byte[] spki, String target) {
    catalogue.key(target);
    return withPublicKey(
        kind,
        KeyUsage.WRAP,
        spki,
        (l, h) -> {
          try (LiveSession.Lease t = l.acquire(target, x -> load(l, x))) {
            return l.session.wrapKey(h, t.handle, Algorithm.RSA_AES_KW);
          }
        });
  }

  /**
   * Unwraps a key under {@code wrapping} into a new app key, recorded in the store under {@code
   * label}.
   */
  public StoredKey unwrap(
      String wrapping,
      Algorithm algorithm,
      String label,
      KeyKind kind,
      KeyUsage usage,
      boolean extractable,
      byte[] wrapped) {
    KeyAttributes attrs = new KeyAttributes(kind, usage, false, extractable, label);
    return catalogue.change(
        () -> {
          catalogue.requireNewLabel(label);
          return withKey(
              wrapping,
              (l, h) ->
                  file(
                      l,
                      recovery.withRoom(l, () -> l.session.unwrapKey(h, algorithm, attrs, wrapped)),
                      kind,
                      usage,
                      extractable));
        });
  }

  /**
   * Decapsulates an ML-KEM ciphertext (FIPS 203) with the ML-KEM key {@code kemKey}: the 32-byte
   * shared secret becomes a new app key of the device, recorded under {@code label}, never seen by
   * the host unless {@code extractable} (a secret, an AES-256 or an HMAC-SHA256 key). The sender's
   * side is any ML-KEM encapsulator of the key's public key (the JDK's {@code KEM "ML-KEM"}).
   */
  public StoredKey decapsulate(
      String kemKey,
      byte[] ciphertext,
      String label,
      KeyKind kind,
      KeyUsage usage,
      boolean extractable) {
    return derive(
        kemKey,
        new DeriveKeyRequest(
            0,
            DeriveKeyRequest.Method.ML_KEM,
            io.ihsm.ddi.key.HashAlgorithm.NONE,
            ciphertext,
            new byte[0],
            new byte[0],
            0,
            new KeyAttributes(kind, usage, false, extractable, label)));
  }

  /**
   * Derives a new app key from {@code base} (ECDH, HKDF or KBKDF, as {@code request} says; its base
   * handle is filled in here) and records it in the store under the request's label.
   */
  public StoredKey derive(String base, DeriveKeyRequest request) {
    KeyAttributes attrs = request.attributes();
    if (attrs.sessionKey()) {
      throw new IllegalArgumentException("a derived key kept in the store is an app key");
    }
    return catalogue.change(
        () -> {
          catalogue.requireNewLabel(attrs.label());
          return withKey(
              base,
              (l, h) ->
                  file(
                      l,
                      recovery.withRoom(
                          l,
                          () ->
                              l.session.deriveKey(
                                  new DeriveKeyRequest(
                                      h,
                                      request.method(),
                                      request.hash(),
                                      request.peerPublicKey(),
                                      request.salt(),
                                      request.info(),
                                      request.length(),
                                      attrs))),
                      attrs.kind(),
                      attrs.usage(),
                      attrs.extractable()));
        });
  }

  private <T> T withKey(String label, SessionRecovery.KeyCall<T> op) {
    return recovery.withKey(label, this::load, op);
  }

  /**
   * Loads the key's blob from the store into the device. An entry filed before keys had versions
   * learns its version and id from the device here.
   */
  private int load(LiveSession l, String ref) {
    StoredKey k = catalogue.key(ref);
    if (k.state() == KeyState.DESTROYED) {
      throw new IhsmException(
          Status.KEY_STATE_NOT_PERMITTED, "key " + ref + " is destroyed: nothing uses it");
    }
    byte[] blob = k.maskedBlob();
    KeyInfo info = recovery.withRoom(l, () -> l.session.unmask(blob));
    if (k.lifecycle() == null) {
      store.replaceVersion(entry.name(), ref, blob, k.changed(blob, info.lifecycle()));
    }
    return info.handle();
  }

  /**
   * Unloads the keys this client loaded (the table is shared with the partition's other clients).
   */
  @Override
  public void close() {
    try {
      deletions.close();
    } catch (Exception e) {
      // the store's watch is gone already
    }
    recovery.close();
    connection.close();
    credential.destroy();
  }
}
