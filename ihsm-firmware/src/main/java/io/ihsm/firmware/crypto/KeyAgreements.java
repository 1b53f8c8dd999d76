package io.ihsm.firmware.crypto;

import io.ihsm.ddi.key.EcCurves;
import io.ihsm.firmware.crypto.CryptoRefusal.Reason;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import javax.crypto.KeyAgreement;

/** ECDH with the module's checks: the peer key parses, lies on our curve, and agrees. */
public final class KeyAgreements {
  private final CryptoEngine engine;

  public KeyAgreements(CryptoEngine engine) {
    this.engine = engine;
  }

  /** Parses a peer's SubjectPublicKeyInfo; a malformed or invalid point is refused. */
  public ECPublicKey parseEcPublicKey(byte[] spki) throws CryptoRefusal {
    try {
      PublicKey k = engine.keyFactory("EC").generatePublic(new X509EncodedKeySpec(spki));
      // Only the device's named curves, and only a valid point on them (SP 800-56A §5.6.2.3.3).
      if (k instanceof ECPublicKey ec
          && EcCurves.kindOf(ec.getParams()).isPresent()
          && EcCurves.validPoint(ec.getW(), ec.getParams())) {
        return ec;
      }
    } catch (GeneralSecurityException | RuntimeException e) {
      // fall through: not a valid EC public key
    }
    throw new CryptoRefusal(Reason.INVALID_PUBLIC_KEY, "not a valid EC public key");
  }

  /** The raw shared secret (the x-coordinate); the caller wipes it. */
  public byte[] ecdh(PrivateKey ours, ECPublicKey peer) throws CryptoRefusal {
    if (!(ours instanceof ECPrivateKey priv) || !sameCurve(priv.getParams(), peer.getParams())) {
      throw new CryptoRefusal(Reason.CURVE_MISMATCH, "the peer key is on another curve");
    }
    try {
      KeyAgreement ka = engine.keyAgreement("ECDH");
      ka.init(ours);
      ka.doPhase(peer, true);
      return ka.generateSecret();
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new CryptoRefusal(Reason.INVALID_PUBLIC_KEY, "the peer point is not valid");
    }
  }

  static boolean sameCurve(ECParameterSpec a, ECParameterSpec b) {
    return a.getCurve().equals(b.getCurve())
        && a.getGenerator().equals(b.getGenerator())
        && a.getOrder().equals(b.getOrder())
        && a.getCofactor() == b.getCofactor();
  }
}
