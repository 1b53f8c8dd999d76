package io.ihsm.firmware.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.generators.KDFCounterBytesGenerator;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KDFCounterParameters;
import org.junit.jupiter.api.Test;

/** Our SP 800-108 counter-mode KDF against Bouncy Castle's, for many lengths and inputs. */
class KbkdfTest {
  @Test
  void matchesAnIndependentImplementation() {
    SecureRandom r = new SecureRandom();
    for (int length : new int[] {1, 16, 32, 33, 64, 100, 1000}) {
      byte[] key = new byte[32];
      r.nextBytes(key);
      byte[] label = new byte[r.nextInt(20)];
      r.nextBytes(label);
      byte[] context = new byte[r.nextInt(40)];
      r.nextBytes(context);
      for (boolean sha384 : new boolean[] {false, true}) {
        byte[] ours =
            new Kbkdf(CryptoEngines.best(), sha384 ? "HmacSHA384" : "HmacSHA256")
                .derive(key, label, context, length);
        byte[] fixed =
            ByteBuffer.allocate(label.length + 1 + context.length + 4)
                .put(label)
                .put((byte) 0)
                .put(context)
                .putInt(length * 8)
                .array();
        KDFCounterBytesGenerator bc =
            new KDFCounterBytesGenerator(
                new HMac(sha384 ? new SHA384Digest() : new SHA256Digest()));
        bc.init(
            new KDFCounterParameters(key, null, fixed, 32)); // counter first, then the fixed data
        byte[] theirs = new byte[length];
        bc.generateBytes(theirs, 0, length);
        assertThat(ours)
            .as("length %d, %s", length, sha384 ? "SHA-384" : "SHA-256")
            .isEqualTo(theirs);
      }
    }
  }
}
