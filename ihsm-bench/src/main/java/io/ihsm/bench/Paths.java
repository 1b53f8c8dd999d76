package io.ihsm.bench;

import io.ihsm.sdk.DeviceAddress;
import java.nio.file.Path;

/**
 * The in-process paths by name, for the JMH benchmarks (the daemon path is {@link Bench}'s, with
 * its process).
 */
public final class Paths {
  private Paths() {}

  public static BenchPath open(String name, Path dir) throws Exception {
    return switch (name) {
      case "ihsm-embedded" ->
          IhsmPath.open(
              name, DeviceAddress.embedded(dir.resolve("home")), dir.resolve("home"), null);
      case "ihsm-sdk" -> SdkPath.open(dir.resolve("home"));
      case "softhsm2" -> SoftHsmPath.open(dir);
      case "raw-engine" -> SoftwarePaths.rawEngine();
      case "jdk" -> SoftwarePaths.jdk();
      default -> throw new IllegalArgumentException("no in-process path " + name);
    };
  }
}
