package io.ihsm.bench;

/**
 * One operation of a workload, bound to one thread's own objects (JCA engines are not thread-safe).
 */
@FunctionalInterface
public interface Operation {
  void run() throws Exception;
}
