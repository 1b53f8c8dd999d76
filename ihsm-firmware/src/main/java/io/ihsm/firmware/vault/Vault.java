package io.ihsm.firmware.vault;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.credential.Credential;
import io.ihsm.ddi.message.CreatePartitionRequest;
import io.ihsm.ddi.message.CredentialChannel;
import io.ihsm.ddi.message.OwnerRequest;
import io.ihsm.ddi.message.PartitionLimits;
import io.ihsm.ddi.message.PartitionList;
import io.ihsm.ddi.message.ProvisionRequest;
import io.ihsm.ddi.message.ProvisionResponse;
import io.ihsm.ddi.message.SealedCredential;
import io.ihsm.ddi.spi.DevicePlatform;
import io.ihsm.ddi.spi.NonVolatileStore;
import io.ihsm.ddi.spi.Port;
import io.ihsm.firmware.crypto.CryptoEngine;
import io.ihsm.firmware.crypto.CryptoRefusal;
import io.ihsm.firmware.crypto.Hkdf;
import io.ihsm.firmware.crypto.KeyAgreements;
import io.ihsm.firmware.crypto.Signatures;
import io.ihsm.firmware.domain.SecurityDomain;
import io.ihsm.firmware.rng.RandomSource;
import io.ihsm.firmware.session.Session;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The module's vault: the Crypto Officer, the partitions, their credentials and secrets. Device
 * secrets persist in non-volatile storage; a partition's secrets are volatile, like the real
 * device's, and come back only from the partition blob its owner keeps. Every method validates
 * fully before it changes state.
 */
public final class Vault {
  static final String SEALING_SECRET = "sealing-secret";

  /**
   * Keys the credential verifiers; survives zeroization, so the Crypto Officer can re-initialize.
   */
  static final String CREDENTIAL_SECRET = "credential-secret";

  /**
   * Present while the module is tampered or zeroized and not yet re-initialized: state, then
   * reason.
   */
  public static final String LOCKOUT = "lockout";

  static final String CRYPTO_OFFICER = "crypto-officer";
  static final String CO_FAILURES = "co-failures";

  /** The management port's own limits (the Crypto Officer's sessions and PIN guard). */
  static final PartitionLimits MANAGEMENT_LIMITS = PartitionLimits.DEFAULTS;

  private final DevicePlatform platform;
  private final NonVolatileStore nv;
  private final CryptoEngine engine;
  private final RandomSource random;
  private final CredentialChannelService channel;
  private final PartitionRegistry registry;
  private final SecurityDomain domain;
  private Masking deviceMasking;
  private final byte[] verifierKey;
  private final Map<Integer, PartitionState> established = new HashMap<>();
  private final Map<Integer, Masking> keyMaskings = new HashMap<>();
  private final Map<Integer, PinGuard> guards = new HashMap<>();

  public Vault(
      DevicePlatform platform, CryptoEngine engine, RandomSource random, SecurityDomain domain) {
    this.platform = platform;
    this.domain = domain;
    this.nv = platform.nonVolatileStore();
    this.engine = engine;
    this.random = random;
    this.channel = new CredentialChannelService(engine, random);
    this.registry = new PartitionRegistry(nv);
    byte[] credentialSecret = secret(CREDENTIAL_SECRET);
    try {
      this.verifierKey =
          new Hkdf(engine, "HmacSHA384")
              .derive(credentialSecret, new byte[0], "ihsm credential verifier".getBytes(), 48);
    } finally {
      Arrays.fill(credentialSecret, (byte) 0);
    }
    // A zeroized module makes no new sealing secret until the Crypto Officer re-initializes it.
    this.deviceMasking = nv.read(LOCKOUT).isPresent() ? null : deviceMasking();
    for (PartitionRecord r : registry.all()) {
      platform.virtualFunctions().enable(r.id());
    }
  }

  /** A 32-byte secret from non-volatile storage, made on first use. */
  private byte[] secret(String record) {
    return nv.readExactly(record, 32)
        .orElseGet(
            () -> {
              byte[] fresh = random.bytes(32);
              nv.write(record, fresh);
              return fresh;
            });
  }

