package io.ihsm.ddi.spi;

/** A booted firmware: it answers request frames until the device powers it off. */
public interface FirmwareInstance extends AutoCloseable {
  /**
   * Serves one request frame that arrived on {@code port} from the client {@code client};
   * thread-safe. Always returns a response frame (an error status when the request is bad) and
   * never throws. Sessions are found only for the client that opened them.
   */
  byte[] process(Port port, ClientBinding client, byte[] requestFrame);

  /** Power off: volatile state (sessions, loaded keys) is gone. */
  @Override
  void close();
}
