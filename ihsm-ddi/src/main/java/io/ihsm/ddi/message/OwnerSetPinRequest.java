package io.ihsm.ddi.message;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import java.nio.charset.StandardCharsets;

/**
 * OwnerSetPin request: the partition owner gives the application credential a new PIN (PKCS#11's
 * C_InitPIN by the security officer), proving itself with the owner key the partition was
 * provisioned with.
 * <pre>
 * bytes  signature (DER ECDSA P-384 with SHA-384, ≤ 160) over {@link #signedBytes}
 * sealed credential (the same credential id, the new PIN)
 * </pre>
 * The signature covers the sealed credential, which is bound to this port and to the channel's
 * current nonce: a request cannot be replayed or moved to another partition.
 */
public record OwnerSetPinRequest(byte[] signature, SealedCredential credential) implements Body {
  public static final int MAX_SIGNATURE = 160;
  private static final byte[] CONTEXT = "IHSM-OWNER-SET-PIN".getBytes(StandardCharsets.US_ASCII);

  public OwnerSetPinRequest {
    signature = signature.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  /** What the owner signs: a fixed context, the partition id, then the sealed credential's encoding. */
  public static byte[] signedBytes(int partitionId, SealedCredential credential) {
    BodyWriter w = new BodyWriter();
    for (byte b : CONTEXT) {
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

  public static OwnerSetPinRequest read(BodyReader r) throws DdiException {
    OwnerSetPinRequest o = new OwnerSetPinRequest(r.bytes("signature", MAX_SIGNATURE), SealedCredential.readField(r));
    r.end();
    return o;
  }
}
