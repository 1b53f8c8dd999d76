package io.ihsm.ddi.message;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.attest.Claims;

/**
 * ATTEST_KEY request:
 *
 * <pre>u32 handle, bytes nonce (≤ 128)</pre>
 */
public record AttestKeyRequest(int handle, byte[] nonce) implements Body {
  public AttestKeyRequest {
    nonce = Nonce.checked(nonce);
  }

  @Override
  public byte[] nonce() {
    return nonce.clone();
  }

  @Override
  public void writeTo(BodyWriter w) {
    w.u32(handle).bytes(nonce, Claims.MAX_NONCE);
  }

  public static AttestKeyRequest read(BodyReader r) throws DdiException {
    int handle = r.u32("handle");
    byte[] nonce = r.bytes("nonce", Claims.MAX_NONCE);
    r.end();
    return new AttestKeyRequest(handle, nonce);
  }
}