  /** The masking of device blobs, from the sealing secret (made if there is none). */
  private Masking deviceMasking() {
    byte[] sealing = secret(SEALING_SECRET);
    try {
      return new Masking(
          engine,
          random,
          new Hkdf(engine, "HmacSHA384")
              .derive(sealing, new byte[0], "ihsm device blobs".getBytes(), 32));
    } finally {
      Arrays.fill(sealing, (byte) 0);
    }
  }

  /** Whether a sealing secret exists (it does not after zeroization, until re-initialization). */
  public synchronized boolean sealed() {
    return deviceMasking != null;
  }

  /**
   * Zeroization (tamper response or the Crypto Officer's service): every partition's secrets, the
   * device sealing secret, and the partitions themselves are destroyed, so every blob made before
   * is permanently unusable. The Crypto Officer's identity and the failure counts stay.
   */
  public synchronized void zeroize() {
    wipeVolatileSecrets();
    deviceMasking = null;
    nv.delete(SEALING_SECRET);
    domain.destroy();
    for (PartitionRecord r : registry.all()) {
      platform.virtualFunctions().disable(r.id());
      nv.delete("pin-failures-" + r.id());
      registry.remove(r.id());
    }
    guards.keySet().removeIf(id -> id != 0);
  }

  /** The host-side recovery's last step: no Crypto Officer and no count of its failures. */
  public synchronized void removeCryptoOfficer() {
    nv.delete(CRYPTO_OFFICER);
    nv.delete(CO_FAILURES);
    guards.remove(0);
  }

  /**
   * After zeroization: a new sealing secret; the Crypto Officer's credential was checked by the
   * caller.
   */
  public synchronized void reinitialize() {
    if (deviceMasking == null) {
      deviceMasking = deviceMasking();
    }
  }

  // ---- credential channel and the Crypto Officer ----

  /** The port's channel key and nonce, with the name of the partition the port belongs to. */
  public CredentialChannel channel(Port port) {
    CredentialChannel c = channel.channel(port);
    String name =
        port.isManagement()
            ? ""
            : registry.byId(port.partitionId()).map(PartitionRecord::name).orElse("");
    return new CredentialChannel(c.devicePublicKey(), c.nonce(), name);
  }

  public synchronized void initCryptoOfficer(Port port, SealedCredential sealed)
      throws DdiException {
    CredentialChannelService.Opened c = channel.open(sealed, Opcode.INIT_CRYPTO_OFFICER, port);
    try {
      if (nv.read(CRYPTO_OFFICER).isPresent()) {
        throw new DdiException(Status.CRYPTO_OFFICER_EXISTS, "a Crypto Officer exists");
      }
      byte[] record = Arrays.copyOf(c.id(), Credential.ID_BYTES + PartitionState.VERIFIER_BYTES);
      System.arraycopy(
          verifier(null, c.id(), c.pin()),
          0,
          record,
          Credential.ID_BYTES,
          PartitionState.VERIFIER_BYTES);
      nv.write(CRYPTO_OFFICER, record);
    } finally {
      c.wipe();
    }
  }

  /**
   * Checks the credential of an OpenSession request: the Crypto Officer's on the management port,
   * the partition's application credential on its port. Wrong id and wrong PIN fail alike.
   */
  public synchronized Session.Role authenticate(Port port, SealedCredential sealed)
      throws DdiException {
    return authenticate(port, sealed, Opcode.OPEN_SESSION);
  }

