package io.ihsm.sdk.internal;

import io.ihsm.ddi.spi.Port;
import io.ihsm.device.daemon.DeviceDaemon;
import io.ihsm.sdk.DeviceAddress;

/** Opens a transport to any port of one device: a daemon socket, or the shared embedded device. */
public final class Connector implements AutoCloseable {
  private final DeviceAddress address;
  private final EmbeddedDevices.Lease lease;

  private Connector(DeviceAddress address, EmbeddedDevices.Lease lease) {
    this.address = address;
    this.lease = lease;
  }

  public static Connector of(DeviceAddress address) {
    return switch (address) {
      case DeviceAddress.Daemon d -> new Connector(d, null);
      case DeviceAddress.Embedded e -> new Connector(e, EmbeddedDevices.acquire(e.stateDirectory()));
    };
  }

  public Transport open(Port port) {
    return switch (address) {
      case DeviceAddress.Daemon d -> new SocketTransport(d.socketDirectory().resolve(port.isManagement()
          ? DeviceDaemon.MANAGEMENT_SOCKET : DeviceDaemon.partitionSocketName(port.partitionId())));
      case DeviceAddress.Embedded e -> new EmbeddedTransport(lease, port);
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
