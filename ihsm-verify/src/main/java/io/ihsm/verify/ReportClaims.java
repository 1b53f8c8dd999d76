package io.ihsm.verify;

/** The claims every report carries, once verified. */
public record ReportClaims(
    String type,
    byte[] nonce,
    long counter,
    byte[] firmwareDigest,
    long firmwareSvn,
    boolean approvedMode,
    String serialNumber) {
  public ReportClaims {
    nonce = nonce.clone();
    firmwareDigest = firmwareDigest.clone();
  }

  @Override
  public byte[] nonce() {
    return nonce.clone();
  }

  @Override
  public byte[] firmwareDigest() {
    return firmwareDigest.clone();
  }
}
