package io.ihsm.sdk.internal;

import io.ihsm.ddi.Status;
import io.ihsm.device.Device;
import io.ihsm.device.DeviceConfig;
import io.ihsm.sdk.IhsmException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * One embedded device per state directory in this JVM, shared by every client that names it and
 * powered off when the last one closes. (Across processes the state directory's lock keeps two
 * devices from sharing state.)
 */
public final class EmbeddedDevices {
  private static final Map<Path, Entry> DEVICES = new HashMap<>();

  private EmbeddedDevices() {}

  private static final class Entry {
    final Device device;
    int leases;

    Entry(Device device) {
      this.device = device;
    }
  }

  /** A client's hold on a shared embedded device. */
  public static final class Lease implements AutoCloseable {
    private final Path key;
    private final Device device;
    private boolean closed;

    private Lease(Path key, Device device) {
      this.key = key;
      this.device = device;
    }

    public Device device() {
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

  public static Lease acquire(Path stateDirectory) {
    Path key = stateDirectory.toAbsolutePath().normalize();
    synchronized (DEVICES) {
      Entry e = DEVICES.get(key);
      if (e == null) {
        try {
          e = new Entry(Device.powerOn(DeviceConfig.of(key)));
        } catch (IOException ex) {
          throw new IhsmException(Status.TRANSPORT_UNAVAILABLE,
              "cannot power on the embedded device at " + key + ": " + ex.getMessage(), ex);
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
