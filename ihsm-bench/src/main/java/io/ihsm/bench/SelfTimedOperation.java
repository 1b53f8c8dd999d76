package io.ihsm.bench;

/**
 * One run of a workload that times itself: a fresh process whose own measure (or wall time) is the
 * figure, not the bench thread's time around it.
 */
@FunctionalInterface
public interface SelfTimedOperation {
  /** Runs once and answers how long the measured part took, in nanoseconds. */
  long runNanos() throws Exception;
}
