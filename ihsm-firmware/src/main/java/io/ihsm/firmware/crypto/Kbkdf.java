package io.ihsm.firmware.crypto;

import java.nio.ByteBuffer;
import java.security.InvalidKeyException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * SP 800-108r1 KDF in counter mode with an HMAC PRF, the counter (32 bits) before the fixed input:
 * {@code K(i) = HMAC(key, [i]32 || label || 0x00 || context || [L]32)}, L the output length in
 * bits. This is the layout of PKCS#11's CKM_SP800_108_COUNTER_KDF with those data parameters.
 */
public final class Kbkdf {
  private final CryptoEngine engine;
  private final String hmac;

  public Kbkdf(CryptoEngine engine, String hmac) {
    this.engine = engine;
    this.hmac = hmac;
  }

  public byte[] derive(byte[] key, byte[] label, byte[] context, int length) {
    if (length < 1 || length > (1 << 20)) {
      throw new IllegalArgumentException("KBKDF output length must be 1..1 MiB, got " + length);
    }
    try {
      Mac m = engine.mac(hmac);
      m.init(new SecretKeySpec(key, hmac));
      byte[] fixed =
          ByteBuffer.allocate(label.length + 1 + context.length + 4)
              .put(label)
              .put((byte) 0)
              .put(context)
              .putInt(length * 8)
              .array();
      byte[] out = new byte[length];
      int done = 0;
      for (int i = 1; done < length; i++) {
        m.update(ByteBuffer.allocate(4).putInt(i).array());
        m.update(fixed);
        byte[] block = m.doFinal();
        int n = Math.min(block.length, length - done);
        System.arraycopy(block, 0, out, done, n);
        Arrays.fill(block, (byte) 0);
        done += n;
      }
      return out;
    } catch (InvalidKeyException e) {
      throw new IllegalArgumentException("KBKDF refused its key", e);
    }
  }
}
