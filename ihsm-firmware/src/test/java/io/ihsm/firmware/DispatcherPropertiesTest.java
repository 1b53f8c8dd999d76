package io.ihsm.firmware;

import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.ddi.ApiRevision;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Frames;
import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.RequestHeader;
import io.ihsm.ddi.message.GetRandomRequest;
import io.ihsm.ddi.spi.Port;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Random and mutated frames into the dispatcher: always one well-formed answer, never an exception. */
class DispatcherPropertiesTest {
  final Firmware fw = Firmware.powerOn(new TestPlatform());

  @Property(tries = 3000)
  void randomFramesAreAlwaysAnswered(@ForAll @Size(max = 64) byte[] frame, @ForAll @IntRange(max = 3) int port) {
    assertWellFormedAnswer(frame, new Port(port));
  }

  @Property(tries = 3000)
  void mutatedValidFramesAreAlwaysAnswered(@ForAll("validFrames") byte[] valid, @ForAll int position,
      @ForAll byte value, @ForAll @IntRange(max = 2) int mutation) {
    int i = Math.floorMod(position, valid.length);
    byte[] mutated = switch (mutation) {
      case 0 -> {
        byte[] m = valid.clone();
        m[i] = value;
        yield m;
      }
      case 1 -> Arrays.copyOf(valid, i);
      default -> {
        byte[] m = Arrays.copyOf(valid, valid.length + 1);
        m[valid.length] = value;
        yield m;
      }
    };
    assertWellFormedAnswer(mutated, Port.partition(1));
  }

  @Provide
  Arbitrary<byte[]> validFrames() {
    return Arbitraries.of(
        Frames.encodeRequest(RequestHeader.of(ApiRevision.NONE, Opcode.GET_API_REV, 0, 11), new byte[0]),
        Frames.encodeRequest(RequestHeader.of(ApiRevision.V1_0, Opcode.GET_DEVICE_INFO, 0, 12), new byte[0]),
        Frames.encodeRequest(RequestHeader.of(ApiRevision.V1_0, Opcode.GET_DEVICE_STATUS, 0, 13), new byte[0]),
        Frames.encodeRequest(RequestHeader.of(ApiRevision.V1_0, Opcode.GET_RANDOM, 0, 14), new GetRandomRequest(16).toBytes()),
        Frames.encodeRequest(RequestHeader.of(ApiRevision.V1_0, Opcode.CLOSE_SESSION, 99, 15), new byte[0]),
        Frames.encodeRequest(RequestHeader.of(ApiRevision.V1_0, Opcode.SIGN, 99, 16),
            io.ihsm.ddi.key.Operation.of(5, io.ihsm.ddi.key.Algorithm.ECDSA, new byte[32]).toBytes()),
        Frames.encodeRequest(RequestHeader.of(ApiRevision.V1_0, Opcode.CREATE_PARTITION, 99, 17),
            new io.ihsm.ddi.message.CreatePartitionRequest("p", io.ihsm.ddi.message.PartitionLimits.DEFAULTS).toBytes()),
        Frames.encodeRequest(RequestHeader.of(ApiRevision.V1_0, Opcode.OPEN_SESSION, 0, 18),
            new io.ihsm.ddi.message.SealedCredential(new byte[91], new byte[12], new byte[48]).toBytes()));
  }

  private void assertWellFormedAnswer(byte[] frame, Port port) {
    byte[] response = fw.process(port, frame);
    Frames.Response r;
    try {
      r = Frames.decodeResponse(response);
    } catch (DdiException e) {
      throw new AssertionError("malformed response " + e.getMessage());
    }
    assertThat(r.header().requestId()).isEqualTo(Frames.requestIdOf(frame));
    if (r.header().status() != io.ihsm.ddi.Status.SUCCESS) {
      assertThat(r.body().remaining()).as("error responses carry no body").isZero();
    }
  }
}
