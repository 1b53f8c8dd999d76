package io.ihsm.sdk.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ends calls that passed their deadline. Calls register while they wait; one thread looks at them
 * every {@value #TICK_MILLIS} ms and stops after a second with none. Registering is a set insertion
 * and wakes nobody (a scheduled task per call woke the scheduler's thread on every call, which on
 * two cores cost as much as the call).
 */
final class CallTimer {
  /** A call with a deadline. */
  interface Call {
    /** Ends the call when {@code nowNanos} is past its deadline. */
    void expireIfDue(long nowNanos);
  }

  static final long TICK_MILLIS = 10;
  private static final int IDLE_TICKS_BEFORE_STOPPING = 100;
  private static final Set<Call> WAITING = ConcurrentHashMap.newKeySet();

  /** Written under CallTimer.class; read without it on every call. */
  private static volatile Thread sweeper;

  private CallTimer() {}

  static void watch(Call call) {
    WAITING.add(call);
    if (sweeper == null) {
      ensureSweeper(); // the lock only when there is no sweeper, not on every call
    }
  }

  static void unwatch(Call call) {
    WAITING.remove(call);
  }

  private static synchronized void ensureSweeper() {
    if (sweeper == null) {
      sweeper = Thread.ofPlatform().daemon().name("ihsm-call-timeouts").start(CallTimer::sweep);
    }
  }

  private static void sweep() {
    int idleTicks = 0;
    while (true) {
      if (WAITING.isEmpty() && ++idleTicks > IDLE_TICKS_BEFORE_STOPPING) {
        synchronized (CallTimer.class) {
          sweeper = null; // a later watch() starts another
          if (WAITING.isEmpty()) {
            return;
          }
          // A call registered while we decided to stop and may have seen us still running.
          sweeper = Thread.currentThread();
          idleTicks = 0;
        }
      }
      try {
        Thread.sleep(TICK_MILLIS);
      } catch (InterruptedException e) {
        // a daemon thread nobody interrupts; go on sweeping
      }
      long now = System.nanoTime();
      for (Call c : WAITING) {
        idleTicks = 0;
        c.expireIfDue(now);
      }
    }
  }
}
