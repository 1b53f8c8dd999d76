package io.ihsm.verify;

/** A report, chain or policy check that failed, with the one reason it failed. */
public final class AttestationException extends Exception {
  /** Why verification failed; each check has its own reason. */
  public enum Reason {
    /** The report is not an ihsm COSE_Sign1 with well-formed claims. */
    MALFORMED_REPORT,
    /** A certificate does not parse, or the chain has the wrong shape. */
    MALFORMED_CHAIN,
    /** A certificate is not validly signed by its issuer. */
    CERTIFICATE_SIGNATURE,
    /** A certificate is outside its validity period, or an issuer is not a CA. */
    CERTIFICATE_INVALID,
    /** The chain does not end at the trusted root. */
    UNTRUSTED_ROOT,
    /** The chain's leaf is not the kind of key that signs this kind of report. */
    WRONG_SIGNER,
    /** The report and the chain are from different devices. */
    WRONG_DEVICE,
    /** The key report and the chain are from different partitions. */
    WRONG_PARTITION,
    /** The report's signature does not verify with the chain's leaf key. */
    BAD_SIGNATURE,
    /** The report's firmware claims differ from the TcbInfo its chain certifies. */
    CLAIMS_MISMATCH,
    /** The report does not carry the nonce the verifier expects. */
    NONCE_MISMATCH,
    /** The firmware's SVN is below the policy's minimum. */
    SVN_BELOW_POLICY,
    /** The firmware's digest is not one the policy allows. */
    DIGEST_NOT_ALLOWED
  }

  private final Reason reason;

  AttestationException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
