package io.ihsm.cli;

import io.ihsm.ddi.message.DeviceStatus;
import io.ihsm.device.Device;
import io.ihsm.device.DeviceConfig;
import io.ihsm.device.daemon.DeviceDaemon;
import io.ihsm.sdk.DeviceAddress;
import io.ihsm.sdk.IhsmClient;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** `ihsm daemon`: run the device in the foreground, serving its sockets until SIGTERM or SIGINT. */
@Command(
    name = "daemon",
    mixinStandardHelpOptions = true,
    description = {
      "Run the device as a daemon in the foreground (the isolated deployment).",
      "Serves management.sock and one owner-only partition-N.sock per partition in --socket-dir;",
      "stops cleanly on SIGTERM or SIGINT."
    })
final class DaemonCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description = "The device's persistent state (default: <home>/device).")
  Path stateDir;

  @Option(
      names = "--firmware",
      paramLabel = "IMAGE",
      description = "Boot this firmware image instead of the factory image.")
  Path firmware;

  @Option(
      names = "--socket-owner",
      paramLabel = "PARTITION=USER",
      description = {
        "Hand partition PARTITION's socket to USER: it stays mode 0600, owned by USER, so only that "
            + "workload (and root) can connect. Repeatable. Needs root or CAP_CHOWN."
      })
  Map<Integer, String> socketOwners = new LinkedHashMap<>();

  @Option(
      names = "--self-test-interval",
      paramLabel = "SECONDS",
      defaultValue = "60",
      description =
          "Seconds between periodic self-test runs, one test each, round robin (default 60; 0 never).")
  int selfTestInterval;

  @Override
  public Integer call() throws Exception {
    IhsmCommand root = IhsmCommand.of(spec);
    Path socketDir = root.socketDir();
    if (socketDir == null) {
      throw new CliFailure(
          "ihsm daemon needs --socket-dir DIR (or IHSM_SOCKET_DIR): where to create its sockets");
    }
    Path state = stateDir != null ? stateDir : root.home().resolve("device");
    PrintWriter out = spec.commandLine().getOut();

    try (Device device =
            Device.powerOn(
                new DeviceConfig(state, Optional.ofNullable(firmware), selfTestInterval));
        DeviceDaemon daemon = DeviceDaemon.start(device, socketDir, socketOwners)) {
      try (IhsmClient self = IhsmClient.connect(DeviceAddress.daemon(socketDir))) {
        DeviceStatus s = self.deviceStatus();
        out.printf(
            "ihsm daemon: device %s is %s%s, firmware %s (SVN %d), API revision %s%n",
            device.identity().serialNumber(),
            s.state(),
            s.reason().isEmpty() ? "" : " (" + s.reason() + ")",
            s.firmwareVersion().isEmpty() ? "none" : s.firmwareVersion(),
            s.firmwareSvn(),
            self.apiRevision());
      }
      // Only a daemon that is serving takes over SIGTERM/SIGINT, to drain and remove its sockets.
      CountDownLatch stop = new CountDownLatch(1);
      Signal.handle(new Signal("TERM"), sig -> stop.countDown());
      Signal.handle(new Signal("INT"), sig -> stop.countDown());
      out.printf(
          "ihsm daemon: state in %s; serving %s%n",
          device.stateDirectory(), daemon.managementSocket());
      out.flush();
      stop.await();
      out.println("ihsm daemon: stopping");
      out.flush();
    }
    out.println("ihsm daemon: stopped");
    out.flush();
    return ExitCodes.OK;
  }
}
