package io.ihsm.firmware.domain;

import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.domain.Admission;
import io.ihsm.ddi.domain.AdmitRequest;
import io.ihsm.ddi.domain.DomainPolicy;
import io.ihsm.ddi.domain.DomainStatus;
import io.ihsm.ddi.domain.JoinConfirmation;
import io.ihsm.ddi.domain.JoinRequest;
import io.ihsm.ddi.spi.FirmwareMeasurement;
import io.ihsm.firmware.crypto.CryptoEngine;
import io.ihsm.firmware.crypto.CryptoRefusal;
import io.ihsm.firmware.crypto.KeyAgreements;
import io.ihsm.firmware.crypto.Signatures;
import io.ihsm.firmware.identity.DiceIdentity;
import io.ihsm.firmware.rng.RandomSource;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SequencedSet;
import java.util.Set;
import java.util.TreeSet;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;

/**
 * The attested join, decided inside the module. Four steps, each a Crypto Officer's request on one
 * device:
 *
 * <ol>
 *   <li>joiner, {@link #request}: a fresh HPKE key pair (kept in volatile memory, used once), its
 *       DICE chain and a nonce, signed by its Alias key;
 *   <li>member, {@link #admit}: the chain must end at the domain's pinned root, the firmware's SVN
 *       and digest must meet the policy, the Alias signature must verify and the request must be
 *       new; then the current epoch's secret is sealed with HPKE to the joiner's key, bound to the
 *       request's hash (HPKE info) and the domain and epoch (AEAD data), and the whole admission
 *       signed by the member's Alias key;
 *   <li>joiner, {@link #complete}: the admission must answer its own pending request, come from a
 *       device of its own manufacturer root, verify, and open; the joiner becomes a member and
 *       answers an HMAC of the transcript under a key derived from the domain secret;
 *   <li>member, {@link #confirm}: the HMAC must match, which proves the joiner holds the secret.
 * </ol>
 *
 * The host carries the four messages and learns nothing it could open.
 */
public final class DomainJoin {
  private static final byte[] HPKE_INFO =
      "ihsm domain join v1\0".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CONFIRMATION =
      "ihsm domain join confirmation v1\0".getBytes(StandardCharsets.US_ASCII);
  static final int MAX_PENDING = 16;
  static final int REMEMBERED_REQUESTS = 256;

  private final SecurityDomain domain;
  private final DiceIdentity identity;
  private final FirmwareMeasurement firmware;
  private final CryptoEngine engine;
  private final RandomSource random;
  private final Hpke hpke;
  private final MemberChain chains;

  /** The joiner's one join in progress. */
  record Pending(byte[] requestHash, byte[] domainId, AsymmetricCipherKeyPair key) {}

  private Pending pending;

  /** The member's admissions waiting for the joiner's proof: transcript (hex) → expected HMAC. */
  private final Map<String, byte[]> awaitingProof = new LinkedHashMap<>();

  /** Hashes of join requests this member answered this power-on: each is answered once. */
  private final SequencedSet<String> answered = new LinkedHashSet<>();

  public DomainJoin(
      SecurityDomain domain,
      DiceIdentity identity,
      FirmwareMeasurement firmware,
      CryptoEngine engine,
      RandomSource random) {
    this.domain = domain;
    this.identity = identity;
    this.firmware = firmware;
    this.engine = engine;
    this.random = random;
    this.hpke = new Hpke(random);
    this.chains = new MemberChain(engine);
  }

