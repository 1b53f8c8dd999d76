package io.ihsm.kms;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing (Jazzer) of what the API server hands back to the plugin: any stored
 * ciphertext is an envelope or an IllegalArgumentException (INVALID_ARGUMENT), never another
 * exception; and what it accepts it encodes back byte for byte. Seeds: {@code
 * src/test/resources/io/ihsm/kms/KmsFuzzTestInputs/}.
 */
class KmsFuzzTest {
  @FuzzTest(maxDuration = "10s")
  void envelopes(byte[] input) {
    Envelope e;
    try {
      e = Envelope.decode(input);
    } catch (IllegalArgumentException refused) {
      return;
    }
    assertThat(e.encode()).isEqualTo(input);
    assertThat(e.iv()).hasSize(Envelope.IV_BYTES);
    assertThat(e.ciphertext().length).isGreaterThanOrEqualTo(Envelope.TAG_BYTES);
  }
}