  /** As {@link #authenticate(Port, SealedCredential)}, for a credential sealed for {@code op}. */
  public synchronized Session.Role authenticate(Port port, SealedCredential sealed, Opcode op)
      throws DdiException {
    // The nonce is spent first, whatever follows, so a captured blob never opens later.
    CredentialChannelService.Opened c = channel.open(sealed, op, port);
    try {
      byte[] expectedId;
      byte[] expectedVerifier;
      PartitionState partition = null;
      if (port.isManagement()) {
        byte[] record =
            nv.readExactly(CRYPTO_OFFICER, Credential.ID_BYTES + PartitionState.VERIFIER_BYTES)
                .orElseThrow(() -> new DdiException(Status.NO_CRYPTO_OFFICER, "no Crypto Officer"));
        expectedId = Arrays.copyOf(record, Credential.ID_BYTES);
        expectedVerifier = Arrays.copyOfRange(record, Credential.ID_BYTES, record.length);
      } else {
        partition = establishedState(port);
        expectedId = partition.credentialId;
        expectedVerifier = partition.verifier;
      }
      PinGuard guard = guard(port);
      guard.admit();
      boolean idMatches = MessageDigest.isEqual(expectedId, c.id());
      boolean pinMatches =
          MessageDigest.isEqual(expectedVerifier, verifier(partition, c.id(), c.pin()));
      if (!(idMatches & pinMatches)) {
        guard.failed();
        throw new DdiException(Status.AUTHENTICATION_FAILED, "wrong credential id or PIN");
      }
      guard.succeeded();
      return port.isManagement() ? Session.Role.CRYPTO_OFFICER : Session.Role.USER;
    } finally {
      c.wipe();
    }
  }

  // ---- partitions (Crypto Officer) ----

  public synchronized int createPartition(CreatePartitionRequest request) throws DdiException {
    PartitionLimits limits = request.limits().resolved();
    if (registry.byName(request.name()).isPresent()) {
      throw new DdiException(Status.PARTITION_EXISTS, "a partition with this name exists");
    }
    if (registry.full()) {
      throw new DdiException(
          Status.PARTITION_LIMIT, "at most " + PartitionRegistry.MAX_PARTITIONS + " partitions");
    }
    PartitionRecord r = registry.add(request.name(), random.bytes(Masking.BINDING_BYTES), limits);
    platform.virtualFunctions().enable(r.id());
    return r.id();
  }

  /** Deletes the partition, its port, its failure count and its volatile secrets. */
  public synchronized void deletePartition(int id) throws DdiException {
    record(id);
    platform.virtualFunctions().disable(id);
    Optional.ofNullable(established.remove(id)).ifPresent(PartitionState::wipe);
    Optional.ofNullable(keyMaskings.remove(id)).ifPresent(Masking::destroy);
    guard(Port.partition(id)).reset();
    guards.remove(id);
    registry.remove(id);
  }

  public synchronized PartitionList list() {
    List<PartitionList.Entry> entries = new ArrayList<>();
    for (PartitionRecord r : registry.all()) {
      entries.add(
          new PartitionList.Entry(
              r.id(),
              r.name(),
              r.provisioned(),
              established.containsKey(r.id()),
              guard(Port.partition(r.id())).locked()));
    }
    return new PartitionList(entries);
  }

  public synchronized void unlock(int id) throws DdiException {
    record(id);
    guard(Port.partition(id)).reset();
  }

  // ---- provisioning (the partition's owner) ----

