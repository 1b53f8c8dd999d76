package io.ihsm.ddi.domain;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.message.Body;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * DOMAIN_ADMIT request: a join request and the approvals the domain's policy asks for, each an
 * ECDSA P-384/SHA-384 signature (DER) by one of the policy's approver keys over {@link
 * #approvalMessage}.
 *
 * <pre>
 * JoinRequest request, u32 count (≤ 16), count × (u8 approver (index in the policy), bytes
 * signature (≤ 104))
 * </pre>
 */
public record AdmitRequest(JoinRequest request, List<Approval> approvals) implements Body {
  private static final byte[] CONTEXT =
      "ihsm domain join approval v1\0".getBytes(StandardCharsets.US_ASCII);

  /** One approver's signature of a join. */
  public record Approval(int approver, byte[] signature) {
    public Approval {
      signature = signature.clone();
      if (approver < 0 || approver >= DomainPolicy.MAX_APPROVERS) {
        throw new IllegalArgumentException("an approver is 0 to 15, its index in the policy");
      }
    }

    @Override
    public byte[] signature() {
      return signature.clone();
    }
  }

  public AdmitRequest {
    approvals = List.copyOf(approvals);
    if (approvals.size() > DomainPolicy.MAX_APPROVERS) {
      throw new IllegalArgumentException("at most 16 approvals");
    }
  }

  /** A request with no approvals (a domain whose policy asks for none). */
  public AdmitRequest(JoinRequest request) {
    this(request, List.of());
  }

  /**
   * What an approver signs: a context string, the SHA-384 of the encoded join request and the
   * domain's id.
   */
  public static byte[] approvalMessage(byte[] requestHash, byte[] domainId) {
    BodyWriter w = new BodyWriter();
    w.bytes(CONTEXT, CONTEXT.length).bytes(requestHash, requestHash.length);
    w.bytes(domainId, domainId.length);
    return w.toByteArray();
  }

  @Override
  public void writeTo(BodyWriter w) {
    request.writeTo(w);
    w.u32(approvals.size());
    approvals.forEach(a -> w.u8(a.approver()).bytes(a.signature, JoinRequest.MAX_SIGNATURE));
  }

  public static AdmitRequest read(BodyReader r) throws DdiException {
    JoinRequest request = JoinRequest.readField(r);
    int n = r.u32("count");
    if (n < 0 || n > DomainPolicy.MAX_APPROVERS) {
      throw new DdiException(Status.MALFORMED_BODY, "at most 16 approvals");
    }
    List<Approval> approvals = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int approver = r.u8("approver");
      if (approver >= DomainPolicy.MAX_APPROVERS) {
        throw new DdiException(Status.MALFORMED_BODY, "an approver index is 0 to 15");
      }
      approvals.add(new Approval(approver, r.bytes("signature", JoinRequest.MAX_SIGNATURE)));
    }
    r.end();
    return new AdmitRequest(request, approvals);
  }
}
