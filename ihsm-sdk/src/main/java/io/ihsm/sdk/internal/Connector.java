package io.ihsm.sdk.internal;

import io.ihsm.ddi.spi.ClientBinding;
import io.ihsm.ddi.spi.Port;
import io.ihsm.host.SocketNames;
import io.ihsm.sdk.DeviceAddress;

/**
 * Opens a transport to any port of one device: a daemon socket, or the shared embedded device.
 * Every transport it opens speaks for one client (one secret binding), so the sessions the client
 * opens on one connection are usable on its others and on nobody else's.
 */
public final class Connector implements AutoCloseable {
  private final DeviceAddress address;
  private final EmbeddedDevices.Lease lease;
  private final ClientBinding client = ClientBinding.random();

  private Connector(DeviceAddress address, EmbeddedDevices.Lease lease) {
    this.address = address;
    this.lease = lease;
  }

  public static Connector of(DeviceAddress address) {
    return switch (address) {
      case DeviceAddress.Daemon d -> new Connector(d, null);
      case DeviceAddress.Embedded e ->
          new Connector(e, EmbeddedDevices.acquire(e.stateDirectory()));
    };
  }

  public Transport open(Port port) {
    return switch (address) {
      case DeviceAddress.Daemon d ->
          new SocketTransport(
              d.socketDirectory()
                  .resolve(
                      port.isManagement()
                          ? SocketNames.MANAGEMENT
                          : SocketNames.partition(port.partitionId())),
              client);
      case DeviceAddress.Embedded e -> new EmbeddedTransport(lease, port, client);
    };
  }

  /** The embedded device, when this connector has one (for a simulated reset). */
  public EmbeddedDevices.Lease embedded() {
    return lease;
  }

  @Override
  public void close() {
    if (lease != null) {
      lease.close();
    }
  }
}
