package io.ihsm.firmware.attest;

import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.attest.Claims;
import io.ihsm.ddi.cbor.Cbor;
import io.ihsm.ddi.cose.CoseKey;
import io.ihsm.ddi.spi.DevicePlatform;
import io.ihsm.ddi.spi.FirmwareMeasurement;
import io.ihsm.ddi.spi.NonVolatileStore;
import io.ihsm.firmware.audit.AuditLog;
import io.ihsm.firmware.identity.DiceIdentity;
import io.ihsm.firmware.keys.AttestedKey;
import io.ihsm.firmware.policy.ApprovedMode;
import io.ihsm.firmware.selftest.SelfTestRunner;
import io.ihsm.firmware.state.DeviceStateMachine;
import io.ihsm.firmware.state.TamperCounter;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds and signs the attestation reports: key reports by the partition identity key, device
 * reports by the Alias key. Every report takes the next value of a counter kept in non-volatile
 * storage, so a verifier can order reports and tell a fresh one from a replayed one. Claims: {@link
 * Claims}; format: docs/attestation.md.
 */
public final class Attestation {
  static final String COUNTER = "attestation-counter";

  private final NonVolatileStore nv;
  private final DiceIdentity identity;
  private final DevicePlatform platform;
  private final ApprovedMode mode;
  private final DeviceStateMachine state;
  private final SelfTestRunner selfTests;
  private final AuditLog audit;

  public Attestation(
      DiceIdentity identity,
      DevicePlatform platform,
      ApprovedMode mode,
      DeviceStateMachine state,
      SelfTestRunner selfTests,
      AuditLog audit) {
    this.nv = platform.nonVolatileStore();
    this.identity = identity;
    this.platform = platform;
    this.mode = mode;
    this.state = state;
    this.selfTests = selfTests;
    this.audit = audit;
  }

  /** A key report (COSE_Sign1, encoded) for a key of the partition whose uid is given. */
  public synchronized byte[] keyReport(
      int partitionId, byte[] partitionUid, byte[] applicationId, AttestedKey key, byte[] nonce)
      throws DdiException {
    identity.chain(); // refuses before the counter moves when the device has no identity
    Map<Long, Object> claims = common(Claims.KEY_REPORT, nonce);
    claims.put(Claims.PARTITION_ID, (long) partitionId);
    claims.put(Claims.PARTITION_UID, partitionUid);
    claims.put(Claims.APPLICATION_ID, applicationId);
    claims.put(Claims.KEY_KIND, key.attributes().kind().textName());
    claims.put(Claims.KEY_BITS, (long) key.bits());
    claims.put(Claims.KEY_USAGE, key.attributes().usage().textName());
    claims.put(Claims.KEY_ORIGIN, key.origin().name().toLowerCase(Locale.ROOT));
    claims.put(Claims.KEY_EXTRACTABLE, key.attributes().extractable());
    claims.put(Claims.SESSION_KEY, key.attributes().sessionKey());
    claims.put(Claims.KEY_VERSION, (long) key.lifecycle().version());
    claims.put(Claims.KEY_ID, key.lifecycle().id());
    claims.put(Claims.KEY_STATE, key.lifecycle().state().textName());
    if (key.publicKey() != null) {
      claims.put(Claims.PUBLIC_KEY, CoseKey.of(key.publicKey()));
    }
    return identity.signAsPartition(partitionUid, Cbor.encode(claims)).encode();
  }

  /** A device report (COSE_Sign1, encoded) signed by the Alias key. */
  public synchronized byte[] deviceReport(byte[] nonce) throws DdiException {
    identity.chain();
    Map<Long, Object> claims = common(Claims.DEVICE_REPORT, nonce);
    claims.put(Claims.STATE, state.state().name());
    claims.put(Claims.FIRMWARE_VERSION, platform.measurement().version());
    SelfTestRunner.Summary tests = selfTests.summary();
    claims.put(Claims.SELF_TESTS, List.of((long) tests.passed(), (long) tests.total()));
    claims.put(Claims.TAMPER_COUNT, (long) new TamperCounter(nv).count());
    AuditLog.Head head = audit.head();
    claims.put(Claims.AUDIT_HEAD, List.of(head.sequence(), head.hash()));
    return identity.signAsAlias(Cbor.encode(claims), false).encode();
  }

  /** The claims of every report; takes the next counter value. */
  private Map<Long, Object> common(String type, byte[] nonce) {
    FirmwareMeasurement firmware = platform.measurement();
    Map<Long, Object> claims = new HashMap<>();
    claims.put(Claims.TYPE, type);
    claims.put(Claims.NONCE, nonce.clone());
    claims.put(Claims.COUNTER, nextCounter());
    claims.put(Claims.FIRMWARE_DIGEST, HexFormat.of().parseHex(firmware.digest()));
    claims.put(Claims.FIRMWARE_SVN, (long) firmware.svn());
    claims.put(Claims.APPROVED_MODE, mode.approvedOnly());
    claims.put(Claims.SERIAL_NUMBER, platform.identity().serialNumber());
    return claims;
  }

  /** Stored before it is used: a report never carries a value that a later report could repeat. */
  private long nextCounter() {
    long next = nv.readExactly(COUNTER, 8).map(b -> ByteBuffer.wrap(b).getLong()).orElse(0L) + 1;
    nv.write(COUNTER, ByteBuffer.allocate(8).putLong(next).array());
    return next;
  }
}
