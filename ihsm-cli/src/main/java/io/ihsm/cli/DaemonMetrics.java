package io.ihsm.cli;

import com.sun.net.httpserver.HttpExchange;
import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.message.DeviceCounters;
import io.ihsm.ddi.message.DeviceState;
import io.ihsm.ddi.message.DeviceStatus;
import io.ihsm.device.Device;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.IhsmException;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * `ihsm daemon --metrics HOST:PORT`: the daemon's Prometheus metrics (the Prometheus Java client
 * and its HTTP exporter) and its health endpoints. Requests are counted as the device serves them,
 * by opcode and status names only (an unknown number is "unknown", so no caller can make new
 * series); what the device holds is read from it at each scrape (GET_DEVICE_STATUS,
 * GET_DEVICE_COUNTERS). No label carries a name, id, key or data (docs/deploy.md, "Monitoring").
 */
final class DaemonMetrics implements AutoCloseable {
  /** Device answers are read at most this often, however often it is scraped. */
  private static final long SNAPSHOT_NANOS = 1_000_000_000L;

  private final IhsmClient client;
  private final HTTPServer server;
  private volatile Snapshot snapshot;

  /** What the device said at one scrape; a device that did not answer leaves both empty. */
  private record Snapshot(
      long atNanos, Optional<DeviceStatus> status, Optional<DeviceCounters> counters) {}

  private DaemonMetrics(Device device, IhsmClient client, InetSocketAddress address)
      throws IOException {
    this.client = client;
    PrometheusRegistry registry = new PrometheusRegistry();
    Counter requests =
        Counter.builder()
            .name("ihsm_requests_total")
            .help("Requests the device served, by opcode and status.")
            .labelNames("opcode", "status")
            .register(registry);
    Histogram latency =
        Histogram.builder()
            .name("ihsm_request_duration_seconds")
            .unit(Unit.SECONDS)
            .help("Time the device took to serve a request, by opcode.")
            .labelNames("opcode")
            .classicOnly()
            .classicUpperBounds(
                0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
                2.5, 5)
            .register(registry);
    device.observeRequests(
        (port, opcode, status, nanos) -> {
          String op = opcodeName(opcode);
          requests.labelValues(op, statusName(status)).inc();
          latency.labelValues(op).observe(nanos / 1e9);
        });
    gauge(registry, "ihsm_partitions", "Partitions on the device.", c -> c.partitions());
    gauge(registry, "ihsm_sessions_open", "Sessions open, on every port.", c -> c.sessionsOpen());
    gauge(registry, "ihsm_keys_loaded", "Keys loaded in the device.", c -> c.keysLoaded());
    gauge(
        registry,
        "ihsm_audit_log_bytes",
        "Bytes the audit log holds in non-volatile storage.",
        c -> c.auditBytes());
    CounterWithCallback.builder()
        .name("ihsm_audit_log_entries_total")
        .help("Audit entries written over the device's life.")
        .callback(cb -> counters().ifPresent(c -> cb.call(c.auditEntries())))
        .register(registry);
    GaugeWithCallback.builder()
        .name("ihsm_device_state")
        .help("The device state: 1 for the current one, 0 for the others.")
        .labelNames("state")
        .callback(
            cb ->
                status()
                    .ifPresent(
                        s -> {
                          for (DeviceState state : DeviceState.values()) {
                            cb.call(state == s.state() ? 1 : 0, state.name());
                          }
                        }))
        .register(registry);
    GaugeWithCallback.builder()
        .name("ihsm_device_up")
        .help("1 when the device answers its status, 0 when it does not.")
        .callback(cb -> cb.call(status().isPresent() ? 1 : 0))
        .register(registry);
    GaugeWithCallback.builder()
        .name("ihsm_self_tests")
        .help("Self-tests in the last complete round: passed, and in the suite.")
        .labelNames("result")
        .callback(
            cb ->
                status()
                    .ifPresent(
                        s -> {
                          cb.call(s.selfTestsPassed(), "passed");
                          cb.call(s.selfTestsTotal() - s.selfTestsPassed(), "failed");
                        }))
        .register(registry);
    CounterWithCallback.builder()
        .name("ihsm_tamper_events_total")
        .help("Tamper events over the device's life.")
        .callback(cb -> status().ifPresent(s -> cb.call(s.tamperCount())))
        .register(registry);
    GaugeWithCallback.builder()
        .name("ihsm_approved_mode")
        .help("1 when the device refuses non-approved algorithms and parameters.")
        .callback(cb -> status().ifPresent(s -> cb.call(s.approvedMode() ? 1 : 0)))
        .register(registry);
    GaugeWithCallback.builder()
        .name("ihsm_uptime_seconds")
        .unit(Unit.SECONDS)
        .help("Time since the device's last power-on.")
        .callback(cb -> status().ifPresent(s -> cb.call(s.uptimeMillis() / 1000.0)))
        .register(registry);
    this.server =
        HTTPServer.builder()
            .inetAddress(address.getAddress())
            .port(address.getPort())
            .registry(registry)
            .registerHealthHandler(false)
            .defaultHandler(this::health)
            .buildAndStart();
  }

