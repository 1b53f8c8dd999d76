package io.ihsm.device;

import io.ihsm.ddi.spi.ClientBinding;
import io.ihsm.ddi.spi.Port;
import io.ihsm.host.spi.EmbeddedDevice;
import io.ihsm.host.spi.EmbeddedDeviceProvider;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The emulated device as the SDK's embedded transport finds it (META-INF/services): powered on with
 * its defaults.
 */
public final class EmbeddedDeviceService implements EmbeddedDeviceProvider {
  @Override
  public EmbeddedDevice powerOn(Path stateDirectory) throws IOException {
    Device device = Device.powerOn(DeviceConfig.of(stateDirectory));
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
