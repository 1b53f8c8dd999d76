package io.ihsm.ddi.spi;

/**
 * What the boot ROM measured of the firmware it booted: the signed manifest's version and SVN, the
 * SHA-384 of the manifest (which covers every file's digest), the signer, and where the image came
 * from. Attestation reports this; the firmware reports it in its status.
 */
public record FirmwareMeasurement(
    String version, int svn, String digest, String signer, String source) {
  /** For a firmware started without the boot ROM (transport tests only). */
  public static final FirmwareMeasurement UNVERIFIED =
      new FirmwareMeasurement("unverified", 0, "", "", "in-process");
}
