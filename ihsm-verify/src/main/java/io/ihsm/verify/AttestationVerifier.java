package io.ihsm.verify;

import io.ihsm.ddi.attest.Claims;
import io.ihsm.ddi.cbor.CborException;
import io.ihsm.ddi.cose.CoseKey;
import io.ihsm.ddi.cose.CoseSign1;
import io.ihsm.verify.AttestationException.Reason;
import io.ihsm.verify.VerifiedReport.DeviceAttestation;
import io.ihsm.verify.VerifiedReport.KeyAttestation;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.x500.style.BCStyle;

/**
 * Verifies ihsm attestation reports offline, with nothing but the manufacturer root: the chain up
 * to the root, the firmware policy against the TcbInfo the chain certifies, the report's signature
 * by the chain's leaf, then its claims. Each failure has its own {@link Reason}. Stateless.
 */
public final class AttestationVerifier {
  private AttestationVerifier() {}

  /**
   * @param chain leaf first: [partition identity,] Alias, DeviceID, and optionally the root
   * @param report an encoded COSE_Sign1 report (key or device)
   */
  public static VerifiedReport verify(
      AttestationPolicy policy, List<X509Certificate> chain, byte[] report)
      throws AttestationException {
    CoseSign1 message = decode(report);
    if (message.payload() == null) {
      throw new AttestationException(Reason.MALFORMED_REPORT, "the report has no payload");
    }
    ClaimSet claims = ClaimSet.decode(message.payload());
    String type = claims.text(Claims.TYPE);
    boolean keyReport = type.equals(Claims.KEY_REPORT);
    if (!keyReport && !type.equals(Claims.DEVICE_REPORT)) {
      throw new AttestationException(Reason.MALFORMED_REPORT, "unknown report type '" + type + "'");
    }
    DeviceChain verified = checkedChain(policy, chain, keyReport ? 1 : 0);
    if (!signedBy(message, new byte[0], verified.leaf().getPublicKey())) {
      throw diagnose(claims, verified, keyReport);
    }
    // The key id sits in the unprotected header, outside the signature: it must still name the
    // signer.
    if (!Arrays.equals(message.keyId(), DeviceChain.keyId(verified.leaf()))) {
      throw new AttestationException(
          Reason.MALFORMED_REPORT, "the report's key id does not name the chain's leaf");
    }
    ReportClaims common = common(claims, verified);
    byte[] expected = policy.nonce().orElse(null);
    if (expected != null && !MessageDigest.isEqual(expected, common.nonce())) {
      throw new AttestationException(
          Reason.NONCE_MISMATCH,
          "the report's nonce "
              + HexFormat.of().formatHex(common.nonce())
              + " is not the expected "
              + HexFormat.of().formatHex(expected));
    }
    return keyReport
        ? keyAttestation(verified, common, claims)
        : deviceAttestation(verified, common, claims);
  }

  /**
   * Verifies a document signed by the Alias key with a detached COSE_Sign1 (the compliance report).
   *
   * @param chain leaf first: Alias, DeviceID, and optionally the root
   */
  public static TcbInfo verifyDetached(
      AttestationPolicy policy, List<X509Certificate> chain, byte[] document, byte[] signature)
      throws AttestationException {
    CoseSign1 message = decode(signature);
    if (message.payload() != null) {
      throw new AttestationException(
          Reason.MALFORMED_REPORT, "the signature is not detached: it carries a payload");
    }
    DeviceChain verified = checkedChain(policy, chain, 0);
    if (!signedBy(message, document, verified.leaf().getPublicKey())) {
      throw new AttestationException(
          Reason.BAD_SIGNATURE, "the document's signature does not verify with the Alias key");
    }
    return verified.tcb;
  }

  /**
   * Checks a device's own chain against the policy (root, SVN, firmware digests): what a party that
   * will hand the device a secret checks first, e.g. a domain backup's custodian.
   *
   * @param chain leaf first: Alias, DeviceID, and optionally the root
   * @return the firmware the Alias certificate certifies; its key is {@code chain.get(0)}'s
   */
  public static TcbInfo verifyDeviceChain(AttestationPolicy policy, List<X509Certificate> chain)
      throws AttestationException {
    return checkedChain(policy, chain, 0).tcb;
  }

