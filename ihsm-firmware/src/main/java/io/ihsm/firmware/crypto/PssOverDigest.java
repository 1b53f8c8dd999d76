package io.ihsm.firmware.crypto;

import io.ihsm.firmware.crypto.CryptoRefusal.Reason;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.RSAKey;
import java.util.Arrays;
import javax.crypto.Cipher;

/**
 * RSASSA-PSS over a digest the caller computed (PKCS#11's CKM_RSA_PKCS_PSS): the EMSA-PSS encoding
 * and its check (RFC 8017, sections 9.1.1 and 9.1.2) are done here, the RSA primitive by the engine
 * (RSA without padding). A signature made this way is the RSASSA-PSS signature of any message with
 * that digest, so standard verifiers check it.
 */
public final class PssOverDigest {
  private final CryptoEngine engine;

  public PssOverDigest(CryptoEngine engine) {
    this.engine = engine;
  }

  public byte[] sign(
      PrivateKey key,
      String hash,
      String mgf1Hash,
      int saltLength,
      byte[] digest,
      SecureRandom random)
      throws CryptoRefusal {
    int modBits = ((RSAKey) key).getModulus().bitLength();
    byte[] salt = new byte[saltLength];
    random.nextBytes(salt);
    byte[] em = encode(hash, mgf1Hash, digest, salt, modBits - 1);
    try {
      return rsa(Cipher.DECRYPT_MODE, key, leftPad(em, (modBits + 7) / 8));
    } finally {
      Arrays.fill(em, (byte) 0);
    }
  }

  public boolean verify(
      PublicKey key, String hash, String mgf1Hash, int saltLength, byte[] digest, byte[] signature)
      throws CryptoRefusal {
    int modBits = ((RSAKey) key).getModulus().bitLength();
    int k = (modBits + 7) / 8;
    if (signature.length != k
        || new BigInteger(1, signature).compareTo(((RSAKey) key).getModulus()) >= 0) {
      return false;
    }
    byte[] block = rsa(Cipher.ENCRYPT_MODE, key, signature);
    int emBits = modBits - 1;
    int emLen = (emBits + 7) / 8;
    for (int i = 0; i < block.length - emLen; i++) {
      if (block[i] != 0) {
        return false;
      }
    }
    return check(
        hash,
        mgf1Hash,
        digest,
        Arrays.copyOfRange(block, block.length - emLen, block.length),
        emBits,
        saltLength);
  }

  private byte[] encode(String hash, String mgf1Hash, byte[] digest, byte[] salt, int emBits)
      throws CryptoRefusal {
    MessageDigest h = engine.digest(hash);
    int hLen = h.getDigestLength();
    int emLen = (emBits + 7) / 8;
    if (digest.length != hLen) {
      throw new CryptoRefusal(
          Reason.INVALID_INPUT, "the digest must be " + hLen + " bytes for " + hash);
    }
    if (emLen < hLen + salt.length + 2) {
      throw new CryptoRefusal(Reason.INVALID_INPUT, "the salt is too long for this key and hash");
    }
    h.update(new byte[8]);
    h.update(digest);
    byte[] hm = h.digest(salt);
    byte[] db = new byte[emLen - hLen - 1];
    db[db.length - salt.length - 1] = 1;
    System.arraycopy(salt, 0, db, db.length - salt.length, salt.length);
    byte[] mask = mgf1(mgf1Hash, hm, db.length);
    for (int i = 0; i < db.length; i++) {
      db[i] ^= mask[i];
    }
    db[0] &= (byte) (0xff >>> (8 * emLen - emBits));
    byte[] em = Arrays.copyOf(db, emLen);
    System.arraycopy(hm, 0, em, db.length, hLen);
    em[emLen - 1] = (byte) 0xbc;
    return em;
  }

  private boolean check(
      String hash, String mgf1Hash, byte[] digest, byte[] em, int emBits, int saltLength) {
    MessageDigest h = engine.digest(hash);
    int hLen = h.getDigestLength();
    int emLen = em.length;
    if (digest.length != hLen || emLen < hLen + saltLength + 2 || em[emLen - 1] != (byte) 0xbc) {
      return false;
    }
    byte[] db = Arrays.copyOf(em, emLen - hLen - 1);
    byte[] hm = Arrays.copyOfRange(em, emLen - hLen - 1, emLen - 1);
    int topBits = 8 * emLen - emBits;
    if ((db[0] & (0xff << (8 - topBits)) & 0xff) != 0) {
      return false;
    }
    byte[] mask = mgf1(mgf1Hash, hm, db.length);
    for (int i = 0; i < db.length; i++) {
      db[i] ^= mask[i];
    }
    db[0] &= (byte) (0xff >>> topBits);
    int ps = emLen - hLen - saltLength - 2;
    for (int i = 0; i < ps; i++) {
      if (db[i] != 0) {
        return false;
      }
    }
    if (db[ps] != 1) {
      return false;
    }
    h.update(new byte[8]);
    h.update(digest);
    h.update(db, db.length - saltLength, saltLength);
    return MessageDigest.isEqual(h.digest(), hm);
  }

  private byte[] mgf1(String hash, byte[] seed, int length) {
    MessageDigest h = engine.digest(hash);
    byte[] out = new byte[length];
    int at = 0;
    for (int counter = 0; at < length; counter++) {
      h.update(seed);
      h.update(
          new byte[] {
            (byte) (counter >>> 24), (byte) (counter >>> 16), (byte) (counter >>> 8), (byte) counter
          });
      byte[] block = h.digest();
      int n = Math.min(block.length, length - at);
      System.arraycopy(block, 0, out, at, n);
      at += n;
    }
    return out;
  }

  /**
   * The RSA primitive: DECRYPT_MODE with the private key signs, ENCRYPT_MODE with the public key
   * opens.
   */
  private byte[] rsa(int mode, Key key, byte[] input) throws CryptoRefusal {
    try {
      int k = (((RSAKey) key).getModulus().bitLength() + 7) / 8;
      return leftPad(engine.initCipher("RSA/ECB/NoPadding", mode, key, null).doFinal(input), k);
    } catch (GeneralSecurityException e) {
      throw new CryptoRefusal(Reason.INVALID_INPUT, "the RSA primitive refused its input");
    }
  }

  private static byte[] leftPad(byte[] b, int length) {
    if (b.length >= length) {
      return b;
    }
    byte[] out = new byte[length];
    System.arraycopy(b, 0, out, length - b.length, b.length);
    return out;
  }
}
