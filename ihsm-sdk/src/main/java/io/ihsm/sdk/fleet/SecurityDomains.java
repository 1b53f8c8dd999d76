package io.ihsm.sdk.fleet;

import io.ihsm.ddi.Status;
import io.ihsm.ddi.domain.Admission;
import io.ihsm.ddi.domain.AdmitRequest;
import io.ihsm.ddi.domain.DomainPolicy;
import io.ihsm.ddi.domain.DomainStatus;
import io.ihsm.ddi.domain.JoinConfirmation;
import io.ihsm.ddi.domain.JoinRequest;
import io.ihsm.host.store.FleetStore;
import io.ihsm.host.store.StoreException;
import io.ihsm.sdk.CryptoOfficerSession;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.IhsmException;
import io.ihsm.sdk.store.HostKeyStore;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The host's part of a security domain: it runs the device's domain requests and carries their
 * messages through the fleet store ({@link DomainRecords}), so devices on different servers join
 * without the servers talking to each other. Nothing the host carries opens anything.
 */
public final class SecurityDomains {
  static final Duration POLL = Duration.ofMillis(100);

  private SecurityDomains() {}

  /**
   * Genesis: this device creates the domain and the store records it. Resumes a genesis whose
   * filing was interrupted (the device is a member, the store holds no domain).
   *
   * @throws IllegalStateException when the store holds another domain already
   */
  public static DomainStatus create(
      IhsmClient hsm, CryptoOfficerSession co, FleetStore store, DomainPolicy policy) {
    DomainRecords records = new DomainRecords(store);
    Optional<DomainStatus> filed = records.status();
    DomainStatus own = hsm.domainStatus();
    if (filed.isPresent()) {
      if (own.member() && Arrays.equals(own.domainId(), filed.get().domainId())) {
        return own; // made before
      }
      throw new IllegalStateException(
          "the store holds a security domain already ("
              + hex(filed.get().domainId())
              + "): join it with `ihsm domain join`");
    }
    DomainStatus status = own.member() ? own : co.createDomain(policy);
    records.fileGenesis(status);
    records.recordMember(hsm.certificateChain());
    return status;
  }

