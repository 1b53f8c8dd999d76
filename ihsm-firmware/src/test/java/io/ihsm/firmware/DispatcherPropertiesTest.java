package io.ihsm.firmware;

import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.ddi.ApiRevision;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Frames;
import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.RequestHeader;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.key.Algorithm;
import io.ihsm.ddi.key.Operation;
import io.ihsm.ddi.message.CreatePartitionRequest;
import io.ihsm.ddi.message.GetRandomRequest;
import io.ihsm.ddi.message.PartitionLimits;
import io.ihsm.ddi.message.SealedCredential;
import io.ihsm.ddi.spi.Port;
import io.ihsm.ddi.testing.Mutations;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated frames into the dispatcher, from fixed seeds: always one well-formed answer,
 * never an exception. {@link FirmwareFuzzTest} fuzzes the same entry point guided by coverage.
 */
class DispatcherPropertiesTest {
  final Firmware fw = Firmware.powerOn(new TestPlatform());

  static final List<byte[]> VALID_FRAMES =
      List.of(
          Frames.encodeRequest(
              RequestHeader.of(ApiRevision.NONE, Opcode.GET_API_REV, 0, 11), new byte[0]),
          Frames.encodeRequest(
              RequestHeader.of(ApiRevision.V1_0, Opcode.GET_DEVICE_INFO, 0, 12), new byte[0]),
          Frames.encodeRequest(
              RequestHeader.of(ApiRevision.V1_0, Opcode.GET_DEVICE_STATUS, 0, 13), new byte[0]),
          Frames.encodeRequest(
              RequestHeader.of(ApiRevision.V1_0, Opcode.GET_RANDOM, 0, 14),
              new GetRandomRequest(16).toBytes()),
          Frames.encodeRequest(
              RequestHeader.of(ApiRevision.V1_0, Opcode.CLOSE_SESSION, 99, 15), new byte[0]),
          Frames.encodeRequest(
              RequestHeader.of(ApiRevision.V1_0, Opcode.SIGN, 99, 16),
              Operation.of(5, Algorithm.ECDSA, new byte[32]).toBytes()),
          Frames.encodeRequest(
              RequestHeader.of(ApiRevision.V1_0, Opcode.CREATE_PARTITION, 99, 17),
              new CreatePartitionRequest("p", PartitionLimits.DEFAULTS).toBytes()),
          Frames.encodeRequest(
              RequestHeader.of(ApiRevision.V1_0, Opcode.OPEN_SESSION, 0, 18),
              new SealedCredential(new byte[91], new byte[12], new byte[48]).toBytes()));

  @Test
  void randomFramesAreAlwaysAnswered() {
    Random r = new Random(0xd15);
    for (int i = 0; i < 3000; i++) {
      assertWellFormedAnswer(fw, Mutations.random(r, 64), new Port(r.nextInt(4)));
    }
  }

  @Test
  void mutatedValidFramesAreAlwaysAnswered() {
    Random r = new Random(0xd16);
    for (int i = 0; i < 3000; i++) {
      assertWellFormedAnswer(fw, Mutations.mutate(r, VALID_FRAMES), Port.partition(1));
    }
  }

  static void assertWellFormedAnswer(Firmware fw, byte[] frame, Port port) {
    byte[] response = fw.process(port, Requests.CLIENT, frame);
    Frames.Response r;
    try {
      r = Frames.decodeResponse(response);
    } catch (DdiException e) {
      throw new AssertionError("malformed response " + e.getMessage());
    }
    assertThat(r.header().requestId()).isEqualTo(Frames.requestIdOf(frame));
    if (r.header().status() != Status.SUCCESS) {
      // An error response carries nothing but its reason: a bounded string, or nothing.
      assertThat(r.body().remaining())
          .as("error responses carry at most a reason")
          .isLessThanOrEqualTo(4 + Frames.MAX_REASON_BYTES);
      assertThat(
              r.reason().getBytes(StandardCharsets.UTF_8).length + 4 == r.body().remaining()
                  || r.body().remaining() == 0)
          .as("the body is exactly the reason")
          .isTrue();
    }
  }
}
