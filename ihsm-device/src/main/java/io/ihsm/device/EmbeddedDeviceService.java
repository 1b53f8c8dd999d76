package io.ihsm.device;

import io.ihsm.ddi.spi.ClientBinding;
import io.ihsm.ddi.spi.Port;
import io.ihsm.host.spi.EmbeddedDevice;
import io.ihsm.host.spi.EmbeddedDeviceProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The emulated device as the SDK's embedded transport finds it (META-INF/services): powered on with
 * its defaults. Two commands on one home wait for each other: while another process's embedded
 * device holds the state, this one waits for it up to {@code $IHSM_LOCK_WAIT} seconds (system
 * property {@code ihsm.lockWaitSeconds}; default 30, 0 fails at once).
 */
public final class EmbeddedDeviceService implements EmbeddedDeviceProvider {
  static final int DEFAULT_LOCK_WAIT_SECONDS = 30;

  /** How long an embedded device waits for its state directory. */
  static Duration lockWait() {
    String v = System.getProperty("ihsm.lockWaitSeconds", System.getenv("IHSM_LOCK_WAIT"));
    if (v == null || !v.strip().matches("\\d{1,5}")) {
      return Duration.ofSeconds(DEFAULT_LOCK_WAIT_SECONDS);
    }
    return Duration.ofSeconds(Integer.parseInt(v.strip()));
  }

  @Override
  public EmbeddedDevice powerOn(Path stateDirectory) throws IOException {
    Device device = Device.powerOn(DeviceConfig.of(stateDirectory).withLockWait(lockWait()));
    return new EmbeddedDevice() {
      @Override
      public byte[] process(Port port, ClientBinding client, byte[] requestFrame) {
        return device.process(port, client, requestFrame);
      }

      @Override
      public void powerCycle() throws IOException {
        device.powerCycle();
      }

      @Override
      public Path stateDirectory() {
        return device.stateDirectory();
      }

      @Override
      public void close() throws IOException {
        device.close();
      }
    };
  }
}
