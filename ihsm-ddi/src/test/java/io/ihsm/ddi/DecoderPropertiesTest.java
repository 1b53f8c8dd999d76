package io.ihsm.ddi;

import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.ddi.message.ApiRevisionRange;
import io.ihsm.ddi.message.BodyDecoder;
import io.ihsm.ddi.message.DeviceInfo;
import io.ihsm.ddi.message.DeviceStatus;
import io.ihsm.ddi.message.Empty;
import io.ihsm.ddi.message.GetRandomRequest;
import io.ihsm.ddi.message.RandomBytes;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** Random and mutated input to every decoder: a DdiException or a value, never anything else. */
class DecoderPropertiesTest {
  static final List<BodyDecoder<?>> DECODERS = List.of(Empty::read, ApiRevisionRange::read, DeviceInfo::read,
      DeviceStatus::read, GetRandomRequest::read, RandomBytes::read);

  @Property(tries = 2000)
  void randomBytesNeverEscapeAsAnotherException(@ForAll @Size(max = 80) byte[] bytes) {
    assertOnlyDdiExceptions(() -> Frames.decodeRequest(bytes));
    assertOnlyDdiExceptions(() -> Frames.decodeResponse(bytes));
    for (BodyDecoder<?> d : DECODERS) {
      assertOnlyDdiExceptions(() -> d.read(BodyReader.of(bytes)));
    }
  }

  @Property(tries = 2000)
  void mutatedValidBodiesNeverEscape(@ForAll("validBodies") byte[] body, @ForAll int position, @ForAll byte value,
      @ForAll boolean truncate) {
    byte[] mutated = body.clone();
    if (mutated.length > 0) {
      int i = Math.floorMod(position, mutated.length);
      if (truncate) {
        mutated = java.util.Arrays.copyOf(mutated, i);
      } else {
        mutated[i] = value;
      }
    }
    byte[] input = mutated;
    for (BodyDecoder<?> d : DECODERS) {
      assertOnlyDdiExceptions(() -> d.read(BodyReader.of(input)));
    }
  }

  @Provide
  Arbitrary<byte[]> validBodies() {
    return Arbitraries.of(
        new DeviceInfo("ihsm", "model", "IHSM-0011", "1.0.0", "ACCP 2.5.0 (AWS-LC)", 262144).toBytes(),
        new DeviceStatus(io.ihsm.ddi.message.DeviceState.ERROR, "reason", "1.0", 1, 5, 3, 4, 2, 1, false).toBytes(),
        new ApiRevisionRange(ApiRevision.V1_0, ApiRevision.V1_0).toBytes(),
        new GetRandomRequest(32).toBytes(),
        new RandomBytes(new byte[16]).toBytes());
  }

  private static void assertOnlyDdiExceptions(FramesTest.ThrowingCall call) {
    try {
      call.run();
    } catch (DdiException expected) {
      assertThat(expected.status()).isNotNull();
    } catch (Exception other) {
      throw new AssertionError("decoder leaked " + other, other);
    }
  }
}
