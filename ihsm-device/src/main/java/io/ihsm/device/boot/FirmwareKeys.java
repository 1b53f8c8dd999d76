package io.ihsm.device.boot;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;

/**
 * The two public keys a boot ROM pins: firmware boots only when its manifest carries a valid
 * signature by each, ECDSA P-384 and HSS/LMS (RFC 8554), so breaking either algorithm alone (a
 * quantum computer against ECDSA, say) does not let anyone else's firmware in.
 */
public record FirmwareKeys(PublicKey ecdsa, PublicKey lms) {
  public FirmwareKeys {
    if (!(ecdsa instanceof ECPublicKey ec)
        || ec.getParams().getCurve().getField().getFieldSize() != 384) {
      throw new IllegalArgumentException("the first pinned key is not an ECDSA P-384 key");
    }
    if (lms == null || !lms.getAlgorithm().equals("HSS/LMS")) {
      throw new IllegalArgumentException("the second pinned key is not an HSS/LMS key");
    }
  }

  /**
   * An HSS/LMS public key from its SPKI (RFC 9708), by the JDK alone: the boot ROM needs no other
   * library (signing needs Bouncy Castle, an optional dependency of this module).
   */
  public static PublicKey lmsPublicKey(byte[] spki) throws GeneralSecurityException {
    return KeyFactory.getInstance("HSS/LMS").generatePublic(new X509EncodedKeySpec(spki));
  }

  /** Both keys from their SubjectPublicKeyInfo DER. */
  public static FirmwareKeys of(byte[] ecdsaSpki, byte[] lmsSpki) throws GeneralSecurityException {
    PublicKey ec = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(ecdsaSpki));
    try {
      return new FirmwareKeys(ec, lmsPublicKey(lmsSpki));
    } catch (IllegalArgumentException e) {
      throw new GeneralSecurityException(e.getMessage());
    }
  }
}
