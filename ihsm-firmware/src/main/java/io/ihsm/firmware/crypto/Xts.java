package io.ihsm.firmware.crypto;

import io.ihsm.firmware.crypto.CryptoRefusal.Reason;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-XTS (IEEE 1619, SP 800-38E) over the engine's AES-ECB, so it runs the same on every engine.
 * The key is two equal-length halves (data key, tweak key). Data is processed in whole data units;
 * the 16-byte tweak names the first unit (a little-endian 128-bit number) and rises by one per
 * unit. Partial final blocks (ciphertext stealing) are not supported: units are whole blocks.
 */
public final class Xts {
  /**
   * The largest data unit: SP 800-38E caps a unit at 2^20 blocks; the request bound is lower still.
   */
  public static final int MAX_UNIT_BYTES = 1 << 24;

  private final CryptoEngine engine;

  public Xts(CryptoEngine engine) {
    this.engine = engine;
  }

  public byte[] encrypt(byte[] key, byte[] tweak, int unitSize, byte[] data) throws CryptoRefusal {
    return run(true, key, tweak, unitSize, data);
  }

  public byte[] decrypt(byte[] key, byte[] tweak, int unitSize, byte[] data) throws CryptoRefusal {
    return run(false, key, tweak, unitSize, data);
  }

  /** Unit size and data length a request may use: whole 16-byte blocks, whole units. */
  public static boolean validUnits(int unitSize, int dataLength) {
    return unitSize >= 16
        && unitSize <= MAX_UNIT_BYTES
        && unitSize % 16 == 0
        && dataLength > 0
        && dataLength % unitSize == 0;
  }

  private byte[] run(boolean encrypt, byte[] key, byte[] tweak, int unitSize, byte[] data)
      throws CryptoRefusal {
    if (key.length != 32 && key.length != 64) {
      throw new CryptoRefusal(
          Reason.INVALID_INPUT, "an XTS key is two AES-128 or two AES-256 halves");
    }
    if (tweak.length != 16) {
      throw new CryptoRefusal(Reason.INVALID_INPUT, "an XTS tweak is 16 bytes");
    }
    if (!validUnits(unitSize, data.length)) {
      throw new CryptoRefusal(
          Reason.INVALID_INPUT, "XTS data must be whole units of whole 16-byte blocks");
    }
    int half = key.length / 2;
    try {
      Cipher dataCipher = engine.cipher("AES/ECB/NoPadding");
      dataCipher.init(
          encrypt ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE,
          new SecretKeySpec(key, 0, half, "AES"));
      Cipher tweakCipher = engine.cipher("AES/ECB/NoPadding");
      tweakCipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, half, half, "AES"));
      byte[] out = new byte[data.length];
      byte[] unitTweak = tweak.clone();
      byte[] block = new byte[16];
      for (int unit = 0; unit < data.length; unit += unitSize) {
        byte[] t = tweakCipher.doFinal(unitTweak);
        for (int off = unit; off < unit + unitSize; off += 16) {
          for (int i = 0; i < 16; i++) {
            block[i] = (byte) (data[off + i] ^ t[i]);
          }
          byte[] c = dataCipher.doFinal(block);
          for (int i = 0; i < 16; i++) {
            out[off + i] = (byte) (c[i] ^ t[i]);
          }
          multiplyByAlpha(t);
        }
        increment(unitTweak);
      }
      Arrays.fill(block, (byte) 0);
      return out;
    } catch (GeneralSecurityException e) {
      throw new CryptoRefusal(Reason.INVALID_INPUT, "XTS refused its key");
    }
  }

  /** t = t * alpha in GF(2^128), little-endian, reduction polynomial x^128 + x^7 + x^2 + x + 1. */
  static void multiplyByAlpha(byte[] t) {
    int carry = 0;
    for (int i = 0; i < 16; i++) {
      int b = t[i] & 0xFF;
      t[i] = (byte) ((b << 1) | carry);
      carry = b >>> 7;
    }
    if (carry != 0) {
      t[0] ^= (byte) 0x87;
    }
  }

  /** The next data unit's tweak: a little-endian 128-bit increment. */
  static void increment(byte[] tweak) {
    for (int i = 0; i < 16; i++) {
      if (++tweak[i] != 0) {
        return;
      }
    }
  }
}