  /**
   * Joins this device to the store's domain: files the device's request, waits up to {@code wait}
   * for a member to admit it ({@link #approve}), completes the join on the device and files its
   * proof. Answers the device's new domain status.
   *
   * @param progress told the ticket to approve, once filed
   */
  public static DomainStatus join(
      IhsmClient hsm,
      CryptoOfficerSession co,
      FleetStore store,
      Duration wait,
      Consumer<String> progress) {
    DomainRecords records = new DomainRecords(store);
    DomainStatus domain =
        records
            .status()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "the store holds no security domain: create one with `ihsm domain create`"));
    DomainStatus own = hsm.domainStatus();
    if (own.member()) {
      if (Arrays.equals(own.domainId(), domain.domainId()) && own.epoch() >= domain.epoch()) {
        return own; // a member, at the newest epoch: nothing to do
      }
      if (!Arrays.equals(own.domainId(), domain.domainId())) {
        throw new IhsmException(
            Status.DOMAIN_EXISTS,
            "this device is a member of another domain (" + hex(own.domainId()) + ")");
      }
      // A member behind the domain's epoch: the same exchange brings it the newer secret.
    }
    JoinRequest request = co.requestToJoin(domain.domainId());
    String ticket = records.fileRequest(request);
    progress.accept(ticket);
    Admission admission;
    try {
      admission =
          await(
              () -> records.ticket(ticket).flatMap(DomainRecords.Ticket::admission),
              wait,
              "no member admitted join ticket " + ticket);
    } catch (RuntimeException e) {
      records.closeTicket(ticket); // this device's join in progress is gone with it
      throw e;
    }
    JoinConfirmation proof;
    try {
      proof = co.completeJoin(admission);
    } catch (RuntimeException refused) {
      records.closeTicket(ticket); // the device ended its join: nothing will confirm this ticket
      throw refused;
    }
    records.fileConfirmation(ticket, proof);
    return hsm.domainStatus();
  }

  /**
   * A member admits the joiner of {@code ticket}: its device checks the join request against the
   * domain's policy and seals the domain secret to it; then this waits up to {@code wait} for the
   * joiner's proof, checks it on the device and records the new member.
   */
  public static DomainRecords.Member approve(
      IhsmClient hsm, CryptoOfficerSession co, FleetStore store, String ticket, Duration wait) {
    DomainRecords records = new DomainRecords(store);
    DomainRecords.Ticket t =
        records
            .ticket(ticket)
            .orElseThrow(() -> new IllegalArgumentException("no join ticket " + ticket));
    if (t.admission().isPresent()) {
      throw new IllegalStateException("join ticket " + ticket + " was admitted already");
    }
    int most = records.status().map(d -> d.policy().maxMembers()).orElse(0);
    String joiner = DomainRecords.memberId(t.request().chain());
    boolean rekey = records.members().stream().anyMatch(m -> m.id().equals(joiner));
    if (!rekey && records.members().size() >= most) {
      // The devices cannot count the fleet; each allows a partition 1/maxMembers of its PIN tries.
      throw new IllegalStateException(
          "the domain has its "
              + most
              + " members already: more would let a partition's PIN be tried more often than its"
              + " limit (the domain's member count is set at its creation)");
    }
    Admission admission = co.admit(t.request(), records.approvals(ticket));
    try {
      records.fileAdmission(ticket, admission);
    } catch (StoreException e) {
      if (e.reason() == StoreException.Reason.EXISTS) {
        throw new IllegalStateException(
            "another member admitted join ticket " + ticket + " at the same time");
      }
      throw e;
    }
    JoinConfirmation proof =
        await(
            () -> records.ticket(ticket).flatMap(DomainRecords.Ticket::confirmation),
            wait,
            "the joining device of ticket " + ticket + " did not prove it holds the secret");
    co.confirmJoin(proof);
    records.recordMember(t.request().chain());
    records.closeTicket(ticket);
    String id = DomainRecords.shortHash(t.request().chain().get(1));
    return records.members().stream()
        .filter(m -> m.id().equals(id))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("the member record went missing"));
  }

  /**
   * An approver (a Crypto Officer holding one of the policy's approver keys, no device needed)
   * signs the join of {@code ticket}; a member admits it once the policy's number of approvals are
   * filed. Answers the approver's index in the policy.
   *
   * @param approverKey the ECDSA P-384 private key whose public half the policy lists
   * @param approverPublic its public key (SPKI DER)
   */
  public static int endorse(
      FleetStore store, String ticket, PrivateKey approverKey, byte[] approverPublic) {
    DomainRecords records = new DomainRecords(store);
    DomainStatus domain =
        records
            .status()
            .orElseThrow(() -> new IllegalStateException("the store holds no security domain"));
    List<byte[]> approvers = domain.policy().approvers();
    int index = -1;
    for (int i = 0; i < approvers.size(); i++) {
      if (Arrays.equals(approvers.get(i), approverPublic)) {
        index = i;
      }
    }
    if (index < 0) {
      throw new IllegalArgumentException("this key is not one of the domain's approvers");
    }
    DomainRecords.Ticket t =
        records
            .ticket(ticket)
            .orElseThrow(() -> new IllegalArgumentException("no join ticket " + ticket));
    try {
      byte[] requestHash =
          MessageDigest.getInstance("SHA-384").digest(DomainRecords.encode(t.request()));
      Signature s = Signature.getInstance("SHA384withECDSA");
      s.initSign(approverKey);
      s.update(AdmitRequest.approvalMessage(requestHash, domain.domainId()));
      records.fileApproval(ticket, index, s.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("the approver key cannot sign with ECDSA P-384", e);
    } catch (StoreException e) {
      if (e.reason() == StoreException.Reason.EXISTS) {
        throw new IllegalStateException(
            "this approver endorsed join ticket " + ticket + " already");
      }
      throw e;
    }
    return index;
  }

  /**
   * Starts the domain's next epoch on this member and files it. Then each other member joins again
   * to get it ({@link #join}, approved here), {@link Remasker} moves every blob to it, and each
   * member retires the old epoch ({@link #retire}).
   */
  public static DomainStatus rotate(CryptoOfficerSession co, FleetStore store) {
    DomainStatus next = co.rotateDomain();
    new DomainRecords(store).updateStatus(next);
    return next;
  }

  /**
   * Destroys {@code epoch} on this member once no blob of the fleet's key store is masked under it
   * or an older one any more.
   *
   * @throws IllegalStateException naming how many blobs still need the re-masker
   */
  public static void retire(CryptoOfficerSession co, HostKeyStore keys, int epoch) {
    int old = 0;
    for (String name : keys.partitions()) {
      var e = keys.partition(name);
      if (e.isPresent() && Remasker.epochOf(e.get().partitionBlob()) <= epoch) {
        old++;
      }
      for (var k : keys.keys(name)) {
        if (Remasker.epochOf(k.maskedBlob()) <= epoch) {
          old++;
        }
      }
    }
    if (old > 0) {
      throw new IllegalStateException(
          old
              + " blob(s) of the fleet are still masked under epoch "
              + epoch
              + " or older: run the re-masker (`ihsm domain remask`) first");
    }
    co.retireEpoch(epoch);
  }

  /**
   * Revokes a member: this device's policy refuses it from now on (and every member's, as the
   * policy travels with the next rekey), its record goes, and this member starts the next epoch,
   * which the revoked device will never be given.
   */
  public static DomainStatus revoke(CryptoOfficerSession co, FleetStore store, String memberId) {
    DomainRecords records = new DomainRecords(store);
    DomainRecords.Member m =
        records.members().stream()
            .filter(x -> x.id().equals(memberId))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("no member " + memberId));
    byte[] hash;
    try {
      hash = MessageDigest.getInstance("SHA-256").digest(m.deviceIdCertificate());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    co.revokeDevice(hash);
    records.removeMember(memberId);
    return rotate(co, store);
  }

  private static <T> T await(Supplier<Optional<T>> check, Duration wait, String timeoutMessage) {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      Optional<T> v = check.get();
      if (v.isPresent()) {
        return v.get();
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(timeoutMessage + " within " + wait.toSeconds() + " s");
      }
      try {
        Thread.sleep(POLL);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting: " + timeoutMessage, e);
      }
    }
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}
