package io.ihsm.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/** An ihsm daemon in a process of its own, as it is deployed; stopped with SIGTERM. */
public final class DaemonProcess implements AutoCloseable {
  private final Process process;
  private final Path socketDir;

  private DaemonProcess(Process process, Path socketDir) {
    this.process = process;
    this.socketDir = socketDir;
  }

  /**
   * @param command the daemon command without its directories, e.g. [java, -cp, CP,
   *     io.ihsm.cli.Main, daemon]
   */
  public static DaemonProcess start(List<String> command, Path dir)
      throws IOException, InterruptedException {
    Path sock = dir.resolve("sock");
    List<String> cmd = new ArrayList<>(command);
    cmd.addAll(
        List.of("--state-dir", dir.resolve("state").toString(), "--socket-dir", sock.toString()));
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("daemon.log").toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!Files.exists(sock.resolve("management.sock"))) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        p.destroyForcibly();
        throw new IOException(
            "the daemon did not start: " + Files.readString(dir.resolve("daemon.log")));
      }
      Thread.sleep(50);
    }
    return new DaemonProcess(p, sock);
  }

  public Path socketDir() {
    return socketDir;
  }

  /** The daemon's peak resident memory so far (VmHWM), in bytes; empty where /proc does not say. */
  OptionalLong peakResidentBytes() {
    return status("VmHWM:");
  }

  /** The daemon's resident memory now (VmRSS), in bytes. */
  OptionalLong residentBytes() {
    return status("VmRSS:");
  }

  private OptionalLong status(String field) {
    try {
      for (String line :
          Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
        if (line.startsWith(field)) {
          return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux, or the process is gone
    }
    return OptionalLong.empty();
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
