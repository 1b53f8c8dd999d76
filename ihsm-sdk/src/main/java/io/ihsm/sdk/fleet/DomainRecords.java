package io.ihsm.sdk.fleet;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.domain.Admission;
import io.ihsm.ddi.domain.AdmitRequest;
import io.ihsm.ddi.domain.DomainPolicy;
import io.ihsm.ddi.domain.DomainStatus;
import io.ihsm.ddi.domain.JoinConfirmation;
import io.ihsm.ddi.domain.JoinRequest;
import io.ihsm.ddi.message.Body;
import io.ihsm.ddi.message.BodyDecoder;
import io.ihsm.host.store.FleetStore;
import io.ihsm.host.store.StoreException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The security domain's records in the fleet store. Everything here is public or sealed by a
 * device: the domain's status (id, epoch, policy), join tickets (the four messages of a join) and
 * the members. The host only carries them.
 *
 * <pre>
 * domain/status                       DOMAIN_STATUS answer of the genesis device (DDI encoding)
 * domain/joins/TICKET/request         join request
 * domain/joins/TICKET/admission       admission
 * domain/joins/TICKET/approvals/N     approver N's signature of the join (DER), when the policy asks
 * domain/joins/TICKET/confirmation    join confirmation
 * domain/members/MEMBER               DeviceID and Alias certificates of a member
 * </pre>
 *
 * TICKET is the first 16 bytes of the SHA-256 of the encoded join request, MEMBER of the DeviceID
 * certificate, both in hex.
 */
public final class DomainRecords {
  static final String STATUS = "domain/status";
  static final String JOINS = "domain/joins/";
  static final String MEMBERS = "domain/members/";

  private final FleetStore store;

  public DomainRecords(FleetStore store) {
    this.store = store;
  }

  /** A member of the domain: its DeviceID and Alias certificates (DER). */
  public record Member(String id, byte[] deviceIdCertificate, byte[] aliasCertificate) {}

  /** A join in progress: its ticket and the messages filed so far. */
  public record Ticket(
      String id,
      JoinRequest request,
      Optional<Admission> admission,
      Optional<JoinConfirmation> confirmation) {}

  /** The domain's status as its genesis device filed it; empty when the store holds no domain. */
  public Optional<DomainStatus> status() {
    return read(STATUS, DomainStatus::read);
  }

  /**
   * @throws StoreException EXISTS when the store holds a domain already
   */
  void fileGenesis(DomainStatus status) {
    store.create(STATUS, encode(status));
  }

  /** Files the domain's newer status (a rotation, a revocation): a compare-and-swap. */
  void updateStatus(DomainStatus status) {
    FleetStore.Entry now =
        store
            .get(STATUS)
            .orElseThrow(
                () -> new StoreException(StoreException.Reason.NOT_FOUND, "no domain is filed"));
    store.update(STATUS, now.revision(), encode(status));
  }

  /** Files a join request; answers its ticket. */
  String fileRequest(JoinRequest request) {
    String ticket = shortHash(encode(request));
    store.create(JOINS + ticket + "/request", encode(request));
    return ticket;
  }

  void fileAdmission(String ticket, Admission admission) {
    store.create(JOINS + checkedTicket(ticket) + "/admission", encode(admission));
  }

  /** Files approver {@code index}'s signature of a join; a second one for it is refused. */
  void fileApproval(String ticket, int index, byte[] signature) {
    store.create(JOINS + checkedTicket(ticket) + "/approvals/" + index, signature);
  }

  /** The approvals filed for a join, by approver index. */
  List<AdmitRequest.Approval> approvals(String ticket) {
    String prefix = JOINS + checkedTicket(ticket) + "/approvals/";
    List<AdmitRequest.Approval> all = new ArrayList<>();
    for (FleetStore.Entry e : store.list(prefix)) {
      String index = e.key().substring(prefix.length());
      if (index.matches("[0-9]{1,2}") && Integer.parseInt(index) < DomainPolicy.MAX_APPROVERS) {
        all.add(new AdmitRequest.Approval(Integer.parseInt(index), e.value()));
      }
    }
    return all;
  }

