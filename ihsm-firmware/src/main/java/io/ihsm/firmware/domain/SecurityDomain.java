package io.ihsm.firmware.domain;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.domain.DomainPolicy;
import io.ihsm.ddi.domain.DomainStatus;
import io.ihsm.ddi.spi.CorruptRecordException;
import io.ihsm.ddi.spi.NonVolatileStore;
import io.ihsm.firmware.crypto.CryptoEngine;
import io.ihsm.firmware.crypto.Hkdf;
import io.ihsm.firmware.rng.RandomSource;
import io.ihsm.firmware.vault.Masking;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The device's membership of a security domain: the domain's id and policy and its secret for each
 * epoch the device holds, kept in non-volatile storage (record {@value #RECORD}). Everything masked
 * for the domain derives from an epoch's secret, so it opens on every member:
 *
 * <ul>
 *   <li>partition blobs: HKDF-SHA384(secret, salt = domain id, "ihsm domain partition blobs");
 *   <li>a partition's keys: HKDF-SHA384(secret ‖ the partition's own masking secret, salt = the
 *       partition's uid, "ihsm domain partition keys"), so a key blob needs both the domain and the
 *       partition;
 *   <li>the join's proof of possession: HKDF-SHA384(secret, salt = domain id, "ihsm domain join
 *       confirmation").
 * </ul>
 *
 * <pre>
 * u8 version = 1, bytes domainId (16), DomainPolicy, u32 currentEpoch, u32 count (1..2),
 * count × (u32 epoch, bytes secret (32))
 * </pre>
 */
public final class SecurityDomain {
  public static final String RECORD = "security-domain";
  public static final int SECRET_BYTES = 32;
  static final int MAX_EPOCHS = 2;

  private final NonVolatileStore nv;
  private final CryptoEngine engine;
  private final RandomSource random;
  private byte[] domainId;
  private DomainPolicy policy;
  private int currentEpoch;
  private final Map<Integer, byte[]> secrets = new TreeMap<>();
  private final Map<Integer, Masking> partitionMaskings = new TreeMap<>();

  public SecurityDomain(NonVolatileStore nv, CryptoEngine engine, RandomSource random) {
    this.nv = nv;
    this.engine = engine;
    this.random = random;
    nv.read(RECORD).ifPresent(this::load);
  }

  public synchronized boolean member() {
    return domainId != null;
  }

  public synchronized DomainStatus status() {
    return member() ? new DomainStatus(true, domainId, currentEpoch, policy) : DomainStatus.NONE;
  }

  public synchronized DomainPolicy policy() throws DdiException {
    requireMember();
    return policy;
  }

  public synchronized byte[] id() throws DdiException {
    requireMember();
    return domainId.clone();
  }

  public synchronized int currentEpoch() throws DdiException {
    requireMember();
    return currentEpoch;
  }

  /**
   * This member's share of a domain partition's PIN failure limit: the limit divided by the
   * domain's most members, at least 1, so that guesses on every member together stay within the
   * limit (docs/fleet.md, "PIN limits").
   */
  public synchronized int memberShare(int partitionLimit) {
    return Math.max(1, partitionLimit / policy.maxMembers());
  }

  /** Genesis: a new domain with a fresh secret at epoch 1. */
  public synchronized DomainStatus create(DomainPolicy completePolicy) throws DdiException {
    requireNone();
    byte[] secret = random.bytes(SECRET_BYTES);
    try {
      become(random.bytes(DomainStatus.ID_BYTES), completePolicy, 1, secret);
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
    return status();
  }

  /** A completed join: the domain as the member described it, with the secret it sealed. */
  synchronized void join(byte[] id, DomainPolicy joinedPolicy, int epoch, byte[] secret)
      throws DdiException {
    requireNone();
    become(id, joinedPolicy, epoch, secret);
  }

  /**
   * A member takes a newer epoch's secret from another member (a rekey through the join), with that
   * member's policy, which may revoke more devices.
   */
  synchronized void rekey(DomainPolicy newerPolicy, int epoch, byte[] secret) throws DdiException {
    requireMember();
    if (epoch <= currentEpoch) {
      throw new DdiException(
          Status.JOIN_REFUSED,
          "the admission's epoch " + epoch + " is not newer than this member's " + currentEpoch);
    }
    requireRoomForAnEpoch();
    DomainPolicy merged = newerPolicy;
    try {
      for (byte[] revoked : policy.revokedDevices()) {
        merged = merged.revoking(revoked); // a revocation is never undone by a rekey
      }
    } catch (IllegalArgumentException tooMany) {
      throw new DdiException(
          Status.JOIN_REFUSED, "the two policies revoke more than 64 devices together");
    }
    policy = merged;
    secrets.put(epoch, secret.clone());
    currentEpoch = epoch;
    save();
  }

  /** Starts the next epoch here: a fresh secret masks new blobs from now on. */
  public synchronized DomainStatus rotate() throws DdiException {
    requireMember();
    requireRoomForAnEpoch();
    byte[] secret = random.bytes(SECRET_BYTES);
    try {
      secrets.put(currentEpoch + 1, secret.clone());
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
    currentEpoch++;
    save();
    return status();
  }

  /** Destroys an old epoch's secret: its blobs open here no more. */
  public synchronized void retire(int epoch) throws DdiException {
    requireMember();
    if (epoch == currentEpoch) {
      throw new DdiException(
          Status.INVALID_PARAMETER, "epoch " + epoch + " is the current one: rotate first");
    }
    byte[] s = secrets.remove(epoch);
    if (s == null) {
      throw new DdiException(Status.EPOCH_RETIRED, "this device holds no epoch " + epoch);
    }
    Arrays.fill(s, (byte) 0);
    Masking m = partitionMaskings.remove(epoch);
    if (m != null) {
      m.destroy();
    }
    save();
  }

  /** Revokes a device (SHA-256 of its DeviceID certificate): no member admits it again. */
  public synchronized DomainStatus revoke(byte[] deviceIdHash) throws DdiException {
    requireMember();
    if (deviceIdHash.length != DomainPolicy.DEVICE_HASH_BYTES) {
      throw new DdiException(Status.INVALID_PARAMETER, "a device is named by 32 bytes");
    }
    if (!policy.revokes(deviceIdHash)
        && policy.revokedDevices().size() >= DomainPolicy.MAX_REVOKED) {
      throw new DdiException(
          Status.INVALID_PARAMETER, "at most " + DomainPolicy.MAX_REVOKED + " revoked devices");
    }
    policy = policy.revoking(deviceIdHash);
    save();
    return status();
  }

  /** The epochs whose secrets this device holds, oldest first. */
  public synchronized List<Integer> heldEpochs() {
    return List.copyOf(secrets.keySet());
  }

  private void requireRoomForAnEpoch() throws DdiException {
    if (secrets.size() >= MAX_EPOCHS) {
      throw new DdiException(
          Status.INVALID_PARAMETER,
          "a member holds two epochs at most: retire epoch "
              + secrets.keySet().iterator().next()
              + " first");
    }
  }

  private void become(byte[] id, DomainPolicy p, int epoch, byte[] secret) {
    domainId = id.clone();
    policy = p;
    currentEpoch = epoch;
    secrets.put(epoch, secret.clone());
    save();
  }

  /** The masking of partition blobs under {@code epoch}. */
  public synchronized Masking partitionMasking(int epoch) throws DdiException {
    Masking m = partitionMaskings.get(epoch);
    if (m == null) {
      byte[] okm = derive(secret(epoch), domainId, "ihsm domain partition blobs");
      try {
        m = new Masking(engine, random, okm, epoch);
      } finally {
        Arrays.fill(okm, (byte) 0);
      }
      partitionMaskings.put(epoch, m);
    }
    return m;
  }

  /** The masking of a partition's keys under {@code epoch}. */
  public synchronized Masking keyMasking(int epoch, byte[] partitionUid, byte[] partitionSecret)
      throws DdiException {
    byte[] secret = secret(epoch);
    byte[] ikm = Arrays.copyOf(secret, secret.length + partitionSecret.length);
    System.arraycopy(partitionSecret, 0, ikm, secret.length, partitionSecret.length);
    byte[] okm = derive(ikm, partitionUid, "ihsm domain partition keys");
    try {
      return new Masking(engine, random, okm, epoch);
    } finally {
      Arrays.fill(ikm, (byte) 0);
      Arrays.fill(okm, (byte) 0);
    }
  }

  /** The key of the join's proof of possession, under the current epoch. */
  synchronized byte[] confirmationKey() throws DdiException {
    return derive(secret(currentEpoch), domainId, "ihsm domain join confirmation");
  }

  /** The current epoch's secret, for sealing to a joining device; the caller wipes it. */
  synchronized byte[] currentSecret() throws DdiException {
    return secret(currentEpoch).clone();
  }

  /** Wipes the keys derived this power-on; the secrets stay in non-volatile storage. */
  public synchronized void powerOff() {
    partitionMaskings.values().forEach(Masking::destroy);
    partitionMaskings.clear();
  }

  /** Forgets the domain: every secret is wiped (zeroization). */
  public synchronized void destroy() {
    powerOff();
    destroyInMemory();
    nv.delete(RECORD);
  }

  private byte[] secret(int epoch) throws DdiException {
    requireMember();
    byte[] s = secrets.get(epoch);
    if (s == null) {
      throw new DdiException(
          Status.EPOCH_RETIRED, "this device holds no secret of domain epoch " + epoch);
    }
    return s;
  }

  private byte[] derive(byte[] ikm, byte[] salt, String info) {
    return new Hkdf(engine, "HmacSHA384")
        .derive(ikm, salt, info.getBytes(StandardCharsets.US_ASCII), SECRET_BYTES);
  }

  private void requireMember() throws DdiException {
    if (domainId == null) {
      throw new DdiException(Status.NOT_IN_DOMAIN, "the device is in no security domain");
    }
  }

  private void requireNone() throws DdiException {
    if (domainId != null) {
      throw new DdiException(
          Status.DOMAIN_EXISTS, "the device is already a member of a security domain");
    }
  }

  private void save() {
    byte[] record = encode();
    try {
      nv.write(RECORD, record);
    } finally {
      Arrays.fill(record, (byte) 0);
    }
  }

  /** The whole membership, secrets included, as stored: for a backup to seal. Caller wipes it. */
  synchronized byte[] encodeRecord() throws DdiException {
    requireMember();
    return encode();
  }

  private byte[] encode() {
    BodyWriter w = new BodyWriter().u8(1).bytes(domainId, DomainStatus.ID_BYTES);
    policy.writeTo(w);
    w.u32(currentEpoch).u32(secrets.size());
    secrets.forEach((epoch, secret) -> w.u32(epoch).bytes(secret, SECRET_BYTES));
    return w.toByteArray();
  }

  /** Becomes the member a backup's record describes; it must be of domain {@code expectedId}. */
  synchronized void restore(byte[] record, byte[] expectedId) throws DdiException {
    requireNone();
    try {
      load(record.clone());
    } catch (CorruptRecordException e) {
      throw new DdiException(Status.JOIN_REFUSED, "the backup's content does not read");
    }
    if (!Arrays.equals(domainId, expectedId)) {
      destroyInMemory();
      throw new DdiException(Status.JOIN_REFUSED, "the backup's content is another domain's");
    }
    save();
  }

  private void destroyInMemory() {
    secrets.values().forEach(s -> Arrays.fill(s, (byte) 0));
    secrets.clear();
    domainId = null;
    policy = null;
    currentEpoch = 0;
  }

  private void load(byte[] record) {
    try {
      BodyReader r = BodyReader.of(record);
      if (r.u8("version") != 1) {
        throw new DdiException(Status.MALFORMED_BODY, "version");
      }
      byte[] id = r.bytes("domainId", DomainStatus.ID_BYTES);
      DomainPolicy p = DomainPolicy.readField(r);
      int current = r.u32("currentEpoch");
      int n = r.u32("count");
      if (id.length != DomainStatus.ID_BYTES || n < 1 || n > MAX_EPOCHS) {
        throw new DdiException(Status.MALFORMED_BODY, "id or epoch count");
      }
      Map<Integer, byte[]> read = new TreeMap<>();
      for (int i = 0; i < n; i++) {
        int epoch = r.u32("epoch");
        byte[] secret = r.bytes("secret", SECRET_BYTES);
        if (epoch < 1 || secret.length != SECRET_BYTES) {
          throw new DdiException(Status.MALFORMED_BODY, "epoch secret");
        }
        read.put(epoch, secret);
      }
      r.end();
      if (!read.containsKey(current)) {
        throw new DdiException(Status.MALFORMED_BODY, "no secret for the current epoch");
      }
      domainId = id;
      policy = p;
      currentEpoch = current;
      secrets.putAll(read);
    } catch (DdiException e) {
      throw new CorruptRecordException(RECORD, "does not read as a security domain");
    } finally {
      Arrays.fill(record, (byte) 0);
    }
  }
}
