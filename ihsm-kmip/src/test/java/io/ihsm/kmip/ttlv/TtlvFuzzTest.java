package io.ihsm.kmip.ttlv;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing (Jazzer) of the TTLV decoder a KMIP client's bytes reach first: anything
 * is a well-formed item or a TtlvException, never another exception; and what it accepts it encodes
 * back byte for byte (one encoding per message). Seeds: {@code
 * src/test/resources/io/ihsm/kmip/ttlv/TtlvFuzzTestInputs/}.
 */
class TtlvFuzzTest {
  @FuzzTest(maxDuration = "10s")
  void anyBytes(byte[] input) {
    Ttlv item;
    try {
      item = TtlvCodec.decode(input);
    } catch (TtlvException refused) {
      return;
    }
    assertThat(TtlvCodec.encode(item)).isEqualTo(input);
  }
}