  public synchronized ProvisionResponse provision(Port port, ProvisionRequest request)
      throws DdiException {
    CredentialChannelService.Opened c =
        channel.open(request.credential(), Opcode.PROVISION_PARTITION, port);
    byte[] verifier = null;
    try {
      PartitionRecord r = record(port.partitionId());
      if (r.provisioned()) {
        throw new DdiException(Status.ALREADY_PROVISIONED, "a partition is provisioned once");
      }
      requireP384(request.ownerAnchor());
      byte[] suppliedBackup = request.ownerBackupKey();
      if (suppliedBackup.length != 0
          && suppliedBackup.length != ProvisionRequest.BACKUP_KEY_BYTES) {
        throw new DdiException(
            Status.INVALID_PARAMETER, "the owner backup key is 32 bytes, or empty");
      }
      boolean generated = suppliedBackup.length == 0;
      byte[] backupKey =
          generated ? random.bytes(ProvisionRequest.BACKUP_KEY_BYTES) : suppliedBackup;
      // A partition provisioned on a member of a security domain belongs to the domain.
      int epoch = domain.member() ? domain.currentEpoch() : 0;
      PartitionState unverified =
          new PartitionState(
              c.id(),
              new byte[PartitionState.VERIFIER_BYTES],
              request.ownerAnchor(),
              backupKey,
              random.bytes(PartitionState.SECRET_BYTES),
              newUnwrappingKey(),
              epoch);
      verifier = verifier(unverified, c.id(), c.pin());
      PartitionState state = unverified.withVerifier(verifier.clone());
      unverified.wipe();
      PartitionRecord updated = r.provisioned(1);
      byte[] blob = sealState(updated, state);
      byte[] backupBlob =
          generated
              ? partitionMasking(epoch)
                  .seal(Masking.Kind.BACKUP_KEY, r.uid(), 0, new byte[0], backupKey)
              : new byte[0];
      registry.replace(updated);
      guard(port).reset();
      established.put(r.id(), state);
      return new ProvisionResponse(blob, backupBlob);
    } finally {
      c.wipe();
      if (verifier != null) {
        Arrays.fill(verifier, (byte) 0);
      }
    }
  }

  /** After a reset: restores the partition's volatile secrets from its current blob. */
  public synchronized void reestablish(Port port, byte[] blob) throws DdiException {
    PartitionRecord r = record(port.partitionId());
    if (!r.provisioned()) {
      throw new DdiException(Status.NOT_PROVISIONED, "the partition was never provisioned");
    }
    int epoch = Masking.epochOf(blob);
    Masking.Opened opened = partitionMasking(epoch).open(blob, Masking.Kind.PARTITION, r.uid());
    try {
      if (epoch == 0
          ? opened.generation() != r.generation()
          : opened.generation() < r.generation()) {
        throw new DdiException(Status.MASKED_BLOB_STALE, "a newer partition blob exists");
      }
      if (epoch != 0 && !Arrays.equals(opened.metadata(), partitionMetadata(r))) {
        throw new DdiException(
            Status.MASKED_BLOB_FOREIGN, "the blob is another partition's of the domain");
      }
      PartitionState state;
      try {
        state = PartitionState.decode(opened.secret(), epoch);
      } catch (DdiException e) {
        throw new DdiException(
            Status.MASKED_BLOB_INVALID, "the partition blob's content is malformed");
      }
      if (opened.generation() > r.generation()) {
        // Another member changed the partition: this device remembers the newest it has seen.
        registry.replace(r.provisioned(opened.generation()));
      }
      Optional.ofNullable(established.put(r.id(), state)).ifPresent(PartitionState::wipe);
      Optional.ofNullable(keyMaskings.remove(r.id())).ifPresent(Masking::destroy);
    } finally {
      Arrays.fill(opened.secret(), (byte) 0);
    }
  }

  /**
   * A member takes on a partition of its security domain from the partition's blob, which is
   * authenticated under the domain's secret and names the partition and its limits. Answers the
   * partition's id here; the same partition again answers its id and changes nothing. The partition
   * is then re-established from its blob like any other.
   */
  public synchronized int adopt(byte[] blob) throws DdiException {
    int epoch = Masking.epochOf(blob);
    if (epoch == 0) {
      throw new DdiException(
          Status.MASKED_BLOB_FOREIGN, "the blob is one device's partition, not a domain's");
    }
    Masking.Opened opened = partitionMasking(epoch).open(blob, Masking.Kind.PARTITION);
    try {
      String name;
      PartitionLimits limits;
      try {
        BodyReader r = BodyReader.of(opened.metadata());
        name = r.string("name", CreatePartitionRequest.MAX_NAME);
        limits = PartitionLimits.readField(r);
        r.end();
      } catch (DdiException e) {
        throw new DdiException(
            Status.MASKED_BLOB_INVALID, "the partition blob's metadata is malformed");
      }
      Optional<PartitionRecord> same = registry.byUid(opened.binding());
      if (same.isPresent()) {
        return same.get().id();
      }
      if (registry.byName(name).isPresent()) {
        throw new DdiException(
            Status.PARTITION_EXISTS, "another partition on this device has the name " + name);
      }
      if (registry.full()) {
        throw new DdiException(
            Status.PARTITION_LIMIT, "at most " + PartitionRegistry.MAX_PARTITIONS + " partitions");
      }
      PartitionRecord r = registry.add(name, opened.binding(), limits);
      registry.replace(r.provisioned(opened.generation()));
      platform.virtualFunctions().enable(r.id());
      return r.id();
    } finally {
      Arrays.fill(opened.secret(), (byte) 0);
    }
  }

