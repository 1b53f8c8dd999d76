package io.ihsm.device.daemon;

import io.ihsm.ddi.spi.Port;
import io.ihsm.device.Device;
import io.ihsm.host.OwnerOnly;
import io.ihsm.host.SocketNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The daemon's socket side: one management socket for the Crypto Officer and one socket per enabled
 * partition (the partition's "virtual function"), each owner-only. Sockets come and go as the
 * firmware enables and disables partitions.
 */
public final class DeviceDaemon implements AutoCloseable {
  public static final String MANAGEMENT_SOCKET = SocketNames.MANAGEMENT;

  private final Device device;
  private final Path socketDir;
  private final PortServer management;
  private final Map<Integer, PortServer> partitions = new ConcurrentHashMap<>();
  private final Map<Integer, String> socketOwners;
  private final ConnectionLimits limits;

  private DeviceDaemon(
      Device device,
      Path socketDir,
      PortServer management,
      Map<Integer, String> socketOwners,
      ConnectionLimits limits) {
    this.device = device;
    this.socketDir = socketDir;
    this.management = management;
    this.socketOwners = Map.copyOf(socketOwners);
    this.limits = limits;
  }

  /** Binds the management socket and one socket per partition the firmware has enabled. */
  public static DeviceDaemon start(Device device, Path socketDir) throws IOException {
    return start(device, socketDir, Map.of());
  }

  /**
   * Like {@link #start(Device, Path)}, handing partition sockets to workload users: partition N's
   * socket is owned by {@code socketOwners.get(N)} (still mode 0600, so only that user and root may
   * connect). Changing a file's owner needs root or CAP_CHOWN.
   */
  public static DeviceDaemon start(Device device, Path socketDir, Map<Integer, String> socketOwners)
      throws IOException {
    return start(device, socketDir, socketOwners, ConnectionLimits.DEFAULTS);
  }

  /** Like {@link #start(Device, Path, Map)}, with the connection limits every port applies. */
  public static DeviceDaemon start(
      Device device, Path socketDir, Map<Integer, String> socketOwners, ConnectionLimits limits)
      throws IOException {
    Path dir = OwnerOnly.createDirectories(socketDir.toAbsolutePath().normalize());
    PortServer mgmt =
        PortServer.start(
            device, Port.MANAGEMENT, dir.resolve(MANAGEMENT_SOCKET), Optional.empty(), limits);
    DeviceDaemon d = new DeviceDaemon(device, dir, mgmt, socketOwners, limits);
    device.addVirtualFunctionListener(
        new Device.VirtualFunctionListener() {
          @Override
          public void enabled(int partitionId) {
            d.openPartition(partitionId);
          }

          @Override
          public void disabled(int partitionId) {
            d.closePartition(partitionId);
          }
        });
    for (int id : device.enabledPartitions()) {
      d.openPartition(id);
    }
    return d;
  }

  public static String partitionSocketName(int partitionId) {
    return SocketNames.partition(partitionId);
  }

  public Path socketDirectory() {
    return socketDir;
  }

  public Path managementSocket() {
    return management.socketPath();
  }

  public Device device() {
    return device;
  }

  private void openPartition(int id) {
    partitions.computeIfAbsent(
        id,
        k -> {
          try {
            return PortServer.start(
                device,
                Port.partition(k),
                socketDir.resolve(partitionSocketName(k)),
                Optional.ofNullable(socketOwners.get(k)),
                limits);
          } catch (IOException e) {
            throw new UncheckedIOException("cannot open the socket of partition " + k, e);
          }
        });
  }

  private void closePartition(int id) {
    PortServer s = partitions.remove(id);
    if (s != null) {
      try {
        s.close();
      } catch (IOException ignored) {
        // the partition is gone either way
      }
    }
  }

  /** Stops accepting, closes every connection and removes the socket files. The device stays on. */
  @Override
  public void close() throws IOException {
    management.close();
    for (Integer id : Map.copyOf(partitions).keySet()) {
      closePartition(id);
    }
  }
}
