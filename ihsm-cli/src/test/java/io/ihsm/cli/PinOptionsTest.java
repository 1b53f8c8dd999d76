package io.ihsm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PinOptionsTest {
  @TempDir Path tmp;

  private PinOptions fromFile(String content) throws Exception {
    Path f = tmp.resolve("pin-" + System.nanoTime());
    Files.writeString(f, content, StandardCharsets.UTF_8);
    PinOptions o = new PinOptions();
    o.pinFile = f;
    return o;
  }

  @Test
  void aPinFileGivesItsFirstLineWithoutTheLineEnd() throws Exception {
    assertThat(fromFile("first-pin\r\nsecond line\n").pin("PIN", null)).isEqualTo("first-pin");
    assertThat(fromFile("no-newline").pin("PIN", null)).isEqualTo("no-newline");
  }

  @Test
  void aPinOfTheLongestLengthIsTakenAndOneCharacterMoreIsRefusedWithoutEchoingIt()
      throws Exception {
    String longest = "p".repeat(PinOptions.MAX_PIN_CHARS);
    assertThat(fromFile(longest + "\n").pin("PIN", null)).isEqualTo(longest);

    String tooLong = "q".repeat(PinOptions.MAX_PIN_CHARS + 1);
    assertThatThrownBy(() -> fromFile(tooLong + "\n").pin("PIN", null))
        .isInstanceOf(CliFailure.class)
        .hasMessageContaining("longer than 128")
        .hasMessageNotContaining(tooLong);
    assertThatThrownBy(() -> new PinOptions().pin("PIN", tooLong))
        .isInstanceOf(CliFailure.class)
        .hasMessageContaining("IHSM_PIN is longer than 128")
        .hasMessageNotContaining(tooLong);
  }

  @Test
  void anEmptyPinFileIsRefusedAndNamed() throws Exception {
    assertThatThrownBy(() -> fromFile("\n").pin("PIN", null))
        .isInstanceOf(CliFailure.class)
        .hasMessageContaining("--pin-file")
        .hasMessageContaining("is empty");
  }

  @Test
  void aFileComesBeforeTheEnvironmentAndBothFileAndDescriptorIsAUsageError() throws Exception {
    assertThat(fromFile("from-file\n").pin("PIN", "from-env")).isEqualTo("from-file");
    assertThat(new PinOptions().pin("PIN", "from-env")).isEqualTo("from-env");

    PinOptions both = fromFile("x\n");
    both.pinFd = 3;
    assertThatThrownBy(() -> both.pin("PIN", null)).isInstanceOf(CliFailure.Usage.class);
  }

  @Test
  void withNoSourceAndNoTerminalItSaysWhereAPinCanComeFrom() {
    // Tests run without a console, so nothing can be prompted for.
    assertThatThrownBy(() -> new PinOptions().pin("PIN", null))
        .isInstanceOf(CliFailure.class)
        .hasMessageContaining("--pin-file")
        .hasMessageContaining("IHSM_PIN");
  }
}
