package io.ihsm.firmware.vault;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.credential.Credential;
import io.ihsm.ddi.message.CredentialChannel;
import io.ihsm.ddi.message.ProvisionRequest;
import java.util.Arrays;

/**
 * An established partition's volatile secrets: its application credential's verifier, owner anchor
 * and backup key, and its masking secret. Serialised only inside a partition blob.
 */
final class PartitionState {
  static final int VERIFIER_BYTES = 48;
  static final int SECRET_BYTES = 32;
  static final int MAX_UNWRAPPING_KEY = 4096;

  final byte[] credentialId;
  final byte[] verifier;
  final byte[] ownerAnchor;
  final byte[] backupKey;
  final byte[] maskingSecret;

  /** The partition's RSA unwrapping key (PKCS#8), made at provisioning, for imported keys. */
  final byte[] unwrappingKey;

  /**
   * The security domain epoch the partition's blob is masked under, 0 for a partition of this
   * device alone; not part of the blob's content (its header says it).
   */
  final int epoch;

  PartitionState(
      byte[] credentialId,
      byte[] verifier,
      byte[] ownerAnchor,
      byte[] backupKey,
      byte[] maskingSecret,
      byte[] unwrappingKey,
      int epoch) {
    this.credentialId = credentialId;
    this.verifier = verifier;
    this.ownerAnchor = ownerAnchor;
    this.backupKey = backupKey;
    this.maskingSecret = maskingSecret;
    this.unwrappingKey = unwrappingKey;
    this.epoch = epoch;
  }

  /**
   * The same owner and credential id with everything else new: what OWNER_REINIT_PARTITION leaves.
   */
  PartitionState reinitialized(
      byte[] newVerifier, byte[] newMaskingSecret, byte[] newUnwrappingKey) {
    return new PartitionState(
        credentialId,
        newVerifier,
        ownerAnchor,
        backupKey.clone(),
        newMaskingSecret,
        newUnwrappingKey,
        epoch);
  }

  PartitionState withVerifier(byte[] newVerifier) {
    return new PartitionState(
        credentialId,
        newVerifier,
        ownerAnchor,
        backupKey.clone(),
        maskingSecret.clone(),
        unwrappingKey.clone(),
        epoch);
  }

  /** The blob's secret content; the caller wipes it after sealing. */
  byte[] encode() {
    return new BodyWriter()
        .bytes(credentialId, Credential.ID_BYTES)
        .bytes(verifier, VERIFIER_BYTES)
        .bytes(ownerAnchor, CredentialChannel.MAX_KEY_BYTES)
        .bytes(backupKey, ProvisionRequest.BACKUP_KEY_BYTES)
        .bytes(maskingSecret, SECRET_BYTES)
        .bytes(unwrappingKey, MAX_UNWRAPPING_KEY)
        .toByteArray();
  }

  static PartitionState decode(byte[] b, int epoch) throws DdiException {
    BodyReader r = BodyReader.of(b);
    PartitionState s =
        new PartitionState(
            r.bytes("credentialId", Credential.ID_BYTES),
            r.bytes("verifier", VERIFIER_BYTES),
            r.bytes("ownerAnchor", CredentialChannel.MAX_KEY_BYTES),
            r.bytes("backupKey", ProvisionRequest.BACKUP_KEY_BYTES),
            r.bytes("maskingSecret", SECRET_BYTES),
            r.bytes("unwrappingKey", MAX_UNWRAPPING_KEY),
            epoch);
    r.end();
    return s;
  }

  void wipe() {
    Arrays.fill(verifier, (byte) 0);
    Arrays.fill(backupKey, (byte) 0);
    Arrays.fill(maskingSecret, (byte) 0);
    Arrays.fill(unwrappingKey, (byte) 0);
  }
}
