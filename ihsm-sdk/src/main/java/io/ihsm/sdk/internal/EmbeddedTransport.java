package io.ihsm.sdk.internal;

import io.ihsm.ddi.ApiRevision;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Frames;
import io.ihsm.ddi.RequestHeader;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.message.Body;
import io.ihsm.ddi.spi.ClientBinding;
import io.ihsm.ddi.spi.Port;
import io.ihsm.host.spi.EmbeddedDevice;
import io.ihsm.sdk.IhsmException;
import java.time.Duration;

/**
 * The embedded transport: frames go straight to a device in this process, encoded and decoded
 * exactly as on a socket, so the same SDK code path is exercised. The device's lease belongs to the
 * connector that made this transport. The call runs on the caller's thread, so no timeout applies.
 */
public final class EmbeddedTransport implements Transport {
  private final EmbeddedDevices.Lease lease;
  private final Port port;
  private final ClientBinding client;
  private final RequestIds ids = new RequestIds();

  public EmbeddedTransport(EmbeddedDevices.Lease lease, Port port, ClientBinding client) {
    this.lease = lease;
    this.port = port;
    this.client = client;
  }

  @Override
  public Frames.Response call(
      ApiRevision revision, int opcode, int sessionId, Body body, Duration timeout) {
    int id = ids.next();
    EmbeddedDevice device = lease.device();
    byte[] response =
        device.process(
            port,
            client,
            Frames.encodeRequest(
                new RequestHeader(revision, opcode, sessionId, id), body::writeTo));
    try {
      return Frames.decodeResponse(response);
    } catch (DdiException e) {
      throw new IhsmException(
          Status.CONNECTION_LOST,
          "the embedded device answered with a malformed frame: " + e.getMessage());
    }
  }

  @Override
  public String describe() {
    return "embedded device (development only) at " + lease.device().stateDirectory();
  }

  @Override
  public void close() {
    // the lease is released by the connector
  }
}
