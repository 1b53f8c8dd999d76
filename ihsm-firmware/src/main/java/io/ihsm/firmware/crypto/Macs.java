package io.ihsm.firmware.crypto;

import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.SecretKey;

/** HMAC with constant-time verification of full or truncated tags. */
public final class Macs {
  /** Shortest truncated tag the module accepts (SP 800-107: at least 32 bits; we ask 80). */
  public static final int MIN_TAG_BYTES = 10;

  private final CryptoEngine engine;

  public Macs(CryptoEngine engine) {
    this.engine = engine;
  }

  /**
   * @param algorithm e.g. "HmacSHA256"
   */
  public byte[] compute(String algorithm, SecretKey key, byte[] message)
      throws InvalidKeyException {
    Mac m = engine.mac(algorithm);
    m.init(key);
    return m.doFinal(message);
  }

  /** True when {@code tag} is the MAC or a prefix of it no shorter than {@link #MIN_TAG_BYTES}. */
  public boolean verify(String algorithm, SecretKey key, byte[] message, byte[] tag)
      throws InvalidKeyException {
    return tagMatches(compute(algorithm, key, message), tag, MIN_TAG_BYTES);
  }

  /**
   * True when {@code tag} is {@code full} or a prefix of it no shorter than {@code minBytes},
   * compared in constant time (HMAC and AES-CMAC verification).
   */
  static boolean tagMatches(byte[] full, byte[] tag, int minBytes) {
    if (tag.length < minBytes || tag.length > full.length) {
      return false;
    }
    return MessageDigest.isEqual(Arrays.copyOf(full, tag.length), tag);
  }
}
