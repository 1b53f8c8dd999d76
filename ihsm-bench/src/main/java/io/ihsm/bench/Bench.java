package io.ihsm.bench;

import io.ihsm.sdk.DeviceAddress;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The benchmark: every chosen workload on every path, one path after another in the same run, for
 * each thread count. A path that cannot run here (SoftHSM2 absent) is left out and the output says
 * why.
 */
public final class Bench {
  private Bench() {}

  /**
   * @param daemonCommand how to start a daemon, without its directories: [java, -cp, CP, main
   *     class, daemon]
   */
  public record Options(
      List<Workload> workloads,
      List<Integer> threads,
      Duration time,
      List<String> paths,
      List<String> daemonCommand,
      Path workDir) {}

  public static List<Result> run(Options o, PrintWriter log) throws Exception {
    List<Result> results = new ArrayList<>();
    for (String name : o.paths()) {
      Path dir = Files.createDirectories(o.workDir().resolve(name));
      DaemonProcess daemon = null;
      BenchPath path;
      try {
        path =
            switch (name) {
              case "ihsm-daemon" -> {
                daemon = DaemonProcess.start(o.daemonCommand(), dir);
                yield IhsmPath.open(
                    name,
                    DeviceAddress.daemon(daemon.socketDir()),
                    dir.resolve("home"),
                    daemon.socketDir());
              }
              case "ihsm-embedded", "ihsm-sdk", "softhsm2", "raw-engine", "jdk" ->
                  Paths.open(name, dir);
              default ->
                  throw new IllegalArgumentException(
                      "unknown path " + name + "; known: " + Report.PATH_ORDER);
            };
      } catch (Exception e) {
        if (daemon != null) {
          daemon.close();
        }
        throw e;
      }
      try (BenchPath p = path) {
        if (p.unavailable().isPresent()) {
          log.printf("%s: not measured: %s%n", name, p.unavailable().get());
          log.flush();
          continue;
        }
        for (Workload w : o.workloads()) {
          measure(o, p, w, results, log);
        }
        if (daemon != null) {
          daemon
              .peakResidentBytes()
              .ifPresent(b -> log.printf("ihsm-daemon: peak resident memory %d MiB%n", b >> 20));
        }
      } finally {
        if (daemon != null) {
          daemon.close();
        }
      }
    }
    return results;
  }

  private static void measure(
      Options o, BenchPath p, Workload w, List<Result> results, PrintWriter log) {
    Optional<Supplier<Operation>> maker;
    try {
      maker = p.prepare(w);
    } catch (Exception e) {
      log.printf("%s on %s: not measured: %s%n", w.id(), p.name(), e);
      log.flush();
      return;
    }
    if (maker.isEmpty()) {
      return;
    }
    for (int t : o.threads()) {
      try {
        // Short runs warm up for a third of their time; full runs for a second (a fresh daemon JVM
        // compiles then too).
        Duration warmUp =
            o.time().compareTo(Duration.ofSeconds(3)) < 0
                ? o.time().dividedBy(3)
                : Duration.ofSeconds(1);
        Harness.Measured m = Harness.measure(maker.get(), t, warmUp, o.time());
        results.add(new Result(w.id(), p.name(), t, m.opsPerSec(), m.p50Micros(), m.p99Micros()));
        log.printf(
            "%s on %s, %d thread%s: %.0f ops/s%n",
            w.id(), p.name(), t, t == 1 ? "" : "s", m.opsPerSec());
      } catch (Exception e) {
        log.printf("%s on %s, %d threads: failed: %s%n", w.id(), p.name(), t, e.getMessage());
      }
      log.flush();
    }
  }
}
