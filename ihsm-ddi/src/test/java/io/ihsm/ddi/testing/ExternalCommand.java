package io.ihsm.ddi.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs a program for an interoperability check (openssl, keytool, jarsigner): output and error
 * together, bounded in time. A test whose program is not installed is skipped, saying why.
 */
public final class ExternalCommand {
  private ExternalCommand() {}

  public record Result(int exitCode, String output) {}

  public static Result run(List<String> command) throws IOException, InterruptedException {
    return run(command, Map.of());
  }

  /** Runs with these variables added to the environment. */
  public static Result run(List<String> command, Map<String, String> environment)
      throws IOException, InterruptedException {
    Process p;
    try {
      ProcessBuilder b =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      b.environment().putAll(environment);
      p = b.start();
    } catch (IOException e) {
      Assumptions.abort(
          command.getFirst() + " is not installed (.ci/run installs what the tests need)");
      throw e;
    }
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(command.getFirst() + " did not finish in 120 s");
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }
}
