package io.ihsm.sdk.internal;

import io.ihsm.ddi.Status;
import io.ihsm.host.spi.EmbeddedDevice;
import io.ihsm.host.spi.EmbeddedDeviceProvider;
import io.ihsm.sdk.IhsmException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * One embedded device per state directory in this JVM, shared by every client that names it and
 * powered off when the last one closes. (Across processes the state directory's lock keeps two
 * devices from sharing state.) The device comes from an {@link EmbeddedDeviceProvider} found by
 * {@link ServiceLoader}: {@code ihsm-device} on the class path; without it only daemons are
 * reachable.
 */
public final class EmbeddedDevices {
  private static final Map<Path, Entry> DEVICES = new HashMap<>();

  private EmbeddedDevices() {}

  private static final class Entry {
    final EmbeddedDevice device;
    int leases;

    Entry(EmbeddedDevice device) {
      this.device = device;
    }
  }

  /** A client's hold on a shared embedded device. */
  public static final class Lease implements AutoCloseable {
    private final Path key;
    private final EmbeddedDevice device;
    private boolean closed;

    private Lease(Path key, EmbeddedDevice device) {
      this.key = key;
      this.device = device;
    }

    public EmbeddedDevice device() {
      return device;
    }

    @Override
    public void close() {
      synchronized (DEVICES) {
        if (closed) {
          return;
        }
        closed = true;
        Entry e = DEVICES.get(key);
        if (e != null && --e.leases == 0) {
          DEVICES.remove(key);
          try {
            e.device.close();
          } catch (IOException ignored) {
            // the device is powered off either way
          }
        }
      }
    }
  }

  private static EmbeddedDeviceProvider provider() {
    return ServiceLoader.load(EmbeddedDeviceProvider.class, EmbeddedDevices.class.getClassLoader())
        .findFirst()
        .orElseThrow(
            () ->
                new IhsmException(
                    Status.TRANSPORT_UNAVAILABLE,
                    "no embedded device on the class path:"
                        + " connect to a daemon, or add ihsm-device (development only) to use the embedded one"));
  }

  public static Lease acquire(Path stateDirectory) {
    Path key = stateDirectory.toAbsolutePath().normalize();
    synchronized (DEVICES) {
      Entry e = DEVICES.get(key);
      if (e == null) {
        try {
          e = new Entry(provider().powerOn(key));
        } catch (IOException ex) {
          throw new IhsmException(
              Status.TRANSPORT_UNAVAILABLE,
              "cannot power on the embedded device at " + key + ": " + ex.getMessage(),
              ex);
        } catch (IllegalStateException ex) {
          throw new IhsmException(Status.TRANSPORT_UNAVAILABLE, ex.getMessage(), ex);
        }
        DEVICES.put(key, e);
      }
      e.leases++;
      return new Lease(key, e.device);
    }
  }
}
