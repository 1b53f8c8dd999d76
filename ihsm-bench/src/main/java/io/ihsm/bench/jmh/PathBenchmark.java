package io.ihsm.bench.jmh;

import io.ihsm.bench.BenchPath;
import io.ihsm.bench.Operation;
import io.ihsm.bench.Paths;
import io.ihsm.bench.Workload;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The same workloads and paths as {@code ihsm bench}, under JMH (for profiling with its tools):
 * {@code java -cp "$(ls ihsm-bench/target/*.jar):$(ihsm jca classpath):..." org.openjdk.jmh.Main
 * PathBenchmark}. The daemon path needs a daemon process and is left to {@code ihsm bench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class PathBenchmark {
  @Param({"ihsm-embedded", "raw-engine", "jdk"})
  public String path;

  @Param({"ecdsa-p256-sign", "aes256-gcm-4k", "hmac-sha256-64"})
  public String workload;

  private BenchPath opened;
  private Supplier<Operation> maker;

  @Setup(Level.Trial)
  public void open() throws Exception {
    opened = Paths.open(path, Files.createTempDirectory("ihsm-jmh"));
    maker = opened.prepare(Workload.fromId(workload)).orElseThrow();
  }

  @TearDown(Level.Trial)
  public void close() throws Exception {
    opened.close();
  }

  /** Each JMH thread's own operation. */
  @State(Scope.Thread)
  public static class ThreadOperation {
    Operation op;

    @Setup(Level.Trial)
    public void make(PathBenchmark b) {
      op = b.maker.get();
    }
  }

  @Benchmark
  public void run(ThreadOperation t) throws Exception {
    t.op.run();
  }
}
