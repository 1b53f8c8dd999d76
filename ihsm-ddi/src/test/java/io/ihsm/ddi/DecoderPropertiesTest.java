package io.ihsm.ddi;

import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.ddi.message.ApiRevisionRange;
import io.ihsm.ddi.message.BodyDecoder;
import io.ihsm.ddi.message.DeviceInfo;
import io.ihsm.ddi.message.DeviceState;
import io.ihsm.ddi.message.DeviceStatus;
import io.ihsm.ddi.message.GetRandomRequest;
import io.ihsm.ddi.message.RandomBytes;
import io.ihsm.ddi.testing.Mutations;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated input to every decoder, from fixed seeds: a DdiException or a value, never
 * anything else. {@link DdiFuzzTest} fuzzes the same decoders guided by coverage.
 */
class DecoderPropertiesTest {
  static final List<byte[]> VALID_BODIES =
      List.of(
          new DeviceInfo("ihsm", "model", "IHSM-0011", "1.0.0", "ACCP 2.5.0 (AWS-LC)", 262144)
              .toBytes(),
          new DeviceStatus(DeviceState.ERROR, "reason", "1.0", 1, 5, 3, 4, 2, 1, false).toBytes(),
          new ApiRevisionRange(ApiRevision.V1_0, ApiRevision.V1_0).toBytes(),
          new GetRandomRequest(32).toBytes(),
          new RandomBytes(new byte[16]).toBytes());

  @Test
  void randomBytesNeverEscapeAsAnotherException() {
    Random r = new Random(0x1d1);
    for (int i = 0; i < 2000; i++) {
      byte[] bytes = Mutations.random(r, 80);
      DdiFuzzTest.onlyDdiExceptions(() -> Frames.decodeRequest(bytes));
      DdiFuzzTest.onlyDdiExceptions(() -> Frames.decodeResponse(bytes));
      for (BodyDecoder<?> d : DdiFuzzTest.DECODERS) {
        DdiFuzzTest.onlyDdiExceptions(() -> d.read(BodyReader.of(bytes)));
      }
    }
  }

  @Test
  void mutatedValidBodiesNeverEscape() {
    Random r = new Random(0x1d2);
    for (int i = 0; i < 2000; i++) {
      byte[] input = Mutations.mutate(r, VALID_BODIES);
      for (BodyDecoder<?> d : DdiFuzzTest.DECODERS) {
        DdiFuzzTest.onlyDdiExceptions(() -> d.read(BodyReader.of(input)));
      }
    }
    assertThat(DdiFuzzTest.DECODERS).hasSizeGreaterThan(30);
  }
}
