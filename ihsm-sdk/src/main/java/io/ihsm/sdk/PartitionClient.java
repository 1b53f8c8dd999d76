package io.ihsm.sdk;

import io.ihsm.ddi.Status;
import io.ihsm.ddi.credential.Credential;
import io.ihsm.ddi.key.Algorithm;
import io.ihsm.ddi.key.DeriveKeyRequest;
import io.ihsm.ddi.key.EcdsaEncoding;
import io.ihsm.ddi.key.Encrypted;
import io.ihsm.ddi.key.KeyAttributes;
import io.ihsm.ddi.key.KeyInfo;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.ddi.key.Operation;
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
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * A partition as an application uses it: keys by label, kept in the host key store, loaded into
 * the device on demand. The device is a cache: when its key table is full the least recently used
 * key is unloaded (its blob stays in the store) and the needed one loaded, so an application sees
 * as many keys as it likes. After a device reset (daemon restart, live migration) the client
 * re-establishes the partition from its blob, opens a new session and reloads keys by itself;
 * an operation never runs on the wrong key or session. Thread-safe.
 */
public final class PartitionClient implements AutoCloseable {
  /** Statuses after which the session, and perhaps the partition, must be set up again. */
  private static final Set<Status> RECOVERABLE = Set.of(Status.KEY_NOT_FOUND, Status.INVALID_SESSION,
      Status.NEEDS_RENEGOTIATION, Status.NEEDS_REESTABLISH, Status.CONNECTION_LOST);

  private final HostKeyStore store;
  private PartitionEntry entry;
  private final PartitionConnection connection;
  private Credential credential;
  private final Map<String, Integer> loaded = new LinkedHashMap<>(16, 0.75f, true);
  private HsmSession session;

  private PartitionClient(HostKeyStore store, PartitionEntry entry, PartitionConnection connection,
      Credential credential) {
    this.store = store;
    this.entry = entry;
    this.connection = connection;
    this.credential = credential;
  }

  /**
   * Creates a partition with the Crypto Officer, provisions it, and records it in the store before
   * returning, so the blobs are never lost.
   *
   * @param ownerAnchor the owner's ECDSA P-384 public key (SPKI DER)
   * @param pin the application PIN; the credential id is made here and kept in the store
   */
  public static PartitionEntry create(IhsmClient device, CryptoOfficerSession co, HostKeyStore store, String name,
      PartitionLimits limits, byte[] ownerAnchor, String pin) {
    if (store.partition(name).isPresent()) {
      throw new IhsmException(Status.PARTITION_EXISTS, "the key store already has a partition named " + name);
    }
    byte[] credentialId = device.randomBytes(Credential.ID_BYTES);
    int id = co.createPartition(name, limits);
    try (Credential c = Credential.of(credentialId, pin);
         PartitionConnection p = device.partition(id)) {
      ProvisionResponse r = p.provision(ownerAnchor, new byte[0], c);
      PartitionEntry e = new PartitionEntry(name, id, credentialId, r.partitionBlob(), r.backupKeyBlob());
      store.savePartition(e);
      return e;
    } catch (RuntimeException e) {
      co.deletePartition(id); // nothing half-made stays behind
      throw e;
    }
  }

  /** Opens the named partition of the store with its PIN. */
  public static PartitionClient open(IhsmClient device, HostKeyStore store, String partition, String pin) {
    PartitionEntry e = store.partition(partition)
        .orElseThrow(() -> new IhsmException(Status.PARTITION_NOT_FOUND, "no partition " + partition + " in the key store"));
    if (!e.userPinSet()) {
      throw new IhsmException(Status.AUTHENTICATION_FAILED, "partition " + partition + " was re-initialised by its owner:"
          + " no PIN opens it until the owner sets one (PKCS#11 C_InitPIN); nothing was sent to the device");
    }
    PartitionConnection connection = device.partition(e.id());
    try {
      // The entry's id decides where the credential goes: check that port is this partition's first.
      String there = partitionNameOrWhyNot(device, connection, e);
      if (!there.equals(partition)) {
        throw new IhsmException(Status.PARTITION_NOT_FOUND, "the key store entry of partition " + partition
            + " names id " + e.id() + ", which on this device is " + (there.isEmpty() ? "no partition" : "partition " + there)
            + " (the entry was edited, or belongs to another device); no credential was sent");
      }
    } catch (RuntimeException ex) {
      connection.close();
      throw ex;
    }
    PartitionClient c = new PartitionClient(store, e, connection, Credential.of(e.credentialId(), pin));
    try {
      synchronized (c) {
        c.session();
      }
      return c;
    } catch (RuntimeException ex) {
      c.close();
      throw ex;
    }
  }

