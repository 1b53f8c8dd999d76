package io.ihsm.ddi.message;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;

/**
 * GetCredentialChannel response: the device's P-384 channel key (SubjectPublicKeyInfo DER, ≤ 160
 * bytes) and this port's current nonce (exactly 32 bytes), to seal one credential to.
 */
public record CredentialChannel(byte[] devicePublicKey, byte[] nonce) implements Body {
  public static final int MAX_KEY_BYTES = 160;
  public static final int NONCE_BYTES = 32;

  public CredentialChannel {
    devicePublicKey = devicePublicKey.clone();
    nonce = nonce.clone();
  }

  @Override
  public byte[] devicePublicKey() {
    return devicePublicKey.clone();
  }

  @Override
  public byte[] nonce() {
    return nonce.clone();
  }

  @Override
  public void writeTo(BodyWriter w) {
    w.bytes(devicePublicKey, MAX_KEY_BYTES).bytes(nonce, NONCE_BYTES);
  }

  public static CredentialChannel read(BodyReader r) throws DdiException {
    byte[] key = r.bytes("devicePublicKey", MAX_KEY_BYTES);
    byte[] nonce = r.bytes("nonce", NONCE_BYTES);
    r.end();
    if (nonce.length != NONCE_BYTES) {
      throw new DdiException(Status.MALFORMED_BODY, "field 'nonce': must be " + NONCE_BYTES + " bytes");
    }
    return new CredentialChannel(key, nonce);
  }
}
