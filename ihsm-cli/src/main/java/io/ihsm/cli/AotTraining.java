package io.ihsm.cli;

import io.ihsm.device.Device;
import io.ihsm.device.DeviceConfig;
import io.ihsm.device.daemon.DeviceDaemon;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The build's training run for the CLI's ahead-of-time cache ({@code ihsm-cli/target/ihsm-cli.aot},
 * JDK 25's AOT class loading and linking): what a short command does, in one JVM, on a throwaway
 * home. A device and partition made on the embedded device, a key, a signature and its check, then
 * the same signature through a daemon, so both transports' classes are in the cache. The launcher
 * uses the cache for short commands when it matches the JDK and class path, and runs without it
 * otherwise (docs/performance.md, "The CLI").
 */
public final class AotTraining {
  private static final String PIN = "aot-training-pin-0001";

  private AotTraining() {}

  public static void main(String[] args) throws Exception {
    Path home = Files.createTempDirectory("ihsm-aot-training");
    try {
      train(home);
    } finally {
      deleteTree(home);
    }
  }

  private static void train(Path home) throws Exception {
    Path pin = Files.writeString(home.resolve("pin"), PIN);
    Path in = Files.writeString(home.resolve("in"), "training");
    String h = home.toString();
    cli("--home", h, "device", "init");
    cli("--home", h, "partition", "create", "training", "--pin-file", pin.toString());
    String[] key = {
      "key",
      "generate",
      "--partition",
      "training",
      "--kind",
      "ec-p256",
      "--usage",
      "sign",
      "--label",
      "t",
      "--pin-file",
      pin.toString()
    };
    cli(concat(new String[] {"--home", h}, key));
    String[] sign = {
      "sign",
      "--partition",
      "training",
      "--key",
      "t",
      "--alg",
      "SHA256withECDSA",
      "--in",
      in.toString(),
      "--out",
      home.resolve("sig").toString(),
      "--pin-file",
      pin.toString()
    };
    cli(concat(new String[] {"--home", h}, sign));
    cli(
        "--home",
        h,
        "verify",
        "--partition",
        "training",
        "--key",
        "t",
        "--alg",
        "SHA256withECDSA",
        "--in",
        in.toString(),
        "--signature",
        home.resolve("sig").toString(),
        "--pin-file",
        pin.toString());
    cli("--home", h, "key", "list", "--partition", "training");
    Path sockets = home.resolve("sock");
    try (Device device = Device.powerOn(DeviceConfig.of(home.resolve("device")));
        DeviceDaemon daemon = DeviceDaemon.start(device, sockets)) {
      cli(concat(new String[] {"--home", h, "--socket-dir", sockets.toString()}, sign));
    }
  }

  /** One command, in this JVM; its output is not wanted, but a failure is. */
  private static void cli(String... args) {
    PrintWriter none = new PrintWriter(Writer.nullWriter());
    int code = Main.run(none, none, args);
    if (code != 0) {
      throw new IllegalStateException(
          "training command failed (" + code + "): " + String.join(" ", args));
    }
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = new String[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
