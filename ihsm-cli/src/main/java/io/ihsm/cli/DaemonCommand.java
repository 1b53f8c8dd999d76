package io.ihsm.cli;

import io.ihsm.ddi.message.DeviceStatus;
import io.ihsm.device.Device;
import io.ihsm.device.DeviceConfig;
import io.ihsm.device.daemon.DeviceDaemon;
import io.ihsm.host.store.FleetStore;
import io.ihsm.host.store.FleetStores;
import io.ihsm.host.store.StoreException;
import io.ihsm.sdk.DeviceAddress;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.fleet.PartitionAdopter;
import io.ihsm.sdk.store.HostKeyStore;
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
    },
    footer = {
      "",
      "Example:",
      "  ihsm daemon --state-dir /var/lib/ihsm --socket-dir /run/ihsm --metrics 127.0.0.1:9464"
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

  @Option(
      names = "--domain",
      paramLabel = "ADDRESS",
      description = {
        "The fleet store of the device's security domain (etcd://host:port[,…] or file:/path;",
        "default: the one <home>/fleet.properties names, if any): the daemon takes on every",
        "partition of the domain's key store, as it appears, so a workload that reaches only its",
        "own partition's socket finds its partition here wherever it was made."
      })
  String domain;

  @Option(
      names = "--metrics",
      paramLabel = "HOST:PORT",
      description = {
        "Serve Prometheus metrics at http://HOST:PORT/metrics, and /healthz and /readyz",
        "(e.g. 127.0.0.1:9464; port 0 takes a free one). Counts and states only, nothing secret."
      })
  String metrics;

  @Override
  public Integer call() throws Exception {
    IhsmCommand root = IhsmCommand.of(spec);
    java.net.InetSocketAddress metricsAddress =
        metrics == null ? null : HostPort.parse(metrics, "--metrics");
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
      String fleetStore =
          domain != null ? domain : HostKeyStore.fleetStoreAddress(root.home()).orElse(null);
      try (FleetAgent agent = FleetAgent.start(fleetStore, socketDir, out);
          IhsmClient monitor =
              metricsAddress == null ? null : IhsmClient.connect(DeviceAddress.daemon(socketDir));
          DaemonMetrics served =
              metricsAddress == null
                  ? null
                  : DaemonMetrics.start(device, monitor, metricsAddress)) {
        if (served != null) {
          out.printf(
              "ihsm daemon: metrics on http://%s:%d/metrics (and /healthz, /readyz)%n",
              metricsAddress.getAddress().getHostAddress(), served.port());
        }
        serveUntilStopped(device, daemon, out);
      }
    }
    out.println("ihsm daemon: stopped");
    out.flush();
    return ExitCodes.OK;
  }

  /** Serves until SIGTERM or SIGINT. */
  private static void serveUntilStopped(Device device, DeviceDaemon daemon, PrintWriter out)
      throws InterruptedException {
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

  /** The daemon's part in a fleet: a store and the adopter of its partitions (or nothing). */
  private record FleetAgent(FleetStore store, IhsmClient client, PartitionAdopter adopter)
      implements AutoCloseable {
    static FleetAgent start(String address, Path socketDir, PrintWriter out) {
      if (address == null) {
        return new FleetAgent(null, null, null);
      }
      FleetStore store = FleetStores.open(address);
      IhsmClient client = IhsmClient.connect(DeviceAddress.daemon(socketDir));
      out.printf("ihsm daemon: fleet store %s%n", address);
      out.flush();
      try {
        PartitionAdopter adopter =
            PartitionAdopter.start(
                client,
                store,
                line -> {
                  synchronized (out) {
                    out.println("ihsm daemon: " + line);
                    out.flush();
                  }
                });
        return new FleetAgent(store, client, adopter);
      } catch (StoreException e) {
        // The device serves anyway; applications that reach the management port adopt for
        // themselves.
        out.printf(
            "ihsm daemon: the fleet store does not answer (%s): this daemon adopts no partition"
                + " until it is restarted%n",
            e.getMessage());
        out.flush();
        client.close();
        store.close();
        return new FleetAgent(null, null, null);
      }
    }

    @Override
    public void close() {
      if (adopter != null) {
        adopter.close();
        client.close();
        store.close();
      }
    }
  }
}
