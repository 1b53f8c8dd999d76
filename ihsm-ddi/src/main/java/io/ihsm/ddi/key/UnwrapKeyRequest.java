package io.ihsm.ddi.key;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.message.Body;
import io.ihsm.ddi.message.Bytes;

/**
 * UnwrapKey request: a key wrapped with AES-KW or AES-KWP under a loaded wrapping key becomes a new
 * key with these attributes.
 *
 * <pre>u32 wrapping key handle, u8 algorithm, attributes, bytes wrapped (≤ 8192)</pre>
 */
public record UnwrapKeyRequest(
    int wrappingHandle, Algorithm algorithm, KeyAttributes attributes, byte[] wrapped)
    implements Body {
  public UnwrapKeyRequest {
    wrapped = wrapped.clone();
  }

  @Override
  public byte[] wrapped() {
    return wrapped.clone();
  }

  @Override
  public void writeTo(BodyWriter w) {
    w.u32(wrappingHandle).u8(algorithm.code());
    attributes.writeTo(w);
    w.bytes(wrapped, Bytes.MAX_BLOB);
  }

  public static UnwrapKeyRequest read(BodyReader r) throws DdiException {
    UnwrapKeyRequest u =
        new UnwrapKeyRequest(
            r.u32("wrappingHandle"),
            WrapKeyRequest.wrapAlgorithm(r.u8("algorithm")),
            KeyAttributes.readField(r),
            r.bytes("wrapped", Bytes.MAX_BLOB));
    r.end();
    return u;
  }
}
