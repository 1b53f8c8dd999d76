package io.ihsm.bench;

import java.util.Optional;
import java.util.function.Supplier;

/** A way to run the workloads: through ihsm, through SoftHSM2, or straight on a crypto library. */
public interface BenchPath extends AutoCloseable {
  /** As the output names it: ihsm-daemon, ihsm-embedded, softhsm2, raw-engine, jdk. */
  String name();

  /** Why this path cannot run here (SoftHSM2 not installed, say); empty when it can. */
  default Optional<String> unavailable() {
    return Optional.empty();
  }

  /**
   * Sets up a workload's keys and answers a maker of per-thread operations; empty when this path
   * has no such operation (only ihsm loads masked keys).
   */
  Optional<Supplier<Operation>> prepare(Workload workload) throws Exception;

  /**
   * Sets up a self-timed workload ({@link Workload#selfTimed()}); empty when this path has none. It
   * runs after the path's other workloads, and may leave the path unusable for them.
   */
  default Optional<SelfTimedOperation> selfTimed(Workload workload, Bench.Options options)
      throws Exception {
    return Optional.empty();
  }

  @Override
  default void close() throws Exception {}
}