  private static CoseSign1 decode(byte[] report) throws AttestationException {
    try {
      return CoseSign1.decode(report);
    } catch (CborException e) {
      throw new AttestationException(
          Reason.MALFORMED_REPORT, "not an ihsm COSE_Sign1: " + e.getMessage());
    }
  }

  /**
   * The chain up to the root, its leaf at the expected depth below the Alias, and the firmware
   * policy.
   */
  private static DeviceChain checkedChain(
      AttestationPolicy policy, List<X509Certificate> chain, int aliasIndex)
      throws AttestationException {
    DeviceChain verified;
    try {
      verified = DeviceChain.verify(chain, policy.root());
    } catch (RuntimeException e) {
      // Whatever a crafted certificate makes a parser throw is a malformed chain, never a crash.
      throw new AttestationException(
          Reason.MALFORMED_CHAIN, "a certificate of the chain does not decode");
    }
    if (verified.aliasIndex != aliasIndex) {
      throw new AttestationException(
          Reason.WRONG_SIGNER,
          aliasIndex == 1
              ? "a key report is signed by a partition identity key: the chain's leaf must be a partition certificate"
              : "this is signed by the Alias key: the chain's leaf must be the Alias certificate");
    }
    TcbInfo tcb = verified.tcb;
    if (policy.minSvn().isPresent() && tcb.svn() < policy.minSvn().getAsLong()) {
      throw new AttestationException(
          Reason.SVN_BELOW_POLICY,
          "the firmware's SVN "
              + tcb.svn()
              + " is below the policy's minimum "
              + policy.minSvn().getAsLong());
    }
    if (!policy.allows(tcb.digest())) {
      throw new AttestationException(
          Reason.DIGEST_NOT_ALLOWED,
          "the firmware digest " + tcb.digestHex() + " is not one the policy allows");
    }
    return verified;
  }

