package io.ihsm.ddi.message;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;

/**
 * GetDeviceCounters response: how much the module holds now, for monitoring. Counts only, never
 * names, ids or anything secret.
 *
 * <pre>
 * u32     partitions
 * u32     sessions open (all ports)
 * u32     keys loaded (all partitions)
 * u64     audit entries written over the device's life (the newest entry's sequence + 1)
 * u64     audit log bytes held in non-volatile storage
 * </pre>
 */
public record DeviceCounters(
    int partitions, int sessionsOpen, int keysLoaded, long auditEntries, long auditBytes)
    implements Body {

  public DeviceCounters {
    if (partitions < 0
        || sessionsOpen < 0
        || keysLoaded < 0
        || auditEntries < 0
        || auditBytes < 0) {
      throw new IllegalArgumentException("counters are never negative");
    }
  }

  @Override
  public void writeTo(BodyWriter w) {
    w.u32(partitions).u32(sessionsOpen).u32(keysLoaded).u64(auditEntries).u64(auditBytes);
  }

  public static DeviceCounters read(BodyReader r) throws DdiException {
    int partitions = r.u32("partitions");
    int sessions = r.u32("sessionsOpen");
    int keys = r.u32("keysLoaded");
    long entries = r.u64("auditEntries");
    long bytes = r.u64("auditBytes");
    r.end();
    if (partitions < 0 || sessions < 0 || keys < 0 || entries < 0 || bytes < 0) {
      throw new DdiException(Status.MALFORMED_BODY, "a counter out of range");
    }
    return new DeviceCounters(partitions, sessions, keys, entries, bytes);
  }
}