  /**
   * Re-masks one of the partition's blobs under the domain's current epoch (the re-masker's step
   * after a rotation). A partition blob gets the next generation, so the one it replaces is stale
   * on every member that sees the new one, and this device's partition moves to the new epoch; a
   * key blob needs the partition at the current epoch first. Only the masking changes: the same
   * secrets, the same metadata.
   */
  public synchronized byte[] remask(Port port, byte[] blob) throws DdiException {
    PartitionRecord r = record(port.partitionId());
    int current = domain.currentEpoch();
    int epoch = Masking.epochOf(blob);
    if (epoch == 0) {
      throw new DdiException(
          Status.MASKED_BLOB_FOREIGN, "the blob is one device's, not a security domain's");
    }
    boolean partitionBlob = blob.length > 1 && blob[1] == Masking.Kind.PARTITION.code;
    if (partitionBlob) {
      if (epoch == current) {
        // Nothing to move: a new generation would only make the store's blob stale here.
        throw new DdiException(
            Status.INVALID_PARAMETER, "the partition blob is at the current epoch already");
      }
      reestablish(port, blob); // every check of a partition blob, and the newest generation
      PartitionState s = establishedState(port);
      PartitionRecord latest = record(port.partitionId());
      PartitionState moved =
          new PartitionState(
              s.credentialId.clone(),
              s.verifier.clone(),
              s.ownerAnchor.clone(),
              s.backupKey.clone(),
              s.maskingSecret.clone(),
              s.unwrappingKey.clone(),
              current);
      PartitionRecord updated = latest.provisioned(latest.generation() + 1);
      byte[] remasked = sealState(updated, moved);
      registry.replace(updated);
      established.put(r.id(), moved);
      s.wipe();
      Optional.ofNullable(keyMaskings.remove(r.id())).ifPresent(Masking::destroy);
      return remasked;
    }
    PartitionState s = establishedState(port);
    if (s.epoch != current) {
      throw new DdiException(
          Status.MASKED_BLOB_STALE,
          "re-mask the partition's blob first: the partition is at epoch "
              + s.epoch
              + ", the domain at "
              + current);
    }
    Masking.Opened opened = keyMasking(port, epoch).open(blob, Masking.Kind.KEY, r.uid());
    try {
      return keyMasking(port)
          .seal(Masking.Kind.KEY, r.uid(), opened.generation(), opened.metadata(), opened.secret());
    } finally {
      Arrays.fill(opened.secret(), (byte) 0);
    }
  }

  /**
   * After the domain retired {@code epoch}: partitions established from its blobs are closed
   * (NEEDS_REESTABLISH, from their re-masked blobs).
   */
  public synchronized void epochRetired(int epoch) {
    established
        .entrySet()
        .removeIf(
            e -> {
              if (e.getValue().epoch == epoch) {
                e.getValue().wipe();
                Optional.ofNullable(keyMaskings.remove(e.getKey())).ifPresent(Masking::destroy);
                return true;
              }
              return false;
            });
  }

  /** Changes the application PIN (same id); the old blob becomes stale. Returns the new blob. */
  public synchronized byte[] changePin(Port port, SealedCredential sealed) throws DdiException {
    CredentialChannelService.Opened c = channel.open(sealed, Opcode.CHANGE_PIN, port);
    try {
      return replaceVerifier(port, c);
    } finally {
      c.wipe();
    }
  }