  /**
   * The name of the partition on the entry's port; when the port cannot be reached, why, in the
   * device's words: a tampered or zeroized device has closed every partition port, and saying
   * "unreachable" would send the user looking for a daemon problem.
   */
  private static String partitionNameOrWhyNot(IhsmClient device, PartitionConnection connection, PartitionEntry e) {
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
    io.ihsm.ddi.message.DeviceStatus s = null;
    try {
      s = device.deviceStatus();
    } catch (IhsmException statusUnreachable) {
      // keep the first answer
    }
    if (s != null && s.state() != io.ihsm.ddi.message.DeviceState.OPERATIONAL) {
      throw new IhsmException(Status.DEVICE_NOT_OPERATIONAL, "the device is " + s.state()
          + (s.reason().isEmpty() ? "" : " (" + s.reason() + ")") + ": its partitions are closed"
          + (s.state() == io.ihsm.ddi.message.DeviceState.ERROR ? "" : "; the Crypto Officer re-initializes it with `ihsm device reinit`"));
    }
    if (there == null) {
      throw new IhsmException(s == null ? Status.TRANSPORT_UNAVAILABLE : Status.PARTITION_NOT_FOUND, "partition " + e.name()
          + " (id " + e.id() + ") has no port " + (s == null ? "reachable" : "on this device: it was deleted there, or the"
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
  public static void setPinAsOwner(IhsmClient device, HostKeyStore store, String partition, java.security.PrivateKey ownerKey,
      String newPin) {
    PartitionEntry e = store.partition(partition)
        .orElseThrow(() -> new IhsmException(Status.PARTITION_NOT_FOUND, "no partition " + partition + " in the key store"));
    try (Credential c = Credential.of(e.credentialId(), newPin);
         PartitionConnection p = device.partition(e.id())) {
      byte[] blob;
      try {
        blob = p.ownerSetPin(c, ownerKey);
      } catch (IhsmException needsBlob) {
        if (needsBlob.status() != Status.NEEDS_REESTABLISH) {
          throw needsBlob;
        }
        p.reestablish(e.partitionBlob());
        blob = p.ownerSetPin(c, ownerKey);
      }
      store.savePartition(new PartitionEntry(e.name(), e.id(), e.credentialId(), blob, e.backupKeyBlob()));
    }
  }

  /**
   * The partition owner re-initialises the partition (PKCS#11 C_InitToken): on the device every key
   * of it is destroyed, its sessions closed and its application credential left without a working
   * PIN; in the store its keys are removed and the entry marked {@code userPinSet = false} until
   * {@link #setPinAsOwner}. The device's change comes first; the store follows before this returns.
   *
   * @param ownerKey the ECDSA P-384 private key whose public half provisioned the partition
   */
  public static void reinitializeAsOwner(IhsmClient device, HostKeyStore store, String partition,
      java.security.PrivateKey ownerKey) {
    PartitionEntry e = store.partition(partition)
        .orElseThrow(() -> new IhsmException(Status.PARTITION_NOT_FOUND, "no partition " + partition + " in the key store"));
    // The device ignores this PIN (it binds the request to the channel's nonce): any valid one does.
    try (Credential binding = Credential.of(e.credentialId(), "unused");
         PartitionConnection p = device.partition(e.id())) {
      byte[] blob;
      try {
        blob = p.ownerReinitialize(binding, ownerKey);
      } catch (IhsmException needsBlob) {
        if (needsBlob.status() != Status.NEEDS_REESTABLISH) {
          throw needsBlob;
        }
        p.reestablish(e.partitionBlob());
        blob = p.ownerReinitialize(binding, ownerKey);
      }
      store.savePartition(new PartitionEntry(e.name(), e.id(), e.credentialId(), blob, e.backupKeyBlob(), false));
      store.deleteKeys(partition);
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
  public synchronized StoredKey generate(String label, KeyKind kind, KeyUsage usage, boolean extractable) {
    return generate(label, kind, usage, extractable, 0);
  }

  /**
   * Generates a key of a given length: {@code lengthBytes} 0 for the kind's own size; an HMAC key
   * may have any length from 14 bytes (112 bits) to 128.
   */
  public synchronized StoredKey generate(String label, KeyKind kind, KeyUsage usage, boolean extractable, int lengthBytes) {
    requireNewLabel(label);
    KeyAttributes attrs = new KeyAttributes(kind, usage, false, extractable, label);
    return record(withRoom(() -> recovering(() -> session().generateKey(attrs, lengthBytes))), kind, usage, extractable);
  }

  /** The partition's RSA unwrapping key (SPKI DER), for {@link KeyImport#wrapForImport}. */
  public synchronized byte[] unwrappingKey() {
    return recovering(() -> session().unwrappingKey());
  }

  /** Imports a key wrapped for this partition (bring your own key) and records it in the store. */
  public synchronized StoredKey importKey(String label, KeyKind kind, KeyUsage usage, boolean extractable, byte[] wrapped) {
    requireNewLabel(label);
    KeyAttributes attrs = new KeyAttributes(kind, usage, false, extractable, label);
    return record(withRoom(() -> recovering(() -> session().importKey(attrs, wrapped))), kind, usage, extractable);
  }

  /** Imports a public key (SPKI DER) to verify or encrypt with, and records it in the store. */
  public synchronized StoredKey importPublicKey(String label, KeyKind kind, KeyUsage usage, byte[] spki) {
    requireNewLabel(label);
    KeyAttributes attrs = new KeyAttributes(kind, usage, false, false, label);
    return record(withRoom(() -> recovering(() -> session().importPublicKey(attrs, spki))), kind, usage, false);
  }

  /** Changes the PIN; the partition's new blob replaces the old one in the store before this returns. */
  public synchronized void changePin(String newPin) {
    Credential next = Credential.of(entry.credentialId(), newPin);
    byte[] blob = recovering(() -> session().changePin(next));
    entry = new PartitionEntry(entry.name(), entry.id(), entry.credentialId(), blob, entry.backupKeyBlob());
    store.savePartition(entry);
    credential.destroy();
    credential = next;
  }

  private void requireNewLabel(String label) {
    if (label.isEmpty() || store.key(entry.name(), label).isPresent()) {
      throw new IhsmException(Status.LABEL_EXISTS, label.isEmpty() ? "a key needs a label"
          : "partition " + entry.name() + " already has a key labelled " + label);
    }
  }

  private StoredKey record(KeyInfo info, KeyKind kind, KeyUsage usage, boolean extractable) {
    StoredKey k = new StoredKey(info.attributes().label(), kind, usage, info.origin(), extractable, info.publicKey(),
        info.maskedBlob());
    try {
      store.saveKey(entry.name(), k);
    } catch (RuntimeException e) {
      session().unload(info.handle());
      throw e;
    }
    loaded.put(k.label(), info.handle());
    return k;
  }

  /** A call that does not change state on the device: after a reset it is set up again and retried once. */
  private <T> T recovering(java.util.function.Supplier<T> call) {
    try {
      return call.get();
    } catch (IhsmException e) {
      if (!RECOVERABLE.contains(e.status()) || e.status() == Status.CONNECTION_LOST) {
        throw e;
      }
      session = null;
      loaded.clear();
      return call.get();
    }
  }

  public List<StoredKey> keys() {
    return store.keys(entry.name());
  }

  /** Whether the store has a key with this label (one file read, no device call). */
  public boolean hasKey(String label) {
    return store.key(entry.name(), label).isPresent();
  }

  public StoredKey key(String label) {
    return store.key(entry.name(), label)
        .orElseThrow(() -> new IhsmException(Status.LABEL_NOT_FOUND, "partition " + entry.name() + " has no key " + label));
  }

  /** Unloads the key and removes it from the store. (A copy of its blob kept elsewhere would still load.) */
  public synchronized void deleteKey(String label) {
    key(label);
    Integer h = loaded.remove(label);
    if (h != null) {
      try {
        session().unload(h);
      } catch (IhsmException gone) {
        // not loaded any more: nothing to unload
      }
    }
    store.deleteKey(entry.name(), label);
  }

  /** Generates a key inside the device for one purpose and records it in the store before returning. */
  public StoredKey generate(String label, KeyType type, KeyPurpose purpose, boolean extractable) {
    return generate(label, WireMapping.kind(type), WireMapping.usage(purpose), extractable);
  }

  /** Signs (or MACs) {@code message} with the key labelled {@code label}. */
  public byte[] sign(String label, SignatureParameters parameters, byte[] message) {
    byte[] signature = sign(label, WireMapping.signing(parameters, message));
    if (p1363(parameters)) {
      return EcdsaEncoding.derToP1363(signature, key(label).kind().bytes());
    }
    return signature;
  }

  /** Whether {@code signature} is the key's signature (or MAC tag) of {@code message}; malformed is false. */
  public boolean verify(String label, SignatureParameters parameters, byte[] message, byte[] signature) {
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

  /** Encrypts with the key labelled {@code label}; the IV or counter block the device used comes back with it. */
  public Ciphertext encrypt(String label, CipherParameters parameters, byte[] plaintext) {
    Encrypted e = encrypt(label, WireMapping.encrypting(parameters, plaintext));
    return Ciphertext.of(e.iv(), e.ciphertext());
  }

  public byte[] decrypt(String label, CipherParameters parameters, Ciphertext ciphertext) {
    return decrypt(label, WireMapping.decrypting(parameters, ciphertext));
  }

  /** The wire-level form, for the provider modules: {@code template} is a DDI operation without a key handle. */
  public byte[] sign(String label, Operation template) {
    return withKey(label, h -> session().sign(on(h, template)));
  }

  public boolean verify(String label, Operation template) {
    return withKey(label, h -> session().verify(on(h, template)));
  }

  public Encrypted encrypt(String label, Operation template) {
    return withKey(label, h -> session().encrypt(on(h, template)));
  }

  public byte[] decrypt(String label, Operation template) {
    return withKey(label, h -> session().decrypt(on(h, template)));
  }

  /** A key attestation report for the key with this label (see {@link HsmSession#attestKey}). */
  public byte[] attest(String label, byte[] nonce) {
    return withKey(label, h -> session().attestKey(h, nonce));
  }

  /** This partition's identity chain: root, DeviceID, Alias, partition identity (DER). */
  public java.util.List<byte[]> certificates() {
    return connection.certificates();
  }

  /** Files a key under a new label (see {@link HostKeyStore#renameKey}); a loaded key stays loaded. */
  public synchronized void renameKey(String from, String to) {
    requireNewLabel(to);
    store.renameKey(entry.name(), from, to);
    Integer h = loaded.remove(from);
    if (h != null) {
      loaded.put(to, h);
    }
  }

  /** The certificate chain kept with a key (DER, leaf first), empty when it has none. */
  public List<byte[]> keyCertificates(String label) {
    key(label);
    return store.certificates(entry.name(), label);
  }

  /** When the key was filed under its label. */
  public java.time.Instant keyFiled(String label) {
    return store.filed(entry.name(), label)
        .orElseThrow(() -> new IhsmException(Status.LABEL_NOT_FOUND, "partition " + entry.name() + " has no key " + label));
  }

  /** Keeps a certificate chain (DER, leaf first) with a key; an empty chain removes it. */
  public void saveKeyCertificates(String label, List<byte[]> chain) {
    key(label);
    store.saveCertificates(entry.name(), label, chain);
  }

  /**
   * Verifies with any public key (SPKI DER): the device imports it as a session key for this one
   * call, then forgets it.
   */
  public synchronized boolean verifyWith(KeyKind kind, byte[] spki, Operation template) {
    return withPublicKey(kind, KeyUsage.SIGN, spki, h -> session().verify(on(h, template)));
  }

  /** Encrypts with any public key (SPKI DER), imported for this one call. */
  public synchronized Encrypted encryptWith(KeyKind kind, byte[] spki, Operation template) {
    return withPublicKey(kind, KeyUsage.ENCRYPT, spki, h -> session().encrypt(on(h, template)));
  }

  private <T> T withPublicKey(KeyKind kind, KeyUsage usage, byte[] spki, IntFunction<T> op) {
    KeyAttributes attrs = new KeyAttributes(kind, usage, true, false, "");
    int handle = withRoom(() -> recovering(() -> session().importPublicKey(attrs, spki))).handle();
    try {
      return op.apply(handle);
    } finally {
      try {
        session().unload(handle);
      } catch (IhsmException gone) {
        // the session ended with it
      }
    }
  }

  /** Wraps the extractable key {@code target} under {@code wrapping} (AES_KW, AES_KWP, or RSA_AES_KW under an RSA key). */
  public synchronized byte[] wrap(String wrapping, String target, Algorithm algorithm) {
    StoredKey t = key(target);
    return withKey(wrapping, h -> session().wrapKey(h, handle(t), algorithm));
  }

  /**
   * Wraps the extractable key {@code target} for export to any RSA public key (SPKI DER) with
   * RSA_AES_KW; the device imports the public key for this one call.
   */
  public synchronized byte[] wrapFor(KeyKind kind, byte[] spki, String target) {
    StoredKey t = key(target);
    return withPublicKey(kind, KeyUsage.WRAP, spki, h -> session().wrapKey(h, handle(t), Algorithm.RSA_AES_KW));
  }

  /** Unwraps a key under {@code wrapping} into a new app key, recorded in the store under {@code label}. */
  public synchronized StoredKey unwrap(String wrapping, Algorithm algorithm, String label, KeyKind kind, KeyUsage usage,
      boolean extractable, byte[] wrapped) {
    requireNewLabel(label);
    KeyAttributes attrs = new KeyAttributes(kind, usage, false, extractable, label);
    KeyInfo info = withKey(wrapping, h -> withRoom(() -> session().unwrapKey(h, algorithm, attrs, wrapped)));
    return record(info, kind, usage, extractable);
  }

  /**
   * Derives a new app key from {@code base} (ECDH, HKDF or KBKDF, as {@code request} says; its base
   * handle is filled in here) and records it in the store under the request's label.
   */
  public synchronized StoredKey derive(String base, DeriveKeyRequest request) {
    KeyAttributes attrs = request.attributes();
    requireNewLabel(attrs.label());
    if (attrs.sessionKey()) {
      throw new IllegalArgumentException("a derived key kept in the store is an app key");
    }
    KeyInfo info = withKey(base, h -> withRoom(() -> session().deriveKey(new DeriveKeyRequest(h, request.method(),
        request.hash(), request.peerPublicKey(), request.salt(), request.info(), request.length(), attrs))));
    return record(info, attrs.kind(), attrs.usage(), attrs.extractable());
  }

  /** Runs an operation with the key loaded; after a reset or a lost session, sets up again and retries once. */
  private synchronized <T> T withKey(String label, IntFunction<T> op) {
    for (int attempt = 1; ; attempt++) {
      try {
        // A loaded key needs no trip to the store (the hot path); otherwise its blob is read and loaded.
        Integer loadedHandle = loaded.get(label);
        return op.apply(loadedHandle != null ? loadedHandle : handle(key(label)));
      } catch (IhsmException e) {
        if (attempt == 2 || !RECOVERABLE.contains(e.status())) {
          throw e;
        }
        if (e.status() == Status.KEY_NOT_FOUND && session != null) {
          // Another client of the partition unloaded the key it shared with us: load it again,
          // in the session we have (it is still open).
          loaded.remove(label);
        } else {
          session = null;
          loaded.clear();
        }
      }
    }
  }

  private int handle(StoredKey k) {
    Integer h = loaded.get(k.label());
    if (h != null) {
      return h;
    }
    int handle = withRoom(() -> session().unmask(k.maskedBlob())).handle();
    loaded.put(k.label(), handle);
    return handle;
  }

  /** Runs a device call that needs a slot in the key table, unloading least recently used keys while it is full. */
  private <T> T withRoom(java.util.function.Supplier<T> call) {
    while (true) {
      try {
        return call.get();
      } catch (IhsmException e) {
        if (e.status() != Status.KEY_TABLE_FULL || loaded.isEmpty()) {
          throw e;
        }
        Iterator<Map.Entry<String, Integer>> eldest = loaded.entrySet().iterator();
        int victim = eldest.next().getValue();
        eldest.remove();
        session().unload(victim);
      }
    }
  }

  private HsmSession session() {
    if (session == null) {
      try {
        session = connection.openSession(credential);
      } catch (IhsmException e) {
        if (e.status() != Status.NEEDS_REESTABLISH) {
          throw e;
        }
        connection.reestablish(entry.partitionBlob());
        session = connection.openSession(credential);
      }
      loaded.clear();
    }
    return session;
  }

  private static Operation on(int handle, Operation t) {
    return t.withHandle(handle);
  }

  /** Unloads the keys this client loaded (the table is shared with the partition's other clients). */
  @Override
  public synchronized void close() {
    if (session != null) {
      for (int handle : loaded.values()) {
        try {
          session.unload(handle);
        } catch (IhsmException gone) {
          // already unloaded by a reset
        }
      }
      loaded.clear();
      session.close();
      session = null;
    }
    connection.close();
    credential.destroy();
  }
}
