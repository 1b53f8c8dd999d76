package io.ihsm.bench;

import io.ihsm.pkcs11.ModulePath;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code pkcs11-init} workload: {@code pkcs11-probe} (built beside ihsm's module) loads a
 * module in a fresh process and times its C_Initialize and C_Finalize; their sum is the figure. The
 * most resident memory the module added to the process in any run is kept for the log.
 */
final class Pkcs11Probe implements SelfTimedOperation {
  private static final Pattern LINE =
      Pattern.compile("initialize-us (\\d+) finalize-us (\\d+) rss-added-kb (-?\\d+)");

  private final Path probe = ModulePath.module().resolveSibling("pkcs11-probe");
  private final Path module;
  private final Map<String, String> environment;
  private long maxResidentAddedKib;

  Pkcs11Probe(Path module, Map<String, String> environment) {
    this.module = module;
    this.environment = Map.copyOf(environment);
  }

  @Override
  public long runNanos() throws Exception {
    ProcessBuilder b =
        new ProcessBuilder(probe.toString(), module.toString()).redirectErrorStream(true);
    b.environment().putAll(environment);
    Process p = b.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = p.waitFor();
    Matcher m = LINE.matcher(out);
    if (exit != 0 || !m.find()) {
      throw new IllegalStateException("pkcs11-probe " + module + ": " + out.strip());
    }
    maxResidentAddedKib = Math.max(maxResidentAddedKib, Long.parseLong(m.group(3)));
    return (Long.parseLong(m.group(1)) + Long.parseLong(m.group(2))) * 1000;
  }

  long maxResidentAddedKib() {
    return maxResidentAddedKib;
  }
}
