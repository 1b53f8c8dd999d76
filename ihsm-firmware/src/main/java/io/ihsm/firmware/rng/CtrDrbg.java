package io.ihsm.firmware.rng;

import io.ihsm.firmware.crypto.CryptoEngine;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * SP 800-90A Rev. 1 CTR_DRBG with AES-256 and the block cipher derivation function, over the
 * engine's AES. Not thread-safe: {@link RandomSource} serialises access. {@link #uninstantiate()}
 * zeroes the state.
 */
public final class CtrDrbg {
  static final int KEY_BYTES = 32;
  static final int BLOCK = 16;
  static final int SEED_BYTES = KEY_BYTES + BLOCK;

  /** SP 800-90A allows 2^48 requests between reseeds; the module reseeds far sooner. */
  public static final long RESEED_INTERVAL = 1L << 20;

  /** At most 2^19 bits per request. */
  public static final int MAX_REQUEST_BYTES = 1 << 16;

  private final CryptoEngine engine;
  private final byte[] key = new byte[KEY_BYTES];
  private final byte[] v = new byte[BLOCK];
  private long reseedCounter;
  private Cipher aes;

  public CtrDrbg(CryptoEngine engine) {
    this.engine = engine;
  }

  public void instantiate(byte[] entropy, byte[] nonce, byte[] personalization) {
    byte[] seed = df(concat(entropy, nonce, personalization), SEED_BYTES);
    Arrays.fill(key, (byte) 0);
    Arrays.fill(v, (byte) 0);
    update(seed);
    Arrays.fill(seed, (byte) 0);
    reseedCounter = 1;
  }

  public void reseed(byte[] entropy, byte[] additional) {
    byte[] seed = df(concat(entropy, additional), SEED_BYTES);
    update(seed);
    Arrays.fill(seed, (byte) 0);
    reseedCounter = 1;
  }

  /** True when the next generate needs a reseed first. */
  public boolean reseedRequired() {
    return reseedCounter == 0 || reseedCounter > RESEED_INTERVAL;
  }

  public byte[] generate(int bytes, byte[] additional) {
    if (reseedRequired()) {
      throw new IllegalStateException("the DRBG must be (re)seeded first");
    }
    if (bytes < 0 || bytes > MAX_REQUEST_BYTES) {
      throw new IllegalArgumentException("a DRBG request is 0.." + MAX_REQUEST_BYTES + " bytes");
    }
    byte[] add = additional.length == 0 ? new byte[SEED_BYTES] : df(additional, SEED_BYTES);
    if (additional.length > 0) {
      update(add);
    }
    byte[] out = new byte[bytes];
    Cipher aes = aes(key);
    for (int off = 0; off < bytes; off += BLOCK) {
      increment(v);
      byte[] block = encrypt(aes, v);
      System.arraycopy(block, 0, out, off, Math.min(BLOCK, bytes - off));
    }
    update(add, aes); // the key has not changed since: its schedule is reused, not made again
    reseedCounter++;
    return out;
  }

  /** Zeroes the working state; the DRBG must be instantiated again before use. */
  public void uninstantiate() {
    Arrays.fill(key, (byte) 0);
    Arrays.fill(v, (byte) 0);
    reseedCounter = 0;
  }

  /** Whether the working state is all zero (after {@link #uninstantiate()}). */
  public boolean stateIsZero() {
    for (byte b : key) {
      if (b != 0) {
        return false;
      }
    }
    for (byte b : v) {
      if (b != 0) {
        return false;
      }
    }
    return reseedCounter == 0;
  }

  long reseedCounter() {
    return reseedCounter;
  }

  /** CTR_DRBG_Update (SP 800-90A 10.2.1.2). */
  private void update(byte[] provided) {
    update(provided, aes(key));
  }

  /** CTR_DRBG_Update with {@code aes} already keyed with the current key. */
  private void update(byte[] provided, Cipher aes) {
    byte[] temp = new byte[SEED_BYTES];
    for (int off = 0; off < SEED_BYTES; off += BLOCK) {
      increment(v);
      System.arraycopy(encrypt(aes, v), 0, temp, off, BLOCK);
    }
    for (int i = 0; i < SEED_BYTES; i++) {
      temp[i] ^= provided[i];
    }
    System.arraycopy(temp, 0, key, 0, KEY_BYTES);
    System.arraycopy(temp, KEY_BYTES, v, 0, BLOCK);
    Arrays.fill(temp, (byte) 0);
  }

  /** Block_Cipher_df (SP 800-90A 10.3.2). */
  byte[] df(byte[] input, int outBytes) {
    int sLength = 8 + input.length + 1;
    int padded = (sLength + BLOCK - 1) / BLOCK * BLOCK;
    ByteBuffer s =
        ByteBuffer.allocate(padded)
            .putInt(input.length)
            .putInt(outBytes)
            .put(input)
            .put((byte) 0x80);
    byte[] sBytes = s.array();
    byte[] k = new byte[KEY_BYTES];
    for (int i = 0; i < KEY_BYTES; i++) {
      k[i] = (byte) i;
    }
    Cipher bcc = aes(k);
    byte[] temp = new byte[SEED_BYTES];
    for (int i = 0; i * BLOCK < SEED_BYTES; i++) {
      byte[] iv = ByteBuffer.allocate(BLOCK).putInt(i).array();
      byte[] chain = encrypt(bcc, iv); // BCC over IV || S: the first block is the IV itself
      for (int off = 0; off < sBytes.length; off += BLOCK) {
        byte[] x = new byte[BLOCK];
        for (int j = 0; j < BLOCK; j++) {
          x[j] = (byte) (chain[j] ^ sBytes[off + j]);
        }
        chain = encrypt(bcc, x);
      }
      System.arraycopy(chain, 0, temp, i * BLOCK, BLOCK);
    }
    Cipher last = aes(Arrays.copyOf(temp, KEY_BYTES));
    byte[] x = Arrays.copyOfRange(temp, KEY_BYTES, SEED_BYTES);
    byte[] out = new byte[outBytes];
    for (int off = 0; off < outBytes; off += BLOCK) {
      x = encrypt(last, x);
      System.arraycopy(x, 0, out, off, Math.min(BLOCK, outBytes - off));
    }
    Arrays.fill(temp, (byte) 0);
    Arrays.fill(sBytes, (byte) 0);
    return out;
  }

  /** One AES-ECB engine object, keyed afresh for each use (the caller serialises the DRBG). */
  private Cipher aes(byte[] k) {
    try {
      if (aes == null) {
        aes = engine.cipher("AES/ECB/NoPadding");
      }
      aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(k, "AES"));
      return aes;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES refused the DRBG key", e);
    }
  }

  private static byte[] encrypt(Cipher aes, byte[] block) {
    try {
      return aes.doFinal(block);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES failed in the DRBG", e);
    }
  }

  private static void increment(byte[] counter) {
    for (int i = counter.length - 1; i >= 0; i--) {
      if (++counter[i] != 0) {
        return;
      }
    }
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    ByteBuffer b = ByteBuffer.allocate(n);
    for (byte[] p : parts) {
      b.put(p);
    }
    return b.array();
  }
}