  /**
   * The partition owner sets a new application PIN (same id), proving itself with a signature by
   * the owner key whose public half the partition was provisioned with; the credential is unlocked.
   * Returns the new blob.
   */
  public synchronized byte[] ownerSetPin(Port port, OwnerRequest request) throws DdiException {
    CredentialChannelService.Opened c =
        channel.open(request.credential(), Opcode.OWNER_SET_PIN, port);
    try {
      requireOwner(port, Opcode.OWNER_SET_PIN, request);
      byte[] blob = replaceVerifier(port, c);
      guard(port).reset();
      return blob;
    } finally {
      c.wipe();
    }
  }

  /**
   * The partition owner re-initialises the partition (PKCS#11 C_InitToken): a new key masking
   * secret and unwrapping key, so every key and masked blob of the partition is gone for good, and
   * a random verifier no PIN matches, so the application credential opens only after OWNER_SET_PIN.
   * The sealed credential binds the request to this port and nonce; its PIN is not used. Returns
   * the new blob; the caller closes the partition's sessions and drops its loaded keys.
   */
  public synchronized byte[] ownerReinitialize(Port port, OwnerRequest request)
      throws DdiException {
    CredentialChannelService.Opened c =
        channel.open(request.credential(), Opcode.OWNER_REINIT_PARTITION, port);
    try {
      PartitionRecord r = record(port.partitionId());
      PartitionState current = requireOwner(port, Opcode.OWNER_REINIT_PARTITION, request);
      if (!MessageDigest.isEqual(current.credentialId, c.id())) {
        throw new DdiException(Status.INVALID_PARAMETER, "the credential id cannot change");
      }
      PartitionState next =
          current.reinitialized(
              random.bytes(PartitionState.VERIFIER_BYTES),
              random.bytes(PartitionState.SECRET_BYTES),
              newUnwrappingKey());
      PartitionRecord updated = r.provisioned(r.generation() + 1);
      byte[] blob = sealState(updated, next);
      registry.replace(updated);
      established.put(r.id(), next);
      current.wipe();
      Optional.ofNullable(keyMaskings.remove(r.id())).ifPresent(Masking::destroy);
      guard(port).reset();
      return blob;
    } finally {
      c.wipe();
    }
  }

  /**
   * Checks the owner's signature of an {@code op} request against the partition's owner anchor;
   * answers the partition's established state.
   */
  private PartitionState requireOwner(Port port, Opcode op, OwnerRequest request)
      throws DdiException {
    PartitionState current = establishedState(port);
    byte[] signed = OwnerRequest.signedBytes(op, port.partitionId(), request.credential());
    if (!ownerSigned(current.ownerAnchor, signed, request.signature())) {
      throw new DdiException(Status.AUTHENTICATION_FAILED, "the owner's signature does not verify");
    }
    return current;
  }

  private boolean ownerSigned(byte[] anchor, byte[] message, byte[] signature) throws DdiException {
    try {
      PublicKey owner = engine.keyFactory("EC").generatePublic(new X509EncodedKeySpec(anchor));
      return new Signatures(engine).verifyEcdsa("SHA384withECDSA", owner, message, signature);
    } catch (GeneralSecurityException e) {
      throw new DdiException(Status.INTERNAL_ERROR, "the stored owner anchor does not parse");
    }
  }

  private byte[] replaceVerifier(Port port, CredentialChannelService.Opened c) throws DdiException {
    PartitionRecord r = record(port.partitionId());
    PartitionState current = establishedState(port);
    if (!MessageDigest.isEqual(current.credentialId, c.id())) {
      throw new DdiException(Status.INVALID_PARAMETER, "the credential id cannot change");
    }
    PartitionState next = current.withVerifier(verifier(current, c.id(), c.pin()));
    PartitionRecord updated = r.provisioned(r.generation() + 1);
    byte[] blob = sealState(updated, next);
    registry.replace(updated);
    established.put(r.id(), next);
    current.wipe();
    return blob;
  }

