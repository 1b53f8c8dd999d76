package io.ihsm.verify;

import java.security.PublicKey;
import java.util.Optional;

/** A report that verified: what the chain certifies of the firmware, and the report's claims. */
public sealed interface VerifiedReport {
  TcbInfo tcb();

  ReportClaims claims();

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
      Optional<PublicKey> publicKey)
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
