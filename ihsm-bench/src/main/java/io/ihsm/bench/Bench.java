package io.ihsm.bench;

import io.ihsm.sdk.DeviceAddress;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
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

  /** Self-timed runs per row at least, whatever the time: the CLI's target is the p50 of 20. */
  static final int MIN_SELF_TIMED_RUNS = 20;

  public static List<Result> run(Options o, PrintWriter log) throws Exception {
    List<Result> results = new ArrayList<>();
    // Self-timed workloads last: they may take the path's device (the CLI's embedded runs do).
    List<Workload> ordered =
        o.workloads().stream().sorted(Comparator.comparing(Workload::selfTimed)).toList();
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
              case "ihsm-pkcs11" -> {
                daemon = DaemonProcess.start(o.daemonCommand(), dir);
                yield Pkcs11Path.open(daemon.socketDir(), dir);
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
        if (p instanceof Pkcs11Path pkcs11) {
          // SunPKCS11 over the module needs the module's settings in its process's environment.
          results.addAll(
              pkcs11.runInChild(o, ordered.stream().filter(w -> !w.selfTimed()).toList(), log));
        }
        for (Workload w : ordered) {
          if (w.selfTimed()) {
            measureSelfTimed(o, p, w, results, log);
          } else if (!(p instanceof Pkcs11Path)) {
            measure(o, p, w, results, log);
          }
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

  private static void measureSelfTimed(
      Options o, BenchPath p, Workload w, List<Result> results, PrintWriter log) {
    try {
      Optional<SelfTimedOperation> op = p.selfTimed(w, o);
      if (op.isEmpty()) {
        return;
      }
      Harness.Measured m = Harness.measureSelfTimed(op.get(), o.time(), MIN_SELF_TIMED_RUNS);
      results.add(new Result(w.id(), p.name(), 1, m.opsPerSec(), m.p50Micros(), m.p99Micros()));
      log.printf(
          "%s on %s: p50 %.1f ms over %d runs%n",
          w.id(), p.name(), m.p50Micros() / 1000, m.operations());
      if (op.get() instanceof Pkcs11Probe probe) {
        log.printf(
            "%s on %s: the module added at most %d KiB of resident memory to the process%n",
            w.id(), p.name(), probe.maxResidentAddedKib());
      }
    } catch (Exception e) {
      log.printf("%s on %s: not measured: %s%n", w.id(), p.name(), e.getMessage());
    }
    log.flush();
  }

  /** The `ihsm` command: the launcher when the bench runs under it, else this JVM's CLI. */
  static List<String> cliCommand(Options o) {
    String launcher = System.getenv("IHSM_COMMAND");
    if (launcher != null && !launcher.isBlank()) {
      return List.of(launcher);
    }
    if (o.daemonCommand().size() < 2) {
      throw new IllegalStateException("no `ihsm` command to run");
    }
    return o.daemonCommand().subList(0, o.daemonCommand().size() - 1);
  }

  static void measure(Options o, BenchPath p, Workload w, List<Result> results, PrintWriter log) {
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
        double opsPerSec = m.opsPerSec() * w.operationsPerCall();
        results.add(new Result(w.id(), p.name(), t, opsPerSec, m.p50Micros(), m.p99Micros()));
        log.printf(
            "%s on %s, %d thread%s: %.0f ops/s%n",
            w.id(), p.name(), t, t == 1 ? "" : "s", opsPerSec);
      } catch (Exception e) {
        log.printf("%s on %s, %d threads: failed: %s%n", w.id(), p.name(), t, e.getMessage());
      }
      log.flush();
    }
  }
}