  /**
   * The masking of the partition's new app keys; the partition must be established. A domain's
   * partition masks its keys under the domain's epoch as well as its own secret.
   */
  public synchronized Masking keyMasking(Port port) throws DdiException {
    PartitionState s = establishedState(port);
    Masking m = keyMaskings.get(port.partitionId());
    if (m == null) {
      m =
          s.epoch == 0
              ? new Masking(engine, random, s.maskingSecret)
              : domain.keyMasking(s.epoch, binding(port), s.maskingSecret);
      keyMaskings.put(port.partitionId(), m);
    }
    return m;
  }

  /** The masking that opens the partition's key blobs of {@code epoch} (0: not a domain's). */
  public synchronized Masking keyMasking(Port port, int epoch) throws DdiException {
    PartitionState s = establishedState(port);
    if (epoch == s.epoch) {
      return keyMasking(port);
    }
    if (s.epoch == 0 || epoch == 0) {
      throw new DdiException(
          Status.MASKED_BLOB_INVALID, "the key blob was not masked for this partition");
    }
    return domain.keyMasking(epoch, binding(port), s.maskingSecret);
  }

  /** The partition's RSA unwrapping key pair, for imports (RSA-OAEP + AES-KWP). */
  public synchronized KeyPair unwrappingKey(Port port) throws DdiException {
    PartitionState s = establishedState(port);
    try {
      var priv =
          (RSAPrivateCrtKey)
              engine.keyFactory("RSA").generatePrivate(new PKCS8EncodedKeySpec(s.unwrappingKey));
      var pub =
          engine
              .keyFactory("RSA")
              .generatePublic(new RSAPublicKeySpec(priv.getModulus(), priv.getPublicExponent()));
      return new KeyPair(pub, priv);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the partition's unwrapping key does not decode", e);
    }
  }

  /** The uid that the partition's blobs are bound to. */
  public synchronized byte[] binding(Port port) throws DdiException {
    return record(port.partitionId()).uid().clone();
  }

  /** The id of the partition's application credential; the partition must be established. */
  public synchronized byte[] applicationId(Port port) throws DdiException {
    return establishedState(port).credentialId.clone();
  }

  public synchronized PartitionLimits limits(Port port) throws DdiException {
    return record(port.partitionId()).limits();
  }

  /** The limits of a port: the management port's own, or its partition's. */
  public synchronized PartitionLimits portLimits(Port port) throws DdiException {
    return port.isManagement() ? MANAGEMENT_LIMITS : record(port.partitionId()).limits();
  }

  /** The Crypto Officer's reset: the card power-cycles after this request is answered. */
  public void requestPowerCycle() {
    platform.requestPowerCycle();
  }

  /** Power-off: volatile secrets are wiped. */
  public synchronized void powerOff() {
    wipeVolatileSecrets();
    domain.powerOff();
    Arrays.fill(verifierKey, (byte) 0);
  }

  /** Established partitions' secrets, the key masking keys and the device masking keys. */
  private void wipeVolatileSecrets() {
    established.values().forEach(PartitionState::wipe);
    established.clear();
    keyMaskings.values().forEach(Masking::destroy);
    keyMaskings.clear();
    if (deviceMasking != null) {
      deviceMasking.destroy();
    }
  }

  // ---- helpers ----

  private PartitionRecord record(int id) throws DdiException {
    return registry
        .byId(id)
        .orElseThrow(() -> new DdiException(Status.PARTITION_NOT_FOUND, "no partition " + id));
  }

  private PartitionState establishedState(Port port) throws DdiException {
    PartitionRecord r = record(port.partitionId());
    if (!r.provisioned()) {
      throw new DdiException(Status.NOT_PROVISIONED, "the partition is not provisioned");
    }
    PartitionState s = established.get(r.id());
    if (s == null) {
      throw new DdiException(
          Status.NEEDS_REESTABLISH, "the partition must be re-established from its blob");
    }
    return s;
  }

