package io.ihsm.ddi.domain;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.message.Body;

/**
 * DOMAIN_STATUS answer: whether the device is a member, and of which domain: its id, the epoch
 * whose secret masks new blobs, and the policy for joining.
 *
 * <pre>
 * bool member, bytes domainId (0 or 16), u32 epoch, DomainPolicy policy
 * </pre>
 */
public record DomainStatus(boolean member, byte[] domainId, int epoch, DomainPolicy policy)
    implements Body {
  public static final int ID_BYTES = 16;

  /** A device in no domain. */
  public static final DomainStatus NONE =
      new DomainStatus(false, new byte[0], 0, DomainPolicy.CREATOR_DEFAULTS);

  public DomainStatus {
    domainId = domainId.clone();
  }

  @Override
  public byte[] domainId() {
    return domainId.clone();
  }

  @Override
  public void writeTo(BodyWriter w) {
    w.bool(member).bytes(domainId, ID_BYTES).u32(epoch);
    policy.writeTo(w);
  }

  public static DomainStatus read(BodyReader r) throws DdiException {
    boolean member = r.bool("member");
    byte[] id = r.bytes("domainId", ID_BYTES);
    int epoch = r.u32("epoch");
    DomainPolicy policy = DomainPolicy.readField(r);
    r.end();
    if (member != (id.length == ID_BYTES)) {
      throw new DdiException(Status.MALFORMED_BODY, "a member's domain id is 16 bytes, else empty");
    }
    return new DomainStatus(member, id, epoch, policy);
  }
}
