package io.ihsm.ddi.message;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;

/**
 * ProvisionPartition request: the owner's trust anchor (an ECDSA P-384 SubjectPublicKeyInfo, ≤ 160
 * bytes), the owner backup key (32 bytes, or empty for the device to generate one) and the
 * application credential, sealed.
 */
public record ProvisionRequest(
    byte[] ownerAnchor, byte[] ownerBackupKey, SealedCredential credential) implements Body {
  public static final int BACKUP_KEY_BYTES = 32;

  public ProvisionRequest {
    ownerAnchor = ownerAnchor.clone();
    ownerBackupKey = ownerBackupKey.clone();
  }

  @Override
  public byte[] ownerAnchor() {
    return ownerAnchor.clone();
  }

  @Override
  public byte[] ownerBackupKey() {
    return ownerBackupKey.clone();
  }

  @Override
  public void writeTo(BodyWriter w) {
    w.bytes(ownerAnchor, CredentialChannel.MAX_KEY_BYTES).bytes(ownerBackupKey, BACKUP_KEY_BYTES);
    credential.writeTo(w);
  }

  public static ProvisionRequest read(BodyReader r) throws DdiException {
    ProvisionRequest p =
        new ProvisionRequest(
            r.bytes("ownerAnchor", CredentialChannel.MAX_KEY_BYTES),
            r.bytes("ownerBackupKey", BACKUP_KEY_BYTES),
            SealedCredential.readField(r));
    r.end();
    return p;
  }
}
