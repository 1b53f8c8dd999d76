package io.ihsm.kmip.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ihsm.kmip.ttlv.Ttlv;
import io.ihsm.kmip.ttlv.TtlvCodec;
import io.ihsm.kmip.ttlv.TtlvException;

/**
 * Coverage-guided fuzzing (Jazzer) of what a KMIP client's message becomes before any operation
 * runs: TTLV that decodes is a request or a KmipException with a reason, never another exception; a
 * request has 1 to 64 items. Seeds: {@code
 * src/test/resources/io/ihsm/kmip/protocol/KmipFuzzTestInputs/}.
 */
class KmipFuzzTest {
  @FuzzTest(maxDuration = "10s")
  void requests(byte[] input) {
    Ttlv message;
    try {
      message = TtlvCodec.decode(input);
    } catch (TtlvException refused) {
      return;
    }
    try {
      Request r = Request.parse(message);
      assertThat(r.items()).hasSizeBetween(1, Request.MAX_BATCH_ITEMS);
    } catch (KmipException refused) {
      assertThat(refused.reason()).isNotNull();
      assertThat(refused.getMessage()).isNotBlank();
    }
  }
}
