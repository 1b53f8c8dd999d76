package io.ihsm.ddi.message;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;

/**
 * A credential (id + PIN) sealed to the device: the host's ephemeral P-384 public key
 * (SubjectPublicKeyInfo DER, ≤ 160 bytes), the 12-byte AES-GCM IV, and the ciphertext with its tag
 * (≤ 128 bytes). See docs/ddi.md, "Credential channel".
 */
public record SealedCredential(byte[] hostPublicKey, byte[] iv, byte[] ciphertext) implements Body {
  public static final int MAX_CIPHERTEXT = 128;

  public SealedCredential {
    hostPublicKey = hostPublicKey.clone();
    iv = iv.clone();
    ciphertext = ciphertext.clone();
  }

  @Override
  public byte[] hostPublicKey() {
    return hostPublicKey.clone();
  }

  @Override
  public byte[] iv() {
    return iv.clone();
  }

  @Override
  public byte[] ciphertext() {
    return ciphertext.clone();
  }

  @Override
  public void writeTo(BodyWriter w) {
    w.bytes(hostPublicKey, CredentialChannel.MAX_KEY_BYTES)
        .bytes(iv, 12)
        .bytes(ciphertext, MAX_CIPHERTEXT);
  }

  public static SealedCredential read(BodyReader r) throws DdiException {
    SealedCredential c = readField(r);
    r.end();
    return c;
  }

  /** Reads one sealed credential as a field of a larger body. */
  public static SealedCredential readField(BodyReader r) throws DdiException {
    return new SealedCredential(
        r.bytes("hostPublicKey", CredentialChannel.MAX_KEY_BYTES),
        r.bytes("iv", 12),
        r.bytes("ciphertext", MAX_CIPHERTEXT));
  }
}