  /** Serves the metrics of this device, reading what it holds through {@code client}. */
  static DaemonMetrics start(Device device, IhsmClient client, InetSocketAddress address)
      throws IOException {
    return new DaemonMetrics(device, client, address);
  }

  /** Where the metrics are served (the port the system chose, when 0 was asked). */
  int port() {
    return server.getPort();
  }

  /**
   * /healthz: 200 while the device answers its status (the daemon is alive); /readyz: 200 only when
   * it is OPERATIONAL, else 503 naming the state. Anything else: 404.
   */
  private void health(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      Optional<DeviceStatus> s = fresh().status();
      int code;
      String body;
      if (path.equals("/healthz")) {
        code = s.isPresent() ? 200 : 503;
        body = s.map(st -> "ok: " + st.state()).orElse("the device does not answer");
      } else if (path.equals("/readyz")) {
        boolean ready = s.isPresent() && s.get().state() == DeviceState.OPERATIONAL;
        code = ready ? 200 : 503;
        body =
            s.map(
                    st ->
                        (ready ? "ready: " : "not ready: ")
                            + st.state()
                            + (st.reason().isEmpty() ? "" : " (" + st.reason() + ")"))
                .orElse("not ready: the device does not answer");
      } else {
        code = 404;
        body = "not found: /metrics, /healthz and /readyz are served";
      }
      byte[] bytes = (body + "\n").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      exchange.sendResponseHeaders(code, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private void gauge(
      PrometheusRegistry registry,
      String name,
      String help,
      java.util.function.ToDoubleFunction<DeviceCounters> value) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .callback(cb -> counters().ifPresent(c -> cb.call(value.applyAsDouble(c))))
        .register(registry);
  }

  private Optional<DeviceStatus> status() {
    return fresh().status();
  }

  private Optional<DeviceCounters> counters() {
    return fresh().counters();
  }

  /** The device's answers, read again when the last ones are older than a second. */
  private synchronized Snapshot fresh() {
    Snapshot s = snapshot;
    long now = System.nanoTime();
    if (s != null && now - s.atNanos() < SNAPSHOT_NANOS) {
      return s;
    }
    Optional<DeviceStatus> status = ask(client::deviceStatus);
    Optional<DeviceCounters> counters =
        status.isPresent() ? ask(client::deviceCounters) : Optional.empty();
    snapshot = new Snapshot(now, status, counters);
    return snapshot;
  }

  private static <T> Optional<T> ask(java.util.function.Supplier<T> call) {
    try {
      return Optional.of(call.get());
    } catch (IhsmException e) {
      return Optional.empty(); // not OPERATIONAL (no counters then), or not answering
    }
  }

  static String opcodeName(int code) {
    Opcode op = code < 0 ? null : Opcode.fromCode(code);
    return op == null ? "unknown" : op.name();
  }

  static String statusName(int code) {
    Status st = code < 0 ? null : Status.fromCode(code);
    return st == null ? "unknown" : st.name();
  }

  @Override
  public void close() {
    server.close();
  }
}
