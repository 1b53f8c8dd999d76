package io.ihsm.host.spi;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Powers on an embedded device. The SDK finds one with {@link java.util.ServiceLoader} when an
 * application asks for the embedded device, so an application that talks to a daemon has no
 * emulator on its class path; {@code ihsm-device} provides it.
 */
public interface EmbeddedDeviceProvider {
  /**
   * @throws IOException when the state directory cannot be used
   * @throws IllegalStateException when another process holds the state directory
   */
  EmbeddedDevice powerOn(Path stateDirectory) throws IOException;
}
