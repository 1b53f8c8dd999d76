package io.ihsm.sdk;

import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.domain.Admission;
import io.ihsm.ddi.domain.AdmitRequest;
import io.ihsm.ddi.domain.BackupRequest;
import io.ihsm.ddi.domain.DomainBackup;
import io.ihsm.ddi.domain.DomainPolicy;
import io.ihsm.ddi.domain.DomainStatus;
import io.ihsm.ddi.domain.JoinConfirmation;
import io.ihsm.ddi.domain.JoinRequest;
import io.ihsm.ddi.domain.RestoreRequest;
import io.ihsm.ddi.domain.SealedShare;
import io.ihsm.ddi.message.Bytes;
import io.ihsm.ddi.message.CreatePartitionRequest;
import io.ihsm.ddi.message.Empty;
import io.ihsm.ddi.message.FirmwareChunk;
import io.ihsm.ddi.message.Id;
import io.ihsm.ddi.message.PartitionLimits;
import io.ihsm.ddi.message.PartitionList;
import io.ihsm.ddi.message.SignedDocument;
import io.ihsm.sdk.internal.Channel;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;

/** A Crypto Officer session on the management port: partitions are made and removed here. */
public final class CryptoOfficerSession implements AutoCloseable {
  private final Channel channel;
  private final int sessionId;

  CryptoOfficerSession(Channel channel, int sessionId) {
    this.channel = channel;
    this.sessionId = sessionId;
  }

  /**
   * @return the new partition's id
   */
  public int createPartition(String name, PartitionLimits limits) {
    return channel
        .call(
            Opcode.CREATE_PARTITION, sessionId, new CreatePartitionRequest(name, limits), Id::read)
        .value();
  }

  public void deletePartition(int partitionId) {
    channel.call(Opcode.DELETE_PARTITION, sessionId, new Id(partitionId), Empty::read);
  }

  public List<PartitionList.Entry> listPartitions() {
    return channel
        .call(Opcode.LIST_PARTITIONS, sessionId, Empty.INSTANCE, PartitionList::read)
        .partitions();
  }

  /**
   * Genesis: this device creates a security domain and is its first member. The policy's blanks (an
   * empty root, SVN 0, no digests) take this device's own root, SVN and firmware.
   */
  public DomainStatus createDomain(DomainPolicy policy) {
    return channel.call(Opcode.DOMAIN_CREATE, sessionId, policy, DomainStatus::read);
  }

  /** Join, step 1 (on the joining device): its signed request to join the domain {@code id}. */
  public JoinRequest requestToJoin(byte[] domainId) {
    return channel.call(
        Opcode.DOMAIN_JOIN_REQUEST, sessionId, new Bytes(domainId), JoinRequest::read);
  }

  /**
   * Join, step 2 (on a member): the domain secret sealed to the joining device, if it qualifies.
   */
  public Admission admit(JoinRequest request) {
    return admit(request, List.of());
  }

  /** As {@link #admit(JoinRequest)}, with the approvals the domain's policy asks for. */
  public Admission admit(JoinRequest request, List<AdmitRequest.Approval> approvals) {
    return channel.call(
        Opcode.DOMAIN_ADMIT, sessionId, new AdmitRequest(request, approvals), Admission::read);
  }

  /** Join, step 3 (on the joining device): it becomes a member and proves it. */
  public JoinConfirmation completeJoin(Admission admission) {
    return channel.call(Opcode.DOMAIN_JOIN_COMPLETE, sessionId, admission, JoinConfirmation::read);
  }

  /** Join, step 4 (on the member): checks the joining device's proof. */
  public void confirmJoin(JoinConfirmation confirmation) {
    channel.call(Opcode.DOMAIN_CONFIRM, sessionId, confirmation, Empty::read);
  }

  /** Starts the domain's next epoch on this member; answers the new status. */
  public DomainStatus rotateDomain() {
    return channel.call(Opcode.DOMAIN_ROTATE, sessionId, Empty.INSTANCE, DomainStatus::read);
  }

  /** Destroys an old epoch's secret on this member. */
  public void retireEpoch(int epoch) {
    channel.call(Opcode.DOMAIN_RETIRE_EPOCH, sessionId, new Id(epoch), Empty::read);
  }

  /** Revokes a device (SHA-256 of its DeviceID certificate) from the domain. */
  public DomainStatus revokeDevice(byte[] deviceIdHash) {
    return channel.call(
        Opcode.DOMAIN_REVOKE, sessionId, new Bytes(deviceIdHash), DomainStatus::read);
  }

