package io.ihsm.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.ddi.ApiRevision;
import io.ihsm.ddi.Frames;
import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.RequestHeader;
import io.ihsm.ddi.message.DeviceState;
import io.ihsm.ddi.message.DeviceStatus;
import io.ihsm.ddi.spi.ClientBinding;
import io.ihsm.ddi.spi.Port;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The card's watched tamper input: a file appearing in the state directory fires the sensor it
 * names.
 */
class TamperInputTest {
  @TempDir Path tmp;

  static DeviceStatus status(Device d) throws Exception {
    byte[] req =
        Frames.encodeRequest(
            RequestHeader.of(ApiRevision.V1_0, Opcode.GET_DEVICE_STATUS, 0, 1), new byte[0]);
    return DeviceStatus.read(
        Frames.decodeResponse(d.process(Port.MANAGEMENT, ClientBinding.random(), req)).body());
  }

  @Test
  void pokingTheInputTampersTheDevice() throws Exception {
    try (Device d = Device.powerOn(DeviceConfig.of(tmp.resolve("state")))) {
      assertThat(status(d).state()).isEqualTo(DeviceState.OPERATIONAL);
      Path input = tmp.resolve("state").resolve(TamperInput.FILE);
      Files.writeString(input, "temperature\n");
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (status(d).state() == DeviceState.OPERATIONAL && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      DeviceStatus s = status(d);
      assertThat(s.state()).isEqualTo(DeviceState.TAMPERED);
      assertThat(s.reason()).isEqualTo("tamper: temperature");
      assertThat(s.tamperCount()).isEqualTo(1);
      assertThat(input).doesNotExist();
    }
  }
}
