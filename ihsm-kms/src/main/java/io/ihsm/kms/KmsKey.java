package io.ihsm.kms;

import io.ihsm.ddi.Status;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyState;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.ddi.message.DeviceState;
import io.ihsm.ddi.message.DeviceStatus;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.IhsmException;
import io.ihsm.sdk.PartitionClient;
import io.ihsm.sdk.cipher.AesGcmParameters;
import io.ihsm.sdk.cipher.Ciphertext;
import io.ihsm.sdk.store.DamagedEntryException;
import io.ihsm.sdk.store.HostKeyStore.StoredKey;

/**
 * The partition key the plugin encrypts DEKs under: an AES-256 key of usage encrypt, named by its
 * label. Encryption uses the label's newest version and reports its id; decryption uses the version
 * whose id the API server hands back, so data encrypted before a rotation still decrypts.
 */
public final class KmsKey {
  private static final byte[] PROBE = {0};

  private final IhsmClient hsm;
  private final PartitionClient partition;
  private final String label;

  /**
   * @throws IllegalArgumentException when the partition has no such key or it is not an AES-256
   *     encryption key
   */
  public KmsKey(IhsmClient hsm, PartitionClient partition, String label) {
    this.hsm = hsm;
    this.partition = partition;
    this.label = label;
    StoredKey k;
    try {
      k = partition.key(label);
    } catch (IhsmException e) {
      throw new IllegalArgumentException(
          "partition " + partition.name() + " has no key " + label, e);
    }
    if (k.kind() != KeyKind.AES_256 || k.usage() != KeyUsage.ENCRYPT) {
      throw new IllegalArgumentException(
          "the KMS plugin encrypts under an aes-256 key of usage encrypt; "
              + label
              + " is "
              + k.kind().textName()
              + " for "
              + k.usage().textName());
    }
  }

  public String label() {
    return label;
  }

  /** The DEK encrypted under the newest version, and that version's id. */
  record Sealed(String keyId, byte[] ciphertext) {}

  /** The newest version's id (learned from the device for an entry filed before versions). */
  public String currentKeyId() {
    return newest().lifecycle().idText();
  }

  private StoredKey newest() {
    StoredKey k = partition.key(label);
    if (k.lifecycle() == null) {
      partition.encrypt(label, AesGcmParameters.create(), PROBE); // loading files its lifecycle
      k = partition.key(label);
    }
    return k;
  }

  Sealed encrypt(String uid, byte[] dek) {
    StoredKey k = newest();
    String keyId = k.lifecycle().idText();
    Ciphertext c =
        partition.encrypt(
            k.versionRef(), AesGcmParameters.withAad(Envelope.associatedData(keyId, uid)), dek);
    return new Sealed(keyId, new Envelope(uid, c.iv(), c.bytes()).encode());
  }

  /**
   * @throws IllegalArgumentException when no version of the key has this id, or the envelope does
   *     not decode
   */
  byte[] decrypt(String keyId, byte[] ciphertext) {
    Envelope e = Envelope.decode(ciphertext);
    StoredKey version =
        partition.versions(label).stream()
            .filter(v -> v.lifecycle() != null && v.lifecycle().idText().equals(keyId))
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "no version of key " + label + " has the id the request names"));
    if (version.state() == KeyState.DESTROYED) {
      throw new IhsmException(
          Status.KEY_STATE_NOT_PERMITTED,
          "the key version " + version.versionRef() + " is destroyed");
    }
    return partition.decrypt(
        version.versionRef(),
        AesGcmParameters.withAad(Envelope.associatedData(keyId, e.uid())),
        Ciphertext.of(e.iv(), e.ciphertext()));
  }

  /**
   * "ok" while the device is operational and the newest version encrypts (a one-byte probe);
   * otherwise why not, in words the API server shows in its healthz.
   */
  String health() {
    try {
      DeviceStatus s = hsm.deviceStatus();
      if (s.state() != DeviceState.OPERATIONAL) {
        return "the HSM is " + s.state() + (s.reason().isEmpty() ? "" : ": " + s.reason());
      }
      StoredKey k = newest();
      partition.encrypt(k.versionRef(), AesGcmParameters.create(), PROBE);
      return "ok";
    } catch (IhsmException | DamagedEntryException e) {
      return "key " + label + " cannot encrypt: " + e.getMessage();
    }
  }
}
