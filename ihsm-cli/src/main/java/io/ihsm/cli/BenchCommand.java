package io.ihsm.cli;

import io.ihsm.bench.Bench;
import io.ihsm.bench.Report;
import io.ihsm.bench.Result;
import io.ihsm.bench.ScaleRun;
import io.ihsm.bench.Workload;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `ihsm bench`: ihsm through its daemon and embedded, against SoftHSM2, the raw engine and the JDK,
 * in one run.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Measure ihsm (daemon and embedded through the JCA provider, the PKCS#11 module through SunPKCS11,"
          + " the CLI) against SoftHSM2 (when installed), the raw crypto engine and the JDK, one path after"
          + " another in the same run (docs/performance.md).",
      "Prints ops/s, p50 and p99 latency and the ratios to raw-engine and softhsm2."
    })
final class BenchCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--workloads",
      split = ",",
      paramLabel = "W",
      description = "Workloads (default: all): ${COMPLETION-CANDIDATES}")
  List<String> workloads = Arrays.stream(Workload.values()).map(Workload::id).toList();

  @Option(
      names = "--paths",
      split = ",",
      paramLabel = "P",
      description =
          "Paths (default: all but ihsm-sdk): ihsm-daemon, ihsm-embedded, ihsm-sdk (one SDK client shared by"
              + " the threads), ihsm-pkcs11 (the module through SunPKCS11, against a daemon), softhsm2,"
              + " raw-engine, jdk.")
  List<String> paths =
      List.of("ihsm-daemon", "ihsm-embedded", "ihsm-pkcs11", "softhsm2", "raw-engine", "jdk");

  @Option(
      names = "--threads",
      split = ",",
      paramLabel = "N",
      description = "Client thread counts (default: 1,2).")
  List<Integer> threads = List.of(1, 2);

  @Option(
      names = "--seconds",
      paramLabel = "S",
      defaultValue = "3",
      description = "Measured seconds per row (default 3).")
  double seconds;

  @Option(names = "--json", paramLabel = "FILE", description = "Write the rows as JSON.")
  Path json;

  @Option(names = "--chart", paramLabel = "FILE", description = "Write an SVG bar chart.")
  Path chart;

  @Option(
      names = "--scale",
      description = "Instead: 64 partitions x 256 keys in one daemon; memory and key-load latency.")
  boolean scale;

  @Option(
      names = "--fleet",
      description =
          "Instead: three members of one security domain (three daemon processes) over a fleet store: key propagation, re-masking rate, sign throughput of three members against one.")
  boolean fleet;

  @Option(
      names = "--store",
      paramLabel = "ADDRESS",
      description =
          "With --fleet: the store, etcd://host:port[,…] (default: a file store for the run).")
  String store;

  @Override
  public Integer call() throws Exception {
    if (!(seconds > 0 && seconds <= 600) || threads.stream().anyMatch(t -> t < 1 || t > 64)) {
      throw new CliFailure("--seconds is in (0, 600] and --threads in 1..64");
    }
    if (IhsmCommand.of(spec).socketDir() != null) {
      throw new CliFailure(
          "the benchmark starts its own devices; drop --socket-dir / IHSM_SOCKET_DIR");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter log = spec.commandLine().getErr();
    Duration time = Duration.ofMillis((long) (seconds * 1000));
    Path work = Files.createTempDirectory("ihsm-bench");
    try {
      if (fleet) {
        FleetBench.Figures f =
            FleetBench.run(
                store != null ? store : "file:" + work.resolve("store").toAbsolutePath(),
                work,
                time,
                daemonCommand(),
                log);
        out.printf(
            "fleet run: 3 members (daemon processes) over %s%n",
            f.store().equals("etcd") ? "etcd" : "a file store");
        out.printf(
            "  created on A to usable on B: p50 %.0f µs, p99 %.0f µs (%d keys)%n",
            f.propagationP50Micros(), f.propagationP99Micros(), FleetBench.PROPAGATIONS);
        out.printf("  re-masking: %d blobs at %.0f blobs/s%n", f.remasked(), f.remaskPerSecond());
        out.printf(
            "  ECDSA P-256 signs: 1 member %.0f/s, 3 members %.0f/s, ratio %.2f%n",
            f.oneMemberSignsPerSecond(),
            f.threeMembersSignsPerSecond(),
            f.threeMembersSignsPerSecond() / f.oneMemberSignsPerSecond());
        return ExitCodes.OK;
      }
      if (scale) {
        ScaleRun.Outcome o = ScaleRun.run(daemonCommand(), work, time, log);
        out.printf(
            "scale run: %d partitions x %d keys in one daemon%n",
            ScaleRun.PARTITIONS, ScaleRun.KEYS);
        out.printf(
            "  resident memory: %d MiB before the keys, %d MiB with them, peak %d MiB (target: under 512 MiB)%n",
            o.residentBeforeKeys() >> 20, o.residentAfterKeys() >> 20, o.peakResident() >> 20);
        out.printf("  per key: %.0f bytes%n", o.bytesPerKey());
        out.printf(
            "  key load (unmask) through the daemon: p50 %.1f µs, p99 %.1f µs (target: p50 under 50 µs)%n",
            o.unmaskP50Micros(), o.unmaskP99Micros());
        return ExitCodes.OK;
      }
      List<Workload> chosen =
          workloads.stream()
              .map(
                  id -> {
                    try {
                      return Workload.fromId(id);
                    } catch (IllegalArgumentException e) {
                      throw new CliFailure(e.getMessage());
                    }
                  })
              .toList();
      List<Result> results =
          Bench.run(new Bench.Options(chosen, threads, time, paths, daemonCommand(), work), log);
      Report.table(results, out);
      if (json != null) {
        Files.writeString(json, Report.json(results));
        out.printf("wrote %s%n", json);
      }
      if (chart != null) {
        Files.writeString(chart, Report.svg(results));
        out.printf("wrote %s%n", chart);
      }
      return ExitCodes.OK;
    } finally {
      deleteTree(work);
    }
  }

  /** This JVM and class path, running `ihsm daemon`. */
  static List<String> daemonCommand() {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    return List.of(
        java, "-cp", System.getProperty("java.class.path"), Main.class.getName(), "daemon");
  }

  /** Removes the run's files; one that is already gone is no error. */
  private static void deleteTree(Path dir) throws IOException {
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.deleteIfExists(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE;
            }
            throw e;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            if (e != null && !(e instanceof NoSuchFileException)) {
              throw e;
            }
            Files.deleteIfExists(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