  /**
   * Genesis: the policy's blanks filled with this device's root, SVN and firmware digest; this
   * device must qualify under the policy it sets.
   */
  public synchronized DomainStatus create(DomainPolicy requested) throws DdiException {
    if (domain.member()) {
      throw new DdiException(
          Status.DOMAIN_EXISTS, "the device is already a member of a security domain");
    }
    List<byte[]> own = identity.chain();
    byte[] ownDigest = HexFormat.of().parseHex(firmware.digest());
    if (requested.root().length != 0 && !Arrays.equals(requested.root(), own.get(0))) {
      throw new DdiException(
          Status.INVALID_PARAMETER, "the domain's root is the creating device's own root");
    }
    DomainPolicy policy =
        new DomainPolicy(
            own.get(0),
            requested.minSvn() == 0 ? firmware.svn() : requested.minSvn(),
            requested.firmwareDigests().isEmpty()
                ? List.of(ownDigest)
                : requested.firmwareDigests(),
            requested.maxMembers() == 0 ? DomainPolicy.DEFAULT_MAX_MEMBERS : requested.maxMembers(),
            List.of(),
            requested.approvalsRequired(),
            requested.approvers());
    for (byte[] approver : policy.approvers()) {
      try {
        if (new KeyAgreements(engine)
                .parseEcPublicKey(approver)
                .getParams()
                .getCurve()
                .getField()
                .getFieldSize()
            != 384) {
          throw new DdiException(Status.INVALID_PARAMETER, "an approver key is ECDSA P-384");
        }
      } catch (CryptoRefusal e) {
        throw new DdiException(Status.INVALID_PARAMETER, "an approver key is not an EC public key");
      }
    }
    MemberChain.Device self = chains.check(own, policy.root());
    checkPolicy(policy, self, "this device");
    return domain.create(policy);
  }

  /**
   * Step 1, on the joiner; a member asks the same way for its domain's newer epoch (a rekey). A new
   * request replaces one in progress.
   */
  public synchronized JoinRequest request(byte[] domainId) throws DdiException {
    if (domainId.length != DomainStatus.ID_BYTES) {
      throw new DdiException(Status.INVALID_PARAMETER, "a domain id is 16 bytes");
    }
    if (domain.member() && !Arrays.equals(domain.id(), domainId)) {
      throw new DdiException(
          Status.DOMAIN_EXISTS, "the device is already a member of another security domain");
    }
    List<byte[]> chain = identity.chain();
    AsymmetricCipherKeyPair key = hpke.newKeyPair();
    JoinRequest unsigned =
        new JoinRequest(
            domainId,
            random.bytes(JoinRequest.NONCE_BYTES),
            Hpke.publicKey(key),
            chain,
            new byte[0]);
    JoinRequest signed =
        new JoinRequest(
            unsigned.domainId(),
            unsigned.nonce(),
            unsigned.hpkeKey(),
            chain,
            identity.signAsAliasDer(unsigned.signedBytes()));
    pending = new Pending(hash(encode(signed)), domainId.clone(), key);
    return signed;
  }

  /**
   * The join in progress for {@code domainId}, taken (a restore uses it once, like a join);
   * NO_PENDING_JOIN when there is none for that domain.
   */
  synchronized Pending takePending(byte[] domainId) throws DdiException {
    Pending p = pending;
    if (p == null || !Arrays.equals(p.domainId(), domainId)) {
      throw new DdiException(
          Status.NO_PENDING_JOIN, "no join request of this device names the backup's domain");
    }
    pending = null;
    return p;
  }

  /**
   * Refuses unless this device could join under {@code policy} (root, SVN, firmware, revocation).
   */
  synchronized void checkSelfAgainst(DomainPolicy policy) throws DdiException {
    List<byte[]> own = identity.chain();
    MemberChain.Device self = chains.check(own, policy.root());
    checkPolicy(policy, self, "this device");
    if (policy.revokes(deviceIdHash(own))) {
      throw MemberChain.refused("this device was revoked from the domain");
    }
  }

