package io.ihsm.sdk;

import io.ihsm.ddi.ApiRevision;
import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.message.ApiRevisionRange;
import io.ihsm.ddi.message.DeviceInfo;
import io.ihsm.ddi.message.DeviceStatus;
import io.ihsm.ddi.message.Empty;
import io.ihsm.ddi.message.GetRandomRequest;
import io.ihsm.ddi.message.RandomBytes;
import io.ihsm.ddi.spi.Port;
import io.ihsm.device.daemon.DeviceDaemon;
import io.ihsm.sdk.internal.Channel;
import io.ihsm.sdk.internal.EmbeddedDevices;
import io.ihsm.sdk.internal.EmbeddedTransport;
import io.ihsm.sdk.internal.SocketTransport;
import io.ihsm.sdk.internal.Transport;
import java.time.Duration;

/**
 * A connection to an ihsm device, the same API whether the device is a daemon or embedded.
 * Thread-safe. Every call either returns the device's answer or throws {@link IhsmException}
 * carrying the device status (or a host-side status when the device cannot be reached).
 *
 * <pre>{@code
 * try (IhsmClient hsm = IhsmClient.connect(DeviceAddress.daemon(Path.of("/run/ihsm")))) {
 *   DeviceStatus status = hsm.deviceStatus();
 * }
 * }</pre>
 */
public final class IhsmClient implements AutoCloseable {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  private final Channel management;
  private final DeviceAddress address;

  private IhsmClient(Channel management, DeviceAddress address) {
    this.management = management;
    this.address = address;
  }

  public static IhsmClient connect(DeviceAddress address) {
    return connect(address, DEFAULT_TIMEOUT);
  }

  /**
   * Connects and agrees the API revision: the newest one both sides speak.
   *
   * @param timeout how long any one call may wait for its answer
   */
  public static IhsmClient connect(DeviceAddress address, Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    Transport t = switch (address) {
      case DeviceAddress.Daemon d -> new SocketTransport(d.socketDirectory().resolve(DeviceDaemon.MANAGEMENT_SOCKET));
      case DeviceAddress.Embedded e -> new EmbeddedTransport(EmbeddedDevices.acquire(e.stateDirectory()), Port.MANAGEMENT);
    };
    Channel ch = new Channel(t, timeout);
    try {
      ApiRevisionRange range = ch.call(Opcode.GET_API_REV, 0, Empty.INSTANCE, ApiRevisionRange::read);
      ApiRevision agreed = range.newestCommon();
      if (agreed == null) {
        throw new IhsmException(Status.UNSUPPORTED_API_REVISION, "the device speaks API revisions " + range.min()
            + " to " + range.max() + ", this SDK speaks " + ApiRevision.SUPPORTED);
      }
      ch.agree(agreed);
      return new IhsmClient(ch, address);
    } catch (RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  public DeviceAddress address() {
    return address;
  }

  /** The API revision agreed with the device. */
  public ApiRevision apiRevision() {
    return management.revision();
  }

  /** Where the device is, e.g. "daemon socket /run/ihsm/management.sock". */
  public String describeTransport() {
    return management.describe();
  }

  public ApiRevisionRange deviceApiRevisions() {
    return management.call(Opcode.GET_API_REV, 0, Empty.INSTANCE, ApiRevisionRange::read);
  }

  public DeviceInfo deviceInfo() {
    return management.call(Opcode.GET_DEVICE_INFO, 0, Empty.INSTANCE, DeviceInfo::read);
  }

  /** Readable in every device state, including ERROR. */
  public DeviceStatus deviceStatus() {
    return management.call(Opcode.GET_DEVICE_STATUS, 0, Empty.INSTANCE, DeviceStatus::read);
  }

  /** Random bytes from the module's random bit generator; 1 to 1024 per call. */
  public byte[] randomBytes(int length) {
    return management.call(Opcode.GET_RANDOM, 0, new GetRandomRequest(length), RandomBytes::read).bytes();
  }

  @Override
  public void close() {
    management.close();
  }
}
