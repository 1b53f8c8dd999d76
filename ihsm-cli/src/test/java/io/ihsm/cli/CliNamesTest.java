package io.ihsm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import org.junit.jupiter.api.Test;

/**
 * The CLI's spellings cover every kind a user makes and every usage, and read as reports and the
 * key store write them.
 */
class CliNamesTest {
  @Test
  void everyKindAndUsageHasOneSpellingThatRoundTripsAndMatchesTheStoredTextForm() {
    for (KeyKind k : KeyKind.values()) {
      if (k == KeyKind.SECRET) {
        continue; // made only by derivation, never named on the command line
      }
      assertThat(CliNames.kind(CliNames.of(k))).isEqualTo(k);
      assertThat(CliNames.of(k)).isEqualTo(k.textName());
    }
    for (KeyUsage u : KeyUsage.values()) {
      assertThat(CliNames.usage(CliNames.of(u))).isEqualTo(u);
      assertThat(CliNames.of(u)).isEqualTo(u.textName());
    }
    assertThatThrownBy(() -> CliNames.kind("secret"))
        .isInstanceOf(CliFailure.Usage.class)
        .hasMessageContaining("unknown key kind secret; one of aes-128");
    assertThatThrownBy(() -> CliNames.usage("fly"))
        .hasMessage("unknown usage fly; one of sign, encrypt, wrap, derive");
  }
}
