package io.ihsm.verify;

import java.security.PublicKey;
import java.util.Optional;

/** A report that verified: what the chain certifies of the firmware, and the report's claims. */
public sealed interface VerifiedReport {
  TcbInfo tcb();

  ReportClaims claims();

  /**
   * A key version as a key report names it (absent from reports of firmware before key versions).
   */
  record KeyVersion(int version, byte[] id, String state) {
    public KeyVersion {
      id = id.clone();
    }

    @Override
    public byte[] id() {
      return id.clone();
    }

    /** The id as 32 hex digits, as the host shows it. */
    public String idText() {
      return java.util.HexFormat.of().formatHex(id);
    }
  }

  /** A key report: the key, as the device holding it describes it. */
  record KeyAttestation(
      TcbInfo tcb,
      ReportClaims claims,
      int partitionId,
      byte[] partitionUid,
      byte[] applicationId,
      String kind,
      int bits,
      String usage,
      String origin,
      boolean extractable,
      boolean sessionKey,
      Optional<PublicKey> publicKey,
      Optional<KeyVersion> keyVersion)
      implements VerifiedReport {
    public KeyAttestation {
      partitionUid = partitionUid.clone();
      applicationId = applicationId.clone();
    }

    @Override
    public byte[] partitionUid() {
      return partitionUid.clone();
    }

    @Override
    public byte[] applicationId() {
      return applicationId.clone();
    }
  }

  /** A device report: the module's state as its firmware reports it. */
  record DeviceAttestation(
      TcbInfo tcb,
      ReportClaims claims,
      String state,
      String firmwareVersion,
      int selfTestsPassed,
      int selfTestsTotal,
      long tamperCount,
      long auditSequence,
      byte[] auditHash)
      implements VerifiedReport {
    public DeviceAttestation {
      auditHash = auditHash.clone();
    }

    @Override
    public byte[] auditHash() {
      return auditHash.clone();
    }
  }
}
