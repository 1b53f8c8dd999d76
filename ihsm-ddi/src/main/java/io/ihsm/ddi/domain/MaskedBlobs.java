package io.ihsm.ddi.domain;

/**
 * What the clear header of a masked blob says (docs/masked-keys.md), read the same way by the
 * module and by a host: a domain's blob is version 2 and names its epoch right after its kind.
 */
public final class MaskedBlobs {
  /** The version of a blob masked under a security domain's epoch. */
  public static final int DOMAIN_VERSION = 2;

  private MaskedBlobs() {}

  /**
   * The epoch a blob says it was masked under, 0 for a device's own blob (or anything too short to
   * say). Read before anything is checked: it only chooses the masking, which checks everything.
   */
  public static int epochOf(byte[] blob) {
    if (blob.length > 6 && blob[0] == DOMAIN_VERSION) {
      return ((blob[2] & 0xff) << 24)
          | ((blob[3] & 0xff) << 16)
          | ((blob[4] & 0xff) << 8)
          | (blob[5] & 0xff);
    }
    return 0;
  }
}