  void fileConfirmation(String ticket, JoinConfirmation confirmation) {
    store.create(JOINS + checkedTicket(ticket) + "/confirmation", encode(confirmation));
  }

  public Optional<Ticket> ticket(String ticket) {
    String base = JOINS + checkedTicket(ticket) + "/";
    return read(base + "request", JoinRequest::read)
        .map(
            r ->
                new Ticket(
                    ticket,
                    r,
                    read(base + "admission", Admission::read),
                    read(base + "confirmation", JoinConfirmation::read)));
  }

  /** Joins not admitted yet, oldest ticket id first. */
  public List<Ticket> pendingJoins() {
    List<Ticket> pending = new ArrayList<>();
    for (FleetStore.Entry e : store.list(JOINS)) {
      if (e.key().endsWith("/request")) {
        String id = e.key().substring(JOINS.length(), e.key().length() - "/request".length());
        ticket(id).filter(t -> t.admission().isEmpty()).ifPresent(pending::add);
      }
    }
    return pending;
  }

  /** Removes a ticket's records once the join is over. */
  void closeTicket(String ticket) {
    for (FleetStore.Entry e : store.list(JOINS + checkedTicket(ticket) + "/")) {
      try {
        store.delete(e.key(), e.revision());
      } catch (StoreException gone) {
        // another server closed it at the same time
      }
    }
  }

  void recordMember(List<byte[]> chain) {
    String id = memberId(chain);
    BodyWriter w =
        new BodyWriter()
            .bytes(chain.get(1), FleetStore.MAX_VALUE)
            .bytes(chain.get(2), FleetStore.MAX_VALUE);
    try {
      store.create(MEMBERS + id, w.toByteArray());
    } catch (StoreException e) {
      if (e.reason() != StoreException.Reason.EXISTS) {
        throw e;
      }
      // a device that joined before (after a zeroization, say): it is recorded already
    }
  }

  /** Removes a member's record; false when there is none. */
  boolean removeMember(String id) {
    if (!id.matches("[0-9a-f]{32}")) {
      throw new IllegalArgumentException("a member id is 32 hex digits");
    }
    Optional<FleetStore.Entry> e = store.get(MEMBERS + id);
    if (e.isEmpty()) {
      return false;
    }
    store.delete(MEMBERS + id, e.get().revision());
    return true;
  }

  /** The member id of the device whose DICE chain this is. */
  static String memberId(List<byte[]> chain) {
    return shortHash(chain.get(1));
  }

  public List<Member> members() {
    List<Member> members = new ArrayList<>();
    for (FleetStore.Entry e : store.list(MEMBERS)) {
      try {
        BodyReader r = BodyReader.of(e.value());
        members.add(
            new Member(
                e.key().substring(MEMBERS.length()),
                r.bytes("deviceId", FleetStore.MAX_VALUE),
                r.bytes("alias", FleetStore.MAX_VALUE)));
        r.end();
      } catch (DdiException damaged) {
        throw new StoreException(
            StoreException.Reason.CORRUPT, "the member record " + e.key() + " does not read");
      }
    }
    return members;
  }

  private <T> Optional<T> read(String key, BodyDecoder<T> decoder) {
    return store
        .get(key)
        .map(
            e -> {
              try {
                return decoder.read(BodyReader.of(e.value()));
              } catch (DdiException damaged) {
                throw new StoreException(
                    StoreException.Reason.CORRUPT,
                    "the domain record " + key + " does not read: " + damaged.getMessage());
              }
            });
  }

  private static String checkedTicket(String ticket) {
    if (ticket == null || !ticket.matches("[0-9a-f]{32}")) {
      throw new IllegalArgumentException("a join ticket is 32 hex digits");
    }
    return ticket;
  }

  static byte[] encode(Body body) {
    BodyWriter w = new BodyWriter();
    body.writeTo(w);
    return w.toByteArray();
  }

  static String shortHash(byte[] bytes) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(bytes);
      return HexFormat.of().formatHex(h, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
