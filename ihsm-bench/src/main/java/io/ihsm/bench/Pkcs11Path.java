package io.ihsm.bench;

import io.ihsm.pkcs11.ModulePath;
import io.ihsm.sdk.DeviceAddress;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * ihsm's PKCS#11 module through the JDK's SunPKCS11, the same harness as SoftHSM2's, against a
 * daemon with a partition of its own. The module reads its settings from its process's environment,
 * so the workloads run in a JVM of their own ({@link Pkcs11Child}) whose rows come back on its
 * standard output; {@code pkcs11-init} runs the probe against the module here.
 */
final class Pkcs11Path implements BenchPath {
  private final Path socketDir;
  private final Path home;
  private final Path dir;

  private Pkcs11Path(Path socketDir, Path home, Path dir) {
    this.socketDir = socketDir;
    this.home = home;
    this.dir = dir;
  }

  /** A partition `bench` made on the daemon (as the ihsm-daemon path makes it). */
  static Pkcs11Path open(Path socketDir, Path dir) throws Exception {
    Path home = dir.resolve("home");
    IhsmPath.open("setup", DeviceAddress.daemon(socketDir), home, socketDir).close();
    return new Pkcs11Path(socketDir, home, dir);
  }

  @Override
  public String name() {
    return "ihsm-pkcs11";
  }

  @Override
  public Optional<Supplier<Operation>> prepare(Workload workload) {
    return Optional.empty(); // measured by runInChild
  }

  /** What the module needs to know, and its bridge service in the run's directory. */
  Map<String, String> environment() {
    return Map.of(
        "IHSM_SOCKET_DIR", socketDir.toString(),
        "IHSM_HOME", home.toString(),
        "IHSM_PKCS11_BRIDGE_DIR", dir.resolve("bridge").toString(),
        "IHSM_PKCS11_LOG", dir.resolve("pkcs11.log").toString());
  }

  /** Runs the workloads in a JVM whose environment names the daemon; its rows. */
  List<Result> runInChild(Bench.Options o, List<Workload> workloads, PrintWriter log)
      throws Exception {
    if (workloads.isEmpty()) {
      return List.of();
    }
    // The daemon command's JVM and class path: [java, -cp, CP, main class, daemon].
    List<String> cmd = new ArrayList<>(o.daemonCommand().subList(0, o.daemonCommand().size() - 2));
    cmd.addAll(
        List.of(
            Pkcs11Child.class.getName(),
            ModulePath.module().toString(),
            home.resolve("pin").toString(),
            Long.toString(o.time().toMillis()),
            o.threads().stream().map(String::valueOf).collect(Collectors.joining(",")),
            workloads.stream().map(Workload::id).collect(Collectors.joining(","))));
    ProcessBuilder b = new ProcessBuilder(cmd).redirectErrorStream(true);
    b.environment().putAll(environment());
    Process p = b.start();
    List<Result> results = new ArrayList<>();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        if (line.startsWith(Pkcs11Child.ROW)) {
          results.add(Pkcs11Child.parse(line, name()));
        } else {
          log.println(line);
          log.flush();
        }
      }
    }
    if (p.waitFor() != 0) {
      log.printf("ihsm-pkcs11: the SunPKCS11 run exited %d%n", p.exitValue());
    }
    return results;
  }

  @Override
  public Optional<SelfTimedOperation> selfTimed(Workload w, Bench.Options o) {
    return w == Workload.PKCS11_INIT
        ? Optional.of(new Pkcs11Probe(ModulePath.module(), environment()))
        : Optional.empty();
  }

  /**
   * Stops the run's bridge service and waits for it to be gone (it holds its lock file while it
   * runs), so that nothing writes in the run's directory while it is removed.
   */
  @Override
  public void close() throws Exception {
    Path bridge = dir.resolve("bridge");
    if (!Files.isDirectory(bridge)) {
      return;
    }
    List<Path> locks;
    try (var files = Files.list(bridge)) {
      List<Path> all = files.toList();
      for (Path f : all) {
        if (f.toString().endsWith(".sock")) {
          Files.deleteIfExists(f); // the service leaves when its socket goes
        }
      }
      locks = all.stream().filter(f -> f.toString().endsWith(".lock")).toList();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    for (Path lock : locks) {
      try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.WRITE)) {
        while (System.nanoTime() < deadline) {
          FileLock held = ch.tryLock();
          if (held != null) {
            held.release();
            break;
          }
          Thread.sleep(50);
        }
      }
    }
  }
}
