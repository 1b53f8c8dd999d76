package io.ihsm.bench;

import io.ihsm.sdk.HsmSession;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * Runs one workload on one path: {@code threads} threads, each with its own operation, warm up
 * together, then measure together for a fixed time. Every operation's latency goes into an
 * HdrHistogram (microsecond resolution, 3 significant digits); throughput is operations counted
 * over the measured time.
 */
final class Harness {
  private Harness() {}

  record Measured(long operations, double seconds, Histogram latency) {
    double opsPerSec() {
      return operations / seconds;
    }

    double p50Micros() {
      return latency.getValueAtPercentile(50) / 1000.0;
    }

    double p99Micros() {
      return latency.getValueAtPercentile(99) / 1000.0;
    }
  }

  static Measured measure(Supplier<Operation> maker, int threads, Duration warmUp, Duration time)
      throws Exception {
    CyclicBarrier start = new CyclicBarrier(threads + 1);
    long[] window = new long[1];
    // Set as the last thread arrives, before any is released: every thread measures the same
    // window.
    CyclicBarrier measured =
        new CyclicBarrier(threads + 1, () -> window[0] = System.nanoTime() + time.toNanos());
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Histogram> histograms = new ArrayList<>();
    long[] counts = new long[threads];
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Histogram h = new Histogram(Duration.ofSeconds(60).toNanos(), 3);
      histograms.add(h);
      int index = t;
      Thread worker =
          Thread.ofPlatform()
              .name("bench-" + t)
              .start(
                  () -> {
                    try {
                      Operation op = maker.get();
                      start.await();
                      long warmEnd = System.nanoTime() + warmUp.toNanos();
                      while (System.nanoTime() < warmEnd) {
                        op.run();
                      }
                      measured.await();
                      long end = window[0];
                      long n = 0;
                      long now = System.nanoTime();
                      while (now < end) {
                        op.run();
                        long after = System.nanoTime();
                        h.recordValue(Math.min(after - now, h.getHighestTrackableValue()));
                        now = after;
                        n++;
                      }
                      counts[index] = n;
                    } catch (Throwable e) {
                      failure.compareAndSet(null, e);
                      start.reset();
                      measured.reset();
                    }
                  });
      workers.add(worker);
    }
    try {
      start.await();
      measured.await();
    } catch (BrokenBarrierException e) {
      // a worker failed: said below
    }
    for (Thread w : workers) {
      w.join();
    }
    if (failure.get() != null) {
      throw new IllegalStateException("the operation failed: " + failure.get(), failure.get());
    }
    Histogram all = new Histogram(Duration.ofSeconds(60).toNanos(), 3);
    histograms.forEach(all::add);
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    return new Measured(total, time.toNanos() / 1e9, all);
  }

  /**
   * A self-timed workload: one run to warm up (a service or cache it starts is not what is
   * measured), then runs one after another until {@code time} has passed and at least {@code
   * minRuns} were made. Throughput is runs over their summed measured time.
   */
  static Measured measureSelfTimed(SelfTimedOperation op, Duration time, int minRuns)
      throws Exception {
    op.runNanos();
    Histogram h = new Histogram(Duration.ofSeconds(60).toNanos(), 3);
    long end = System.nanoTime() + time.toNanos();
    long n = 0;
    long measuredNanos = 0;
    while (n < minRuns || System.nanoTime() < end) {
      long ns = op.runNanos();
      h.recordValue(Math.min(Math.max(ns, 1), h.getHighestTrackableValue()));
      measuredNanos += ns;
      n++;
    }
    return new Measured(n, Math.max(1, measuredNanos) / 1e9, h);
  }

  /**
   * Loading a key only: each unmask is timed; the unloads that make room again are not, and run in
   * batches of {@code batch} after the loads. An unload is audited and synced to disk; timed right
   * after one, a load measured the sync's aftermath on the machine more than itself (p50 52-56 µs
   * through the daemon, against 5 µs for the device's own work embedded).
   */
  static Measured measureUnmask(HsmSession session, byte[] blob, Duration time, int batch) {
    Histogram h = new Histogram(Duration.ofSeconds(60).toNanos(), 3);
    long end = System.nanoTime() + time.toNanos();
    long n = 0;
    long measuredNanos = 0;
    int[] handles = new int[batch];
    while (System.nanoTime() < end) {
      for (int i = 0; i < batch; i++) {
        long t0 = System.nanoTime();
        handles[i] = session.unmask(blob).handle();
        long t1 = System.nanoTime();
        h.recordValue(Math.min(t1 - t0, h.getHighestTrackableValue()));
        measuredNanos += t1 - t0;
        n++;
      }
      for (int handle : handles) {
        session.unload(handle);
      }
    }
    return new Measured(n, Math.max(1, measuredNanos) / 1e9, h);
  }
}
