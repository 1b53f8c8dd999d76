package io.ihsm.firmware.vault;

import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.spi.NonVolatileStore;
import java.nio.ByteBuffer;

/**
 * Counts consecutive authentication failures of one credential in non-volatile storage, so a
 * restart does not reset them. From the third failure on, each attempt must wait a delay that
 * doubles (capped at 64 times the base); at the limit the credential locks until the Crypto Officer
 * unlocks it. The wait is kept in memory: a restart clears the delay, never the count.
 */
final class PinGuard {
  private final NonVolatileStore nv;
  private final String record;
  private final int maxFailures;
  private final long throttleMillis;
  private long notBeforeNanos;

  PinGuard(NonVolatileStore nv, String record, int maxFailures, long throttleMillis) {
    this.nv = nv;
    this.record = record;
    this.maxFailures = maxFailures;
    this.throttleMillis = throttleMillis;
    this.notBeforeNanos = System.nanoTime(); // nanoTime may be negative: never compare with 0
  }

  int maxFailures() {
    return maxFailures;
  }

  synchronized int failures() {
    return nv.readCounter(record); // a damaged count fails closed (ERROR), never reads as 0
  }

  synchronized boolean locked() {
    return failures() >= maxFailures;
  }

  /** Refuses an attempt on a locked or throttled credential; such an attempt is not counted. */
  synchronized void admit() throws DdiException {
    if (locked()) {
      throw new DdiException(Status.CREDENTIAL_LOCKED, "the credential is locked");
    }
    if (System.nanoTime() - notBeforeNanos < 0) {
      throw new DdiException(Status.PIN_THROTTLED, "wait before the next attempt");
    }
  }

  synchronized void failed() {
    int f = failures() + 1;
    nv.write(record, ByteBuffer.allocate(4).putInt(f).array());
    if (f >= 3) {
      long delay = throttleMillis << Math.min(f - 3, 6);
      notBeforeNanos = System.nanoTime() + delay * 1_000_000L;
    }
  }

  synchronized void succeeded() {
    if (failures() != 0) {
      nv.delete(record);
    }
    notBeforeNanos = System.nanoTime();
  }

  /** The Crypto Officer's unlock: the count starts again from zero. */
  synchronized void reset() {
    nv.delete(record);
    notBeforeNanos = System.nanoTime();
  }
}
