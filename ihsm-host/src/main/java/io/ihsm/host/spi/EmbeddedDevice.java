package io.ihsm.host.spi;

import io.ihsm.ddi.spi.ClientBinding;
import io.ihsm.ddi.spi.Port;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A device running in this process (development only), as the SDK's embedded transport drives it.
 */
public interface EmbeddedDevice extends AutoCloseable {
  /** One request frame to a port, for a client; the response frame. */
  byte[] process(Port port, ClientBinding client, byte[] requestFrame);

  /** Power-cycles it, like a reset or live migration: every volatile secret is lost. */
  void powerCycle() throws IOException;

  Path stateDirectory();

  @Override
  void close() throws IOException;
}
