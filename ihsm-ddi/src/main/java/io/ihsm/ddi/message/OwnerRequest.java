package io.ihsm.ddi.message;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Opcode;
import java.nio.charset.StandardCharsets;

/**
 * A request the partition owner signs with the owner key the partition was provisioned with:
 * OWNER_SET_PIN (PKCS#11's C_InitPIN by the security officer: the application credential gets the
 * sealed PIN) and OWNER_REINIT_PARTITION (C_InitToken: every key of the partition destroyed; the
 * sealed credential only binds the request, its PIN is not used).
 *
 * <pre>
 * bytes  signature (DER ECDSA P-384 with SHA-384, ≤ 160) over {@link #signedBytes}
 * sealed credential (the same credential id)
 * </pre>
 *
 * The signature covers the opcode's own context and the sealed credential, which is bound to this
 * port, this opcode and the channel's current nonce: a request cannot be replayed, moved to another
 * partition or used for the other opcode.
 */
public record OwnerRequest(byte[] signature, SealedCredential credential) implements Body {
  public static final int MAX_SIGNATURE = 160;

  public OwnerRequest {
    signature = signature.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  /**
   * What the owner signs for {@code op}: the opcode's fixed context, the partition id, then the
   * sealed credential.
   */
  public static byte[] signedBytes(Opcode op, int partitionId, SealedCredential credential) {
    String context =
        switch (op) {
          case OWNER_SET_PIN -> "IHSM-OWNER-SET-PIN";
          case OWNER_REINIT_PARTITION -> "IHSM-OWNER-REINIT-PARTITION";
          default ->
              throw new IllegalArgumentException(op + " is not signed by the partition owner");
        };
    BodyWriter w = new BodyWriter();
    for (byte b : context.getBytes(StandardCharsets.US_ASCII)) {
      w.u8(b);
    }
    w.u32(partitionId);
    credential.writeTo(w);
    return w.toByteArray();
  }

  @Override
  public void writeTo(BodyWriter w) {
    w.bytes(signature, MAX_SIGNATURE);
    credential.writeTo(w);
  }

  public static OwnerRequest read(BodyReader r) throws DdiException {
    OwnerRequest o =
        new OwnerRequest(r.bytes("signature", MAX_SIGNATURE), SealedCredential.readField(r));
    r.end();
    return o;
  }
}
