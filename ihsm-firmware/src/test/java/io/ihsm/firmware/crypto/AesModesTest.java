package io.ihsm.firmware.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.macs.CMac;
import org.bouncycastle.crypto.modes.SICBlockCipher;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.junit.jupiter.api.Test;

/**
 * AES-ECB, AES-CTR and AES-CMAC on every engine, against published vectors and Bouncy Castle's
 * lightweight API.
 */
class AesModesTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final SecretKeySpec RFC4493_KEY =
      new SecretKeySpec(HEX.parseHex("2b7e151628aed2a6abf7158809cf4f3c"), "AES");
  private static final String RFC4493_MESSAGE =
      "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
          + "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";

  @Test
  void cmacGivesTheFourRfc4493TagsOnEveryEngine() throws Exception {
    String[][] cases = {
      {"0", "bb1d6929e95937287fa37d129b756746"},
      {"16", "070a16b46b4d4144f79bdd9dd04a287c"},
      {"40", "dfa66747de9ae63030ca32611497c827"},
      {"64", "51f0bebf7e3b9d92fc49741779363cfe"}
    };
    for (CryptoEngine engine : Engines.available()) {
      for (String[] c : cases) {
        byte[] message = Arrays.copyOf(HEX.parseHex(RFC4493_MESSAGE), Integer.parseInt(c[0]));
        assertThat(HEX.formatHex(new Cmac(engine).compute(RFC4493_KEY, message)))
            .as(engine.name() + ", " + c[0] + " bytes")
            .isEqualTo(c[1]);
      }
    }
  }

  @Test
  void cmacAgreesWithBouncyCastleForEveryKeySizeAndLengthsAroundTheBlock() throws Exception {
    SecureRandom random = new SecureRandom();
    for (CryptoEngine engine : Engines.available()) {
      for (int keyBytes : new int[] {16, 24, 32}) {
        byte[] key = new byte[keyBytes];
        random.nextBytes(key);
        for (int length = 0; length <= 65; length++) {
          byte[] message = new byte[length];
          random.nextBytes(message);
          CMac bc = new CMac(AESEngine.newInstance());
          bc.init(new KeyParameter(key));
          bc.update(message, 0, length);
          byte[] expected = new byte[16];
          bc.doFinal(expected, 0);
          assertThat(new Cmac(engine).compute(new SecretKeySpec(key, "AES"), message))
              .as(engine.name() + ", key " + keyBytes + ", message " + length)
              .isEqualTo(expected);
        }
      }
    }
  }

  @Test
  void cmacVerifiesFullAndTruncatedTagsDownToEightBytesOnly() throws Exception {
    Cmac cmac = new Cmac(CryptoEngines.best());
    byte[] message = "a message".getBytes(StandardCharsets.US_ASCII);
    byte[] tag = cmac.compute(RFC4493_KEY, message);
    assertThat(cmac.verify(RFC4493_KEY, message, tag)).isTrue();
    assertThat(cmac.verify(RFC4493_KEY, message, Arrays.copyOf(tag, 8))).isTrue();
    assertThat(cmac.verify(RFC4493_KEY, message, Arrays.copyOf(tag, 7))).isFalse();
    assertThat(cmac.verify(RFC4493_KEY, message, Arrays.copyOf(tag, 17))).isFalse();
    byte[] changed = tag.clone();
    changed[15] ^= 1;
    assertThat(cmac.verify(RFC4493_KEY, message, changed)).isFalse();
    assertThat(cmac.verify(RFC4493_KEY, "another".getBytes(StandardCharsets.US_ASCII), tag))
        .isFalse();
  }

  @Test
  void ecbGivesTheSp80038aVectorsAndRefusesPartialOrEmptyInput() throws Exception {
    // SP 800-38A F.1.1 (ECB-AES128), blocks 1 and 2.
    byte[] plain = HEX.parseHex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51");
    String cipher = "3ad77bb40d7a3660a89ecaf32466ef97f5d3d58503b9699de785895a96fdbaaf";
    for (CryptoEngine engine : Engines.available()) {
      Ciphers c = new Ciphers(engine);
      assertThat(HEX.formatHex(c.aesEcb(RFC4493_KEY, plain, true))).isEqualTo(cipher);
      assertThat(c.aesEcb(RFC4493_KEY, HEX.parseHex(cipher), false)).isEqualTo(plain);
      assertThatThrownBy(() -> c.aesEcb(RFC4493_KEY, new byte[17], true))
          .isInstanceOf(CryptoRefusal.class)
          .hasMessageContaining("whole 16-byte blocks");
      assertThatThrownBy(() -> c.aesEcb(RFC4493_KEY, new byte[0], false))
          .isInstanceOf(CryptoRefusal.class);
    }
  }

  @Test
  void ctrGivesTheSp80038aVectorAgreesWithBouncyCastleAcrossACarryAndRefusesAShortCounter()
      throws Exception {
    byte[] counter = HEX.parseHex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
    byte[] plain = HEX.parseHex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51");
    // SP 800-38A F.5.1 (CTR-AES128.Encrypt), blocks 1 and 2.
    String cipher = "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff";
    // A counter block whose low 64 bits are all ones: the next block carries into the high half.
    byte[] carrying = HEX.parseHex("0000000000000001ffffffffffffffff");
    byte[] data = new byte[100];
    new SecureRandom().nextBytes(data);
    SICBlockCipher bc = new SICBlockCipher(AESEngine.newInstance());
    bc.init(true, new ParametersWithIV(new KeyParameter(RFC4493_KEY.getEncoded()), carrying));
    byte[] expected = new byte[data.length];
    bc.processBytes(data, 0, data.length, expected, 0);
    for (CryptoEngine engine : Engines.available()) {
      Ciphers c = new Ciphers(engine);
      assertThat(HEX.formatHex(c.aesCtr(RFC4493_KEY, counter, plain))).isEqualTo(cipher);
      assertThat(c.aesCtr(RFC4493_KEY, counter, HEX.parseHex(cipher))).isEqualTo(plain);
      assertThat(c.aesCtr(RFC4493_KEY, carrying, data)).as(engine.name()).isEqualTo(expected);
      assertThat(c.aesCtr(RFC4493_KEY, counter, new byte[0])).isEmpty();
      assertThatThrownBy(() -> c.aesCtr(RFC4493_KEY, new byte[12], plain))
          .isInstanceOf(CryptoRefusal.class)
          .hasMessageContaining("16 bytes");
    }
  }
}