  /** Step 2, on a member. */
  public synchronized Admission admit(JoinRequest request, List<AdmitRequest.Approval> approvals)
      throws DdiException {
    DomainPolicy policy = domain.policy();
    byte[] domainId = domain.id();
    if (!Arrays.equals(request.domainId(), domainId)) {
      throw MemberChain.refused("the request asks to join another domain");
    }
    byte[] requestHash = hash(encode(request));
    String requestKey = HexFormat.of().formatHex(requestHash);
    if (answered.contains(requestKey)) {
      throw MemberChain.refused("this join request was answered before: a replay");
    }
    MemberChain.Device joiner = chains.check(request.chain(), policy.root());
    checkPolicy(policy, joiner, "the joining device");
    if (policy.revokes(deviceIdHash(request.chain()))) {
      throw MemberChain.refused("the joining device was revoked from the domain");
    }
    if (!new Signatures(engine)
        .verifyEcdsa(
            "SHA384withECDSA", joiner.aliasKey(), request.signedBytes(), request.signature())) {
      throw MemberChain.refused("the join request's signature does not verify with its Alias key");
    }
    if (Arrays.equals(request.chain().get(1), identity.chain().get(1))) {
      throw MemberChain.refused("a device cannot admit itself");
    }
    checkApprovals(policy, requestHash, domainId, approvals);
    int epoch = domain.currentEpoch();
    byte[] secret = domain.currentSecret();
    byte[][] sealed;
    try {
      sealed =
          hpke.seal(
              request.hpkeKey(),
              hpkeInfo(requestHash),
              hpkeAad(requestHash, domainId, epoch),
              secret);
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
    Admission unsigned =
        new Admission(
            requestHash,
            domainId,
            epoch,
            policy,
            identity.chain(),
            sealed[0],
            sealed[1],
            new byte[0]);
    Admission admission = unsigned.signed(identity.signAsAliasDer(unsigned.signedBytes()));
    byte[] transcript = hash(admission.signedBytes());
    remember(answered, requestKey, REMEMBERED_REQUESTS);
    awaitingProof.put(HexFormat.of().formatHex(transcript), confirmationMac(transcript));
    while (awaitingProof.size() > MAX_PENDING) {
      awaitingProof.remove(awaitingProof.keySet().iterator().next());
    }
    return admission;
  }

  /** Step 3, on the joiner: any failure ends the join in progress. */
  public synchronized JoinConfirmation complete(Admission admission) throws DdiException {
    Pending p = pending;
    if (p == null || !MessageDigest.isEqual(p.requestHash(), admission.requestHash())) {
      throw new DdiException(
          Status.NO_PENDING_JOIN, "the admission answers no join request this device made");
    }
    pending = null;
    boolean rekey = domain.member();
    if (!Arrays.equals(p.domainId(), admission.domainId())) {
      throw MemberChain.refused("the admission is for another domain than the one requested");
    }
    if (admission.epoch() < 1 || admission.policy().maxMembers() < 1) {
      throw MemberChain.refused("the admission's epoch or member count is not a domain's");
    }
    byte[] ownRoot = identity.chain().get(0);
    if (!Arrays.equals(admission.policy().root(), ownRoot)) {
      throw MemberChain.refused("the domain's root is not this device's manufacturer root");
    }
    MemberChain.Device member = chains.check(admission.memberChain(), ownRoot);
    checkPolicy(admission.policy(), member, "the admitting member");
    if (!new Signatures(engine)
        .verifyEcdsa(
            "SHA384withECDSA", member.aliasKey(), admission.signedBytes(), admission.signature())) {
      throw MemberChain.refused("the admission's signature does not verify with its Alias key");
    }
    byte[] secret =
        Hpke.open(
            p.key(),
            admission.enc(),
            hpkeInfo(p.requestHash()),
            hpkeAad(p.requestHash(), admission.domainId(), admission.epoch()),
            admission.sealedSecret());
    try {
      if (secret.length != SecurityDomain.SECRET_BYTES) {
        throw MemberChain.refused("the sealed domain secret is not 32 bytes");
      }
      if (rekey) {
        domain.rekey(admission.policy(), admission.epoch(), secret);
      } else {
        domain.join(admission.domainId(), admission.policy(), admission.epoch(), secret);
      }
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
    byte[] transcript = hash(admission.signedBytes());
    return new JoinConfirmation(transcript, confirmationMac(transcript));
  }

  /** Step 4, on the member: the joiner's proof of possession, checked once. */
  public synchronized void confirm(JoinConfirmation confirmation) throws DdiException {
    byte[] expected = awaitingProof.remove(HexFormat.of().formatHex(confirmation.transcript()));
    if (expected == null) {
      throw new DdiException(
          Status.NO_PENDING_JOIN, "no admission by this device awaits this confirmation");
    }
    if (!MessageDigest.isEqual(expected, confirmation.mac())) {
      throw MemberChain.refused("the joining device does not prove it holds the domain secret");
    }
  }

  /**
   * The policy's approvers must have signed this join, as many distinct ones as it asks for (none
   * by default); a signature that does not verify counts for nothing.
   */
  private void checkApprovals(
      DomainPolicy policy,
      byte[] requestHash,
      byte[] domainId,
      List<AdmitRequest.Approval> approvals)
      throws DdiException {
    int required = policy.approvalsRequired();
    if (required == 0) {
      return;
    }
    byte[] message = AdmitRequest.approvalMessage(requestHash, domainId);
    List<byte[]> keys = policy.approvers();
    Set<Integer> valid = new TreeSet<>();
    for (AdmitRequest.Approval a : approvals) {
      if (a.approver() >= keys.size() || valid.contains(a.approver())) {
        continue;
      }
      try {
        PublicKey key =
            engine.keyFactory("EC").generatePublic(new X509EncodedKeySpec(keys.get(a.approver())));
        if (new Signatures(engine).verifyEcdsa("SHA384withECDSA", key, message, a.signature())) {
          valid.add(a.approver());
        }
      } catch (GeneralSecurityException | RuntimeException e) {
        // an approver key that does not parse approves nothing
      }
    }
    if (valid.size() < required) {
      throw MemberChain.refused(
          "the domain's policy asks for "
              + required
              + " approvals of this join, "
              + valid.size()
              + " verify");
    }
  }

  /** SHA-256 of a chain's DeviceID certificate: how the policy names a revoked device. */
  private byte[] deviceIdHash(List<byte[]> chain) {
    return engine.digest("SHA-256").digest(chain.get(1));
  }

  private static void checkPolicy(DomainPolicy policy, MemberChain.Device d, String who)
      throws DdiException {
    if (d.svn() < policy.minSvn()) {
      throw MemberChain.refused(
          who + "'s firmware SVN " + d.svn() + " is below the domain's minimum " + policy.minSvn());
    }
    if (policy.firmwareDigests().stream().noneMatch(a -> Arrays.equals(a, d.firmwareDigest()))) {
      throw MemberChain.refused(who + "'s firmware digest is not on the domain's allow-list");
    }
  }

  private byte[] confirmationMac(byte[] transcript) throws DdiException {
    byte[] key = domain.confirmationKey();
    try {
      Mac m = engine.mac("HmacSHA384");
      m.init(new SecretKeySpec(key, "HmacSHA384"));
      m.update(CONFIRMATION);
      return m.doFinal(transcript);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA384 failed", e);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  private byte[] hash(byte[] bytes) {
    return engine.digest("SHA-384").digest(bytes);
  }

  private static byte[] encode(JoinRequest request) {
    BodyWriter w = new BodyWriter();
    request.writeTo(w);
    return w.toByteArray();
  }

  private static byte[] hpkeInfo(byte[] requestHash) {
    byte[] info = Arrays.copyOf(HPKE_INFO, HPKE_INFO.length + requestHash.length);
    System.arraycopy(requestHash, 0, info, HPKE_INFO.length, requestHash.length);
    return info;
  }

  private static byte[] hpkeAad(byte[] requestHash, byte[] domainId, int epoch) {
    return new BodyWriter()
        .bytes(requestHash, requestHash.length)
        .bytes(domainId, domainId.length)
        .u32(epoch)
        .toByteArray();
  }

  private static void remember(SequencedSet<String> set, String key, int bound) {
    set.add(key);
    while (set.size() > bound) {
      set.removeFirst();
    }
  }
}
