package io.ihsm.firmware.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class XtsTest {
  @Test
  void ieee1619Vector1() throws Exception {
    byte[] ct = new Xts(CryptoEngines.jdk()).encrypt(new byte[32], new byte[16], 32, new byte[32]);
    assertThat(HexFormat.of().formatHex(ct))
        .isEqualTo("917cf69ebd68b2ec9b9fe9a3eadda692cd43d2f59598ed858c02c2652fbf922e");
  }

  @Test
  void agreesWithAwsLcsXtsForOneDataUnit() throws Exception {
    CryptoEngine accp = CryptoEngines.accp().orElse(null);
    org.junit.jupiter.api.Assumptions.assumeTrue(
        accp != null, "ACCP is not loadable on this platform");
    SecureRandom r = new SecureRandom();
    for (int units : new int[] {16, 32, 512, 4096}) {
      byte[] key = new byte[64];
      r.nextBytes(key);
      byte[] tweak = new byte[16];
      r.nextBytes(tweak);
      byte[] data = new byte[units];
      r.nextBytes(data);
      Cipher c = accp.cipher("AES/XTS/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(tweak));
      assertThat(new Xts(CryptoEngines.jdk()).encrypt(key, tweak, units, data))
          .isEqualTo(c.doFinal(data));
    }
  }

  @Test
  void roundTripsAcrossUnitsAndRefusesPartialUnits() throws Exception {
    Xts xts = new Xts(CryptoEngines.best());
    byte[] key = new byte[64];
    key[40] = 1;
    byte[] data = new byte[4 * 512];
    new SecureRandom().nextBytes(data);
    byte[] ct = xts.encrypt(key, new byte[16], 512, data);
    assertThat(xts.decrypt(key, new byte[16], 512, ct)).isEqualTo(data);
    // Unit 1 of a run equals unit 0 of a run that starts one tweak later.
    byte[] tweak1 = new byte[16];
    tweak1[0] = 1;
    byte[] second = xts.encrypt(key, tweak1, 512, Arrays.copyOfRange(data, 512, 1024));
    assertThat(Arrays.copyOfRange(ct, 512, 1024)).isEqualTo(second);
    assertThatThrownBy(() -> xts.encrypt(key, new byte[16], 512, new byte[700]))
        .isInstanceOf(CryptoRefusal.class);
    assertThatThrownBy(() -> xts.encrypt(key, new byte[16], 24, new byte[48]))
        .isInstanceOf(CryptoRefusal.class);
    assertThatThrownBy(() -> xts.encrypt(key, new byte[15], 16, new byte[16]))
        .isInstanceOf(CryptoRefusal.class);
  }

  @Test
  void tweakArithmetic() {
    byte[] t = new byte[16];
    t[15] = (byte) 0x80;
    Xts.multiplyByAlpha(t);
    assertThat(t[0]).isEqualTo((byte) 0x87);
    byte[] c = new byte[16];
    c[0] = (byte) 0xFF;
    Xts.increment(c);
    assertThat(c[0]).isZero();
    assertThat(c[1]).isEqualTo((byte) 1);
  }
}
