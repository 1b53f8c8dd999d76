package io.ihsm.firmware.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.Security;
import org.junit.jupiter.api.Test;

class CryptoEnginesTest {
  @Test
  void accpLoadsOnThisPlatformAndIsPreferred() {
    // ACCP ships a linux-x86_64 native library; where it cannot load, the JDK engine is used.
    boolean linuxX64 =
        System.getProperty("os.name").equals("Linux")
            && System.getProperty("os.arch").equals("amd64");
    assertThat(CryptoEngines.accp().isPresent()).isEqualTo(linuxX64);
    assertThat(CryptoEngines.best().name()).startsWith(linuxX64 ? "ACCP" : "JDK");
  }

  @Test
  void enginesAreNeverInstalledInTheJvm() {
    CryptoEngines.best().signature("SHA256withECDSA");
    assertThat(Security.getProvider("AmazonCorrettoCryptoProvider")).isNull();
  }

  @Test
  void anAlgorithmNoProviderOffersIsAModuleError() {
    for (CryptoEngine e : Engines.available()) {
      assertThatThrownBy(() -> e.cipher("Rot13/ECB/NoPadding"))
          .isInstanceOf(CryptoEngine.UnsupportedAlgorithmException.class)
          .hasMessageContaining("Rot13");
    }
  }

  @Test
  void hkdfRefusesOutputBeyond255Blocks() {
    Hkdf h = new Hkdf(CryptoEngines.jdk(), "HmacSHA256");
    assertThat(h.maxOutputLength()).isEqualTo(255 * 32);
    assertThatThrownBy(() -> h.derive(new byte[16], new byte[0], new byte[0], 255 * 32 + 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(h.derive(new byte[16], new byte[0], new byte[0], 255 * 32)).hasSize(255 * 32);
  }
}
