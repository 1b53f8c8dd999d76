package io.ihsm.firmware.crypto;

import io.ihsm.firmware.crypto.CryptoRefusal.Reason;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.IvParameterSpec;

/**
 * AES-CMAC (SP 800-38B, RFC 4493) over the engine's AES-ECB and AES-CBC, so it runs the same on
 * every engine (neither the JDK nor ACCP offers CMAC). The tag is the last block of a CBC-MAC whose
 * last block was masked with subkey K1 (whole block) or padded and masked with K2.
 */
public final class Cmac {
  public static final int TAG_BYTES = 16;

  /**
   * Shortest truncated tag verification accepts: 64 bits, SP 800-38B appendix A's floor for most
   * uses.
   */
  public static final int MIN_TAG_BYTES = 8;

  private static final int BLOCK = 16;

  private final CryptoEngine engine;

  public Cmac(CryptoEngine engine) {
    this.engine = engine;
  }

  public byte[] compute(SecretKey key, byte[] message) throws CryptoRefusal {
    byte[] l = null;
    byte[] k1 = null;
    byte[] k2 = null;
    byte[] chained = null;
    try {
      Cipher ecb = engine.cipher("AES/ECB/NoPadding");
      ecb.init(Cipher.ENCRYPT_MODE, key);
      l = ecb.doFinal(new byte[BLOCK]);
      k1 = doubled(l);
      k2 = doubled(k1);
      boolean whole = message.length > 0 && message.length % BLOCK == 0;
      int blocks = Math.max(1, (message.length + BLOCK - 1) / BLOCK);
      chained = Arrays.copyOf(message, blocks * BLOCK);
      int last = (blocks - 1) * BLOCK;
      if (!whole) {
        chained[message.length] = (byte) 0x80; // the rest is already zero
      }
      byte[] subkey = whole ? k1 : k2;
      for (int i = 0; i < BLOCK; i++) {
        chained[last + i] ^= subkey[i];
      }
      Cipher cbc =
          engine.initCipher(
              "AES/CBC/NoPadding", Cipher.ENCRYPT_MODE, key, new IvParameterSpec(new byte[BLOCK]));
      byte[] out = cbc.doFinal(chained);
      byte[] tag = Arrays.copyOfRange(out, last, last + BLOCK);
      Arrays.fill(out, (byte) 0);
      return tag;
    } catch (GeneralSecurityException e) {
      throw new CryptoRefusal(Reason.INVALID_INPUT, "AES-CMAC refused its key");
    } finally {
      wipe(l, k1, k2, chained);
    }
  }

  /**
   * True when {@code tag} is the CMAC or a prefix of it no shorter than {@link #MIN_TAG_BYTES};
   * constant time.
   */
  public boolean verify(SecretKey key, byte[] message, byte[] tag) throws CryptoRefusal {
    return Macs.tagMatches(compute(key, message), tag, MIN_TAG_BYTES);
  }

  /** The block times x in GF(2^128) with R = 0x87 (SP 800-38B 6.1). */
  private static byte[] doubled(byte[] b) {
    byte[] d = new byte[BLOCK];
    int carry = 0;
    for (int i = BLOCK - 1; i >= 0; i--) {
      int v = b[i] & 0xff;
      d[i] = (byte) ((v << 1) | carry);
      carry = v >>> 7;
    }
    d[BLOCK - 1] ^= (byte) (0x87 & -(b[0] >>> 7 & 1)); // no branch on the secret bit
    return d;
  }

  private static void wipe(byte[]... buffers) {
    for (byte[] b : buffers) {
      if (b != null) {
        Arrays.fill(b, (byte) 0);
      }
    }
  }
}
