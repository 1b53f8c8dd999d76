package io.ihsm.ddi.message;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;

/**
 * GetCredentialChannel response: the device's P-384 channel key (SubjectPublicKeyInfo DER, ≤ 160
 * bytes), this port's current nonce (exactly 32 bytes), to seal one credential to, and the name of
 * the partition the port belongs to (empty on the management port), so a host checks it talks to
 * the partition it means before it sends a credential.
 */
public record CredentialChannel(byte[] devicePublicKey, byte[] nonce, String partition)
    implements Body {
  public static final int MAX_KEY_BYTES = 160;
  public static final int NONCE_BYTES = 32;

  public CredentialChannel {
    devicePublicKey = devicePublicKey.clone();
    nonce = nonce.clone();
    if (partition == null || partition.length() > CreatePartitionRequest.MAX_NAME) {
      throw new IllegalArgumentException(
          "a partition name is at most " + CreatePartitionRequest.MAX_NAME + " bytes");
    }
  }

  public CredentialChannel(byte[] devicePublicKey, byte[] nonce) {
    this(devicePublicKey, nonce, "");
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
    w.bytes(devicePublicKey, MAX_KEY_BYTES)
        .bytes(nonce, NONCE_BYTES)
        .string(partition, CreatePartitionRequest.MAX_NAME);
  }

  public static CredentialChannel read(BodyReader r) throws DdiException {
    byte[] key = r.bytes("devicePublicKey", MAX_KEY_BYTES);
    byte[] nonce = r.bytes("nonce", NONCE_BYTES);
    String partition = r.string("partition", CreatePartitionRequest.MAX_NAME);
    r.end();
    if (nonce.length != NONCE_BYTES) {
      throw new DdiException(
          Status.MALFORMED_BODY, "field 'nonce': must be " + NONCE_BYTES + " bytes");
    }
    return new CredentialChannel(key, nonce, partition);
  }
}
