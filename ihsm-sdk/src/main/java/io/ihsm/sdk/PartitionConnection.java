package io.ihsm.sdk;

import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.credential.Credential;
import io.ihsm.ddi.message.Bytes;
import io.ihsm.ddi.message.Certificates;
import io.ihsm.ddi.message.CredentialChannel;
import io.ihsm.ddi.message.Empty;
import io.ihsm.ddi.message.Id;
import io.ihsm.ddi.message.OwnerRequest;
import io.ihsm.ddi.message.ProvisionRequest;
import io.ihsm.ddi.message.ProvisionResponse;
import io.ihsm.ddi.spi.Port;
import io.ihsm.sdk.internal.Channel;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.List;

/** A connection to one partition's port: provisioning, re-establishing, and sessions. */
public final class PartitionConnection implements AutoCloseable {
  private final Channel channel;
  private final Port port;

  PartitionConnection(Channel channel, Port port) {
    this.channel = channel;
    this.port = port;
  }

  /** The name of the partition this port belongs to, as the device says (empty for none). */
  public String partitionName() {
    return channel
        .call(Opcode.GET_CREDENTIAL_CHANNEL, 0, Empty.INSTANCE, CredentialChannel::read)
        .partition();
  }

  /**
   * Re-masks the partition's blob, or one of its key blobs, under the security domain's current
   * epoch (no session: the answer is the same partition or key, masked anew).
   */
  public byte[] remask(byte[] blob) {
    return channel.call(Opcode.REMASK, 0, new Bytes(blob), Bytes::readBlob).bytes();
  }

  public int partitionId() {
    return port.partitionId();
  }

  /** The partition's identity chain, DER, root first: root, DeviceID, Alias, partition identity. */
  public List<byte[]> certificates() {
    return channel
        .call(Opcode.GET_PARTITION_CERTIFICATES, 0, Empty.INSTANCE, Certificates::read)
        .certificates();
  }

  /**
   * The owner's one-time provisioning.
   *
   * @param ownerAnchor the owner's ECDSA P-384 public key, SubjectPublicKeyInfo DER
   * @param ownerBackupKey 32 bytes, or empty to let the device generate it
   * @return the blobs the host must keep
   */
  public ProvisionResponse provision(
      byte[] ownerAnchor, byte[] ownerBackupKey, Credential credential) {
    return channel.callSealed(
        Opcode.PROVISION_PARTITION,
        0,
        port,
        credential,
        sc -> new ProvisionRequest(ownerAnchor, ownerBackupKey, sc),
        ProvisionResponse::read);
  }

  /** Restores the partition's volatile state from its current blob after a reset. */
  public void reestablish(byte[] partitionBlob) {
    channel.call(Opcode.REESTABLISH_PARTITION, 0, new Bytes(partitionBlob), Empty::read);
  }

  /**
   * The partition owner gives the application credential a new PIN (same id) and unlocks it,
   * signing with the ECDSA P-384 owner key whose public half provisioned the partition.
   *
   * @return the partition's new blob, which the host must keep
   */
  public byte[] ownerSetPin(Credential newCredential, PrivateKey ownerKey) {
    return channel
        .callSealed(
            Opcode.OWNER_SET_PIN,
            0,
            port,
            newCredential,
            sc ->
                new OwnerRequest(
                    ownerSignature(
                        ownerKey,
                        OwnerRequest.signedBytes(Opcode.OWNER_SET_PIN, partitionId(), sc)),
                    sc),
            Bytes::readBlob)
        .bytes();
  }

  /**
   * The partition owner re-initialises the partition: every key of it destroyed on the device, its
   * sessions closed, and no PIN opening the application credential until {@link #ownerSetPin}. The
   * credential is sealed only to bind the request (its PIN is not used).
   *
   * @return the partition's new blob, which the host must keep
   */
  public byte[] ownerReinitialize(Credential binding, PrivateKey ownerKey) {
    return channel
        .callSealed(
            Opcode.OWNER_REINIT_PARTITION,
            0,
            port,
            binding,
            sc ->
                new OwnerRequest(
                    ownerSignature(
                        ownerKey,
                        OwnerRequest.signedBytes(Opcode.OWNER_REINIT_PARTITION, partitionId(), sc)),
                    sc),
            Bytes::readBlob)
        .bytes();
  }

  private static byte[] ownerSignature(PrivateKey ownerKey, byte[] message) {
    try {
      Signature s = Signature.getInstance("SHA384withECDSA");
      s.initSign(ownerKey);
      s.update(message);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "the owner key cannot sign (an EC P-384 private key is needed)", e);
    }
  }

  public HsmSession openSession(Credential credential) {
    int id =
        channel.callSealed(Opcode.OPEN_SESSION, 0, port, credential, sc -> sc, Id::read).value();
    return new HsmSession(channel, port, id);
  }

  @Override
  public void close() {
    channel.close();
  }
}