  private byte[] sealState(PartitionRecord r, PartitionState state) throws DdiException {
    byte[] content = state.encode();
    try {
      return partitionMasking(state.epoch)
          .seal(
              Masking.Kind.PARTITION,
              r.uid(),
              r.generation(),
              state.epoch == 0 ? new byte[0] : partitionMetadata(r),
              content);
    } finally {
      Arrays.fill(content, (byte) 0);
    }
  }

  /** The device's own masking (epoch 0) or the security domain's for {@code epoch}. */
  private Masking partitionMasking(int epoch) throws DdiException {
    return epoch == 0 ? deviceMasking : domain.partitionMasking(epoch);
  }

  /** What a domain's partition blob says of the partition: its name and limits. */
  private static byte[] partitionMetadata(PartitionRecord r) {
    BodyWriter w = new BodyWriter().string(r.name(), CreatePartitionRequest.MAX_NAME);
    r.limits().writeTo(w);
    return w.toByteArray();
  }

  /**
   * The credential's failure guard. A security domain's partition may be tried on every member, so
   * each member allows it only its share of the partition's limit ({@link
   * SecurityDomain#memberShare}): across the domain's members the tries stay within the limit.
   */
  private PinGuard guard(Port port) {
    int id = port.partitionId();
    PartitionLimits l =
        port.isManagement()
            ? MANAGEMENT_LIMITS
            : registry.byId(id).map(PartitionRecord::limits).orElse(PartitionLimits.DEFAULTS);
    PartitionState s = port.isManagement() ? null : established.get(id);
    int max =
        s != null && s.epoch != 0 && domain.member()
            ? domain.memberShare(l.maxPinFailures())
            : l.maxPinFailures();
    PinGuard g = guards.get(id);
    if (g == null || g.maxFailures() != max) {
      // Made once, or once more when the partition turns out to be a domain's (after its blob).
      String record = port.isManagement() ? CO_FAILURES : "pin-failures-" + id;
      g = new PinGuard(nv, record, max, l.throttleMillis());
      guards.put(id, g);
    }
    return g;
  }

  /**
   * The credential's verifier: an HMAC under the device's verifier key for the Crypto Officer
   * ({@code partition} null) and the device's own partitions; a domain's partition keys it with its
   * own secret instead, so its verifier holds on every member and across the domain's epochs.
   */
  private byte[] verifier(PartitionState partition, byte[] id, byte[] pin) {
    byte[] key =
        partition == null || partition.epoch == 0
            ? verifierKey
            : new Hkdf(engine, "HmacSHA384")
                .derive(
                    partition.maskingSecret,
                    new byte[0],
                    "ihsm domain partition credential verifier".getBytes(),
                    48);
    try {
      Mac m = engine.mac("HmacSHA384");
      m.init(new SecretKeySpec(key, "HmacSHA384"));
      m.update(id);
      m.update((byte) pin.length);
      m.update(pin);
      return m.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("verifier MAC failed", e);
    } finally {
      if (key != verifierKey) {
        Arrays.fill(key, (byte) 0);
      }
    }
  }

  /** RSA-3072 (128-bit strength, like the AES-256 keys it carries in), made once per partition. */
  private byte[] newUnwrappingKey() {
    try {
      var g = engine.keyPairGenerator("RSA");
      g.initialize(
          new RSAKeyGenParameterSpec(3072, RSAKeyGenParameterSpec.F4), random.secureRandom());
      return g.generateKeyPair().getPrivate().getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot make the partition's unwrapping key", e);
    }
  }

  private void requireP384(byte[] spki) throws DdiException {
    try {
      ECPublicKey k = new KeyAgreements(engine).parseEcPublicKey(spki);
      if (k.getParams().getCurve().getField().getFieldSize() != 384) {
        throw new DdiException(
            Status.INVALID_PARAMETER, "the owner trust anchor must be an ECDSA P-384 key");
      }
    } catch (CryptoRefusal e) {
      throw new DdiException(
          Status.INVALID_PARAMETER, "the owner trust anchor is not a valid EC public key");
    }
  }
}
