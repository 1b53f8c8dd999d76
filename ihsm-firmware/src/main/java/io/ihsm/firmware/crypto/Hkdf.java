package io.ihsm.firmware.crypto;

import java.security.InvalidKeyException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HKDF (RFC 5869, SP 800-56C rev. 2) over the engine's HMAC, so it runs the same on every engine.
 * Intermediate keys are wiped after use.
 */
public final class Hkdf {
  private final CryptoEngine engine;
  private final String hmac;
  private final int hashLength;

  /**
   * @param hmac the HMAC's JCA name, e.g. "HmacSHA256"
   */
  public Hkdf(CryptoEngine engine, String hmac) {
    this.engine = engine;
    this.hmac = hmac;
    this.hashLength = engine.mac(hmac).getMacLength();
  }

  /** The largest output HKDF can give with this hash: 255 blocks. */
  public int maxOutputLength() {
    return 255 * hashLength;
  }

  /**
   * Extract-then-expand. An empty salt means a salt of hash-length zeros, as RFC 5869 says.
   *
   * @throws IllegalArgumentException when {@code length} is not 1..{@link #maxOutputLength()}
   */
  public byte[] derive(byte[] ikm, byte[] salt, byte[] info, int length) {
    if (length < 1 || length > maxOutputLength()) {
      throw new IllegalArgumentException(
          "HKDF output length must be 1.." + maxOutputLength() + ", got " + length);
    }
    byte[] prk = extract(ikm, salt);
    try {
      return expand(prk, info, length);
    } finally {
      Arrays.fill(prk, (byte) 0);
    }
  }

  byte[] extract(byte[] ikm, byte[] salt) {
    byte[] s = salt.length == 0 ? new byte[hashLength] : salt;
    return mac(s).doFinal(ikm);
  }

  byte[] expand(byte[] prk, byte[] info, int length) {
    Mac m = mac(prk);
    byte[] out = new byte[length];
    byte[] t = new byte[0];
    int done = 0;
    for (int i = 1; done < length; i++) {
      m.update(t);
      m.update(info);
      m.update((byte) i);
      byte[] next = m.doFinal();
      Arrays.fill(t, (byte) 0);
      t = next;
      int n = Math.min(t.length, length - done);
      System.arraycopy(t, 0, out, done, n);
      done += n;
    }
    Arrays.fill(t, (byte) 0);
    return out;
  }

  private Mac mac(byte[] key) {
    Mac m = engine.mac(hmac);
    try {
      // Never empty: an empty salt became hash-length zeros, and a PRK is a full hash.
      m.init(new SecretKeySpec(key, hmac));
    } catch (InvalidKeyException e) {
      throw new IllegalStateException("HMAC refused its key", e);
    }
    return m;
  }
}
