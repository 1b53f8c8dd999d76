package io.ihsm.firmware.domain;

import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.domain.JoinRequest;
import io.ihsm.firmware.rng.RandomSource;
import java.util.Arrays;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.hpke.HPKE;
import org.bouncycastle.crypto.hpke.HPKEContextWithEncapsulation;

/**
 * RFC 9180 HPKE, base mode, with DHKEM(P-384, HKDF-SHA384), HKDF-SHA384 and AES-256-GCM (Bouncy
 * Castle's implementation). Every key pair, the sender's ephemeral one included, comes from
 * DeriveKeyPair over bytes of the module's DRBG, so HPKE takes no randomness of its own.
 */
final class Hpke {
  /** The encapsulated key's length, an uncompressed P-384 point. */
  static final int ENC_BYTES = JoinRequest.HPKE_KEY_BYTES;

  private static final int IKM_BYTES = 64;

  private final RandomSource random;

  Hpke(RandomSource random) {
    this.random = random;
  }

  private static HPKE suite() {
    return new HPKE(
        HPKE.mode_base, HPKE.kem_P384_SHA384, HPKE.kdf_HKDF_SHA384, HPKE.aead_AES_GCM256);
  }

  /** A recipient key pair. */
  AsymmetricCipherKeyPair newKeyPair() {
    byte[] ikm = random.bytes(IKM_BYTES);
    try {
      return suite().deriveKeyPair(ikm);
    } finally {
      Arrays.fill(ikm, (byte) 0);
    }
  }

  static byte[] publicKey(AsymmetricCipherKeyPair pair) {
    return suite().serializePublicKey(pair.getPublic());
  }

  /** The encapsulated key, then the ciphertext. */
  byte[][] seal(byte[] recipientKey, byte[] info, byte[] aad, byte[] plaintext)
      throws DdiException {
    HPKE hpke = suite();
    try {
      HPKEContextWithEncapsulation ctx =
          hpke.setupBaseS(hpke.deserializePublicKey(recipientKey), info, newKeyPair());
      return new byte[][] {ctx.getEncapsulation(), ctx.seal(aad, plaintext)};
    } catch (InvalidCipherTextException | RuntimeException e) {
      throw MemberChain.refused(
          "an HPKE recipient key (a joining device's or a custodian's) is not a valid P-384 point");
    }
  }

  /** The plaintext, or JOIN_REFUSED when it does not open (another recipient, altered input). */
  static byte[] open(
      AsymmetricCipherKeyPair recipient, byte[] enc, byte[] info, byte[] aad, byte[] ciphertext)
      throws DdiException {
    try {
      return suite().setupBaseR(enc, recipient, info).open(aad, ciphertext);
    } catch (InvalidCipherTextException | RuntimeException e) {
      throw MemberChain.refused("the sealed domain secret does not open on this device");
    }
  }
}
