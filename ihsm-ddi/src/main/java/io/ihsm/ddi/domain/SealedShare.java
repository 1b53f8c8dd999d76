package io.ihsm.ddi.domain;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.message.Body;

/**
 * One Shamir share of a domain backup's key, sealed with HPKE: to its custodian in a backup, or by
 * the custodian to a restoring device's join key.
 *
 * <pre>
 * u8 x (1..16), bytes enc (97), bytes ciphertext (48: the 32-byte share and the GCM tag)
 * </pre>
 */
public record SealedShare(int x, byte[] enc, byte[] ciphertext) implements Body {
  public static final int CIPHERTEXT_BYTES = 48;

  public SealedShare {
    enc = enc.clone();
    ciphertext = ciphertext.clone();
    if (x < 1 || x > BackupRequest.MAX_CUSTODIANS) {
      throw new IllegalArgumentException("a share's x is 1 to " + BackupRequest.MAX_CUSTODIANS);
    }
  }

  @Override
  public byte[] enc() {
    return enc.clone();
  }

  @Override
  public byte[] ciphertext() {
    return ciphertext.clone();
  }

  @Override
  public void writeTo(BodyWriter w) {
    w.u8(x).bytes(enc, JoinRequest.HPKE_KEY_BYTES).bytes(ciphertext, CIPHERTEXT_BYTES);
  }

  /** One share alone (how a custodian hands it over). */
  public static SealedShare read(BodyReader r) throws DdiException {
    SealedShare s = readField(r);
    r.end();
    return s;
  }

  static SealedShare readField(BodyReader r) throws DdiException {
    int x = r.u8("x");
    if (x < 1 || x > BackupRequest.MAX_CUSTODIANS) {
      throw new DdiException(Status.MALFORMED_BODY, "a share's x is 1 to 16");
    }
    return new SealedShare(
        x,
        JoinRequest.exactly(r.bytes("enc", JoinRequest.HPKE_KEY_BYTES), JoinRequest.HPKE_KEY_BYTES),
        JoinRequest.exactly(r.bytes("ciphertext", CIPHERTEXT_BYTES), CIPHERTEXT_BYTES));
  }
}