  private static boolean signedBy(CoseSign1 message, byte[] detached, PublicKey key) {
    try {
      Signature s = Signature.getInstance("SHA384withECDSAinP1363Format");
      s.initVerify(key);
      s.update(message.toBeSigned(detached));
      return s.verify(message.signature());
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Why a signature did not verify: the report names another device or partition, or it was
   * altered.
   */
  private static AttestationException diagnose(
      ClaimSet claims, DeviceChain chain, boolean keyReport) throws AttestationException {
    String serial = chain.serialNumber();
    if (claims.has(Claims.SERIAL_NUMBER) && !serial.equals(claims.text(Claims.SERIAL_NUMBER))) {
      return new AttestationException(
          Reason.WRONG_DEVICE,
          "the report is from device "
              + claims.text(Claims.SERIAL_NUMBER)
              + " but the chain is device "
              + serial
              + "'s");
    }
    if (keyReport && claims.has(Claims.PARTITION_UID)) {
      String uid = HexFormat.of().formatHex(claims.bytes(Claims.PARTITION_UID));
      String chainUid = DeviceChain.rdn(chain.leaf(), BCStyle.OU);
      if (!uid.equals(chainUid)) {
        return new AttestationException(
            Reason.WRONG_PARTITION,
            "the report is from partition "
                + uid
                + " but the chain is partition "
                + chainUid
                + "'s");
      }
    }
    return new AttestationException(
        Reason.BAD_SIGNATURE, "the report's signature does not verify with the chain's leaf key");
  }

  private static ReportClaims common(ClaimSet claims, DeviceChain chain)
      throws AttestationException {
    ReportClaims common =
        new ReportClaims(
            claims.text(Claims.TYPE),
            claims.bytes(Claims.NONCE),
            claims.uint(Claims.COUNTER),
            claims.bytes(Claims.FIRMWARE_DIGEST),
            claims.uint(Claims.FIRMWARE_SVN),
            claims.bool(Claims.APPROVED_MODE),
            claims.text(Claims.SERIAL_NUMBER));
    if (common.nonce().length > Claims.MAX_NONCE) {
      throw ClaimSet.wrong(Claims.NONCE, "at most " + Claims.MAX_NONCE + " bytes");
    }
    if (!Arrays.equals(common.firmwareDigest(), chain.tcb.digest())
        || common.firmwareSvn() != chain.tcb.svn()) {
      throw new AttestationException(
          Reason.CLAIMS_MISMATCH,
          "the report's firmware digest and SVN differ from the TcbInfo" + " its chain certifies");
    }
    if (!common.serialNumber().equals(chain.serialNumber())) {
      throw new AttestationException(
          Reason.WRONG_DEVICE,
          "the report names device "
              + common.serialNumber()
              + " but the chain is device "
              + chain.serialNumber()
              + "'s");
    }
    return common;
  }

  private static KeyAttestation keyAttestation(
      DeviceChain chain, ReportClaims common, ClaimSet claims) throws AttestationException {
    byte[] uid = claims.bytes(Claims.PARTITION_UID);
    long partitionId = claims.uint(Claims.PARTITION_ID);
    if (!HexFormat.of().formatHex(uid).equals(DeviceChain.rdn(chain.leaf(), BCStyle.OU))
        || !DeviceChain.rdn(chain.leaf(), BCStyle.CN).equals("ihsm partition " + partitionId)) {
      throw new AttestationException(
          Reason.WRONG_PARTITION, "the report's partition differs from the chain's leaf");
    }
    Optional<PublicKey> publicKey = Optional.empty();
    if (claims.has(Claims.PUBLIC_KEY)) {
      try {
        publicKey = Optional.of(CoseKey.toPublicKey(claims.map(Claims.PUBLIC_KEY)));
      } catch (CborException e) {
        throw new AttestationException(
            Reason.MALFORMED_REPORT, "claim " + Claims.PUBLIC_KEY + ": " + e.getMessage());
      }
    }
    return new KeyAttestation(
        chain.tcb,
        common,
        (int) partitionId,
        uid,
        claims.bytes(Claims.APPLICATION_ID),
        claims.text(Claims.KEY_KIND),
        (int) claims.uint(Claims.KEY_BITS),
        claims.text(Claims.KEY_USAGE),
        claims.text(Claims.KEY_ORIGIN),
        claims.bool(Claims.KEY_EXTRACTABLE),
        claims.bool(Claims.SESSION_KEY),
        publicKey,
        keyVersion(claims));
  }

  /** The key's version, id and state; a report from firmware before key versions has none. */
  private static Optional<VerifiedReport.KeyVersion> keyVersion(ClaimSet claims)
      throws AttestationException {
    if (!claims.has(Claims.KEY_VERSION)
        && !claims.has(Claims.KEY_ID)
        && !claims.has(Claims.KEY_STATE)) {
      return Optional.empty();
    }
    long version = claims.uint(Claims.KEY_VERSION);
    byte[] id = claims.bytes(Claims.KEY_ID);
    if (version < 1 || version > Integer.MAX_VALUE) {
      throw ClaimSet.wrong(Claims.KEY_VERSION, "a version from 1");
    }
    if (id.length != 16) {
      throw ClaimSet.wrong(Claims.KEY_ID, "a 16-byte id");
    }
    return Optional.of(
        new VerifiedReport.KeyVersion((int) version, id, claims.text(Claims.KEY_STATE)));
  }

  private static DeviceAttestation deviceAttestation(
      DeviceChain chain, ReportClaims common, ClaimSet claims) throws AttestationException {
    List<?> tests = claims.array(Claims.SELF_TESTS, 2);
    List<?> head = claims.array(Claims.AUDIT_HEAD, 2);
    if (!(tests.get(0) instanceof Long passed
        && tests.get(1) instanceof Long total
        && passed >= 0
        && total >= passed)) {
      throw ClaimSet.wrong(Claims.SELF_TESTS, "[passed, total]");
    }
    if (!(head.get(0) instanceof Long sequence
        && head.get(1) instanceof byte[] hash
        && hash.length == 48)) {
      throw ClaimSet.wrong(Claims.AUDIT_HEAD, "[sequence, 48-byte hash]");
    }
    return new DeviceAttestation(
        chain.tcb,
        common,
        claims.text(Claims.STATE),
        claims.text(Claims.FIRMWARE_VERSION),
        passed.intValue(),
        total.intValue(),
        claims.uint(Claims.TAMPER_COUNT),
        sequence,
        hash);
  }
}