  /** Backs the domain's secrets up: sealed under a key split {@code threshold}-of-N custodians. */
  public DomainBackup backupDomain(int threshold, List<byte[]> custodianKeys) {
    return channel.call(
        Opcode.DOMAIN_BACKUP,
        sessionId,
        new BackupRequest(threshold, custodianKeys),
        DomainBackup::read);
  }

  /**
   * Restores a domain into this device (in no domain, with a join request for the backup's domain
   * pending) from its backup and the shares custodians released to that request.
   */
  public DomainStatus restoreDomain(DomainBackup backup, List<SealedShare> released) {
    return channel.call(
        Opcode.DOMAIN_RESTORE, sessionId, new RestoreRequest(backup, released), DomainStatus::read);
  }

  /** Unlocks a partition's application credential after too many PIN failures. */
  public void unlockCredential(int partitionId) {
    channel.call(Opcode.UNLOCK_CREDENTIAL, sessionId, new Id(partitionId), Empty::read);
  }

  /**
   * Sends a firmware image; the device verifies it as its boot ROM would (signature by the pinned
   * key, every digest, SVN not below the fused one), installs it and reboots into it. This session
   * ends with the reboot.
   */
  public void updateFirmware(byte[] image) {
    byte[] digest;
    try {
      digest = MessageDigest.getInstance("SHA-384").digest(image);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    channel.call(
        Opcode.FIRMWARE_UPDATE_BEGIN,
        sessionId,
        new FirmwareChunk(image.length, digest),
        Empty::read);
    for (int off = 0; off < image.length; off += FirmwareChunk.MAX_CHUNK) {
      byte[] piece =
          Arrays.copyOfRange(image, off, Math.min(image.length, off + FirmwareChunk.MAX_CHUNK));
      channel.call(
          Opcode.FIRMWARE_UPDATE_CHUNK, sessionId, new FirmwareChunk(off, piece), Empty::read);
    }
    channel.call(Opcode.FIRMWARE_UPDATE_FINISH, sessionId, Empty.INSTANCE, Empty::read);
  }

  /** Raises the fused SVN to the running firmware's SVN; returns the fused SVN. */
  public int commitFirmwareSvn() {
    return channel.call(Opcode.COMMIT_FIRMWARE_SVN, sessionId, Empty.INSTANCE, Id::read).value();
  }

  /** Runs every self-test now; a failure puts the device in ERROR ({@code SELF_TEST_FAILED}). */
  public void runSelfTests() {
    channel.call(Opcode.RUN_SELF_TESTS, sessionId, Empty.INSTANCE, Empty::read);
  }

  /**
   * Approved-only mode (on by default) refuses non-approved algorithms and parameters with {@code
   * NOT_APPROVED}; off, they are served with the approved-service flag clear. Kept across restarts;
   * zeroization turns it back on.
   */
  public void setApprovedMode(boolean on) {
    channel.call(Opcode.SET_APPROVED_MODE, sessionId, new Id(on ? 1 : 0), Empty::read);
  }

  /**
   * Zeroizes the module: every key, session and partition secret and the sealing secret; old blobs
   * die.
   */
  /**
   * The compliance report: JSON made by the device and its detached COSE_Sign1 by the Alias key.
   */
  public SignedDocument complianceReport() {
    return channel.call(
        Opcode.GET_COMPLIANCE_REPORT, sessionId, Empty.INSTANCE, SignedDocument::read);
  }

  public void zeroize() {
    channel.call(Opcode.ZEROIZE, sessionId, Empty.INSTANCE, Empty::read);
  }

  /**
   * The audit log and its signed head, as the device exports it (text, one entry per line); check
   * it with {@link io.ihsm.sdk.audit.AuditVerifier}. The export is itself recorded in the log.
   */
  public byte[] exportAuditLog() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int total;
    do {
      FirmwareChunk piece =
          channel.call(Opcode.EXPORT_AUDIT_LOG, sessionId, new Id(out.size()), FirmwareChunk::read);
      total = piece.offset();
      if (piece.data().length == 0) {
        throw new IhsmException(Status.INTERNAL_ERROR, "the audit export stopped short");
      }
      out.writeBytes(piece.data());
    } while (out.size() < total);
    return out.toByteArray();
  }

  /** Power-cycles the device (a reset, as in live migration); this session ends with it. */
  public void resetDevice() {
    channel.call(Opcode.RESET_DEVICE, sessionId, Empty.INSTANCE, Empty::read);
  }

  @Override
  public void close() {
    try {
      channel.call(Opcode.CLOSE_SESSION, sessionId, Empty.INSTANCE, Empty::read);
    } catch (IhsmException alreadyGone) {
      // a reset or a lost connection already ended it
    }
  }
}
