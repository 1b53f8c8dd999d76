package io.ihsm.ddi.message;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.attest.Claims;

/**
 * A caller's nonce for a report, echoed in it:
 *
 * <pre>bytes nonce (≤ 128)</pre>
 */
public record Nonce(byte[] bytes) implements Body {
  public Nonce {
    bytes = checked(bytes);
  }

  static byte[] checked(byte[] nonce) {
    if (nonce.length > Claims.MAX_NONCE) {
      throw new IllegalArgumentException(
          "a nonce is at most " + Claims.MAX_NONCE + " bytes, got " + nonce.length);
    }
    return nonce.clone();
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  @Override
  public void writeTo(BodyWriter w) {
    w.bytes(bytes, Claims.MAX_NONCE);
  }

  public static Nonce read(BodyReader r) throws DdiException {
    byte[] nonce = r.bytes("nonce", Claims.MAX_NONCE);
    r.end();
    return new Nonce(nonce);
  }
}
