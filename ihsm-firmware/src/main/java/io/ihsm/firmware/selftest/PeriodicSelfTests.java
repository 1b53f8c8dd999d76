package io.ihsm.firmware.selftest;

import io.ihsm.firmware.state.DeviceStateMachine;

/**
 * Re-runs one self-test every interval, round robin, like the reference firmware; a failure puts
 * the module in ERROR. Runs on a daemon virtual thread; stops at power-off or when the module
 * leaves OPERATIONAL.
 */
public final class PeriodicSelfTests implements AutoCloseable {
  private final Thread thread;

  private PeriodicSelfTests(Thread thread) {
    this.thread = thread;
  }

  /**
   * @param intervalSeconds 0 disables the periodic runs
   */
  public static PeriodicSelfTests start(
      SelfTestRunner runner, DeviceStateMachine state, int intervalSeconds) {
    if (intervalSeconds <= 0) {
      return new PeriodicSelfTests(null);
    }
    Thread t =
        Thread.ofVirtual()
            .name("ihsm-periodic-self-tests")
            .start(
                () -> {
                  try {
                    while (!Thread.currentThread().isInterrupted()) {
                      Thread.sleep(intervalSeconds * 1000L);
                      if (!state.isOperational()) {
                        return;
                      }
                      runner.runNext().ifPresent(state::fail);
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
    return new PeriodicSelfTests(t);
  }

  @Override
  public void close() {
    if (thread != null) {
      thread.interrupt();
    }
  }
}
