package io.ihsm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `ihsm daemon --metrics`: Prometheus metrics that `promtool check metrics` accepts, requests by
 * opcode and status, what the device holds, and /healthz and /readyz following the device state.
 */
class DaemonMetricsTest {
  static final String PIN = "pin-metrics-4821";

  @TempDir Path tmp;
  Process daemon;
  Path sockets;
  String base;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @AfterEach
  void stop() {
    if (daemon != null && daemon.isAlive()) {
      daemon.destroyForcibly();
    }
  }

  void startWithMetrics() throws Exception {
    sockets = tmp.resolve("sock");
    Path log = tmp.resolve("daemon.log");
    daemon =
        DaemonProcessTest.ihsm(
                List.of(
                    "daemon",
                    "--home",
                    tmp.resolve("home").toString(),
                    "--state-dir",
                    tmp.resolve("state").toString(),
                    "--socket-dir",
                    sockets.toString(),
                    "--metrics",
                    "127.0.0.1:0"))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!Files.readString(log).contains("serving")) {
      assertThat(daemon.isAlive()).as(Files.readString(log)).isTrue();
      assertThat(System.nanoTime()).as("daemon did not start in time").isLessThan(deadline);
      Thread.sleep(50);
    }
    Matcher m =
        Pattern.compile("metrics on (http://127\\.0\\.0\\.1:\\d+)/metrics")
            .matcher(Files.readString(log));
    assertThat(m.find()).as(Files.readString(log)).isTrue();
    base = m.group(1);
  }

  HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The value of one sample line, e.g. {@code ihsm_partitions} or a name with labels. */
  static double sample(String metrics, String series) {
    for (String line : metrics.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).strip());
      }
    }
    throw new AssertionError("no sample " + series + " in:\n" + metrics);
  }

  CliRun cli(String... args) {
    String[] all = new String[args.length + 4];
    all[0] = "--socket-dir";
    all[1] = sockets.toString();
    all[2] = "--home";
    all[3] = tmp.resolve("home").toString();
    System.arraycopy(args, 0, all, 4, args.length);
    return CliRun.of(all);
  }

  CliRun ok(String... args) {
    CliRun r = cli(args);
    assertThat(r.exitCode()).as(String.join(" ", args) + "\n" + r.err()).isZero();
    return r;
  }

  @Test
  void metricsCountRequestsByOpcodeAndStatusAndShowWhatTheDeviceHolds() throws Exception {
    startWithMetrics();
    ok("device", "init");
    ok("partition", "create", "payments-secret-name", "--pin-file", PinFiles.of(PIN));
    ok(
        "key",
        "generate",
        "--partition",
        "payments-secret-name",
        "--kind",
        "ec-p256",
        "--usage",
        "sign",
        "--label",
        "signer-label",
        "--pin-file",
        PinFiles.of(PIN));
    Path doc = Files.writeString(tmp.resolve("doc.txt"), "hello");
    assertThat(
            cli(
                    "sign",
                    "--partition",
                    "payments-secret-name",
                    "--key",
                    "signer-label",
                    "--alg",
                    "SHA256withECDSA",
                    "--pin-file",
                    PinFiles.of("wrong-pin-77"),
                    "--in",
                    doc.toString(),
                    "--out",
                    tmp.resolve("sig").toString())
                .exitCode())
        .isEqualTo(ExitCodes.FAILED);
    rawFrameWithAnUnknownOpcode();
    Thread.sleep(1100); // the device's counts are read at most once a second

    HttpResponse<String> r = get("/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    String m = r.body();
    assertThat(sample(m, "ihsm_partitions")).isEqualTo(1);
    assertThat(sample(m, "ihsm_requests_total{opcode=\"GENERATE_KEY\",status=\"SUCCESS\"}"))
        .isEqualTo(1);
    assertThat(
            sample(
                m, "ihsm_requests_total{opcode=\"OPEN_SESSION\",status=\"AUTHENTICATION_FAILED\"}"))
        .isEqualTo(1);
    assertThat(sample(m, "ihsm_requests_total{opcode=\"unknown\",status=\"UNKNOWN_OPCODE\"}"))
        .isEqualTo(1);
    assertThat(sample(m, "ihsm_request_duration_seconds_count{opcode=\"GENERATE_KEY\"}"))
        .isEqualTo(1);
    assertThat(m)
        .contains("ihsm_request_duration_seconds_bucket{opcode=\"GENERATE_KEY\",le=\"+Inf\"} 1");
    assertThat(sample(m, "ihsm_device_state{state=\"OPERATIONAL\"}")).isEqualTo(1);
    assertThat(sample(m, "ihsm_device_state{state=\"TAMPERED\"}")).isZero();
    assertThat(sample(m, "ihsm_self_tests{result=\"passed\"}")).isEqualTo(22);
    assertThat(sample(m, "ihsm_tamper_events_total")).isZero();
    assertThat(sample(m, "ihsm_audit_log_entries_total")).isGreaterThan(5);
    assertThat(sample(m, "ihsm_audit_log_bytes")).isGreaterThan(100);
    assertThat(sample(m, "ihsm_sessions_open")).isGreaterThanOrEqualTo(0);
    assertThat(sample(m, "ihsm_keys_loaded")).isGreaterThanOrEqualTo(0);
    // Nothing secret and no caller-chosen text in any label or value: names, labels, PINs.
    assertThat(m)
        .doesNotContain("payments-secret-name")
        .doesNotContain("signer-label")
        .doesNotContain(PIN)
        .doesNotContain("wrong-pin-77")
        .doesNotContain("0x7777")
        .doesNotContain("30583");

    PromTool.check(m, tmp);
  }

  @Test
  void readinessFollowsTheDeviceStateAndHealthTheDaemon() throws Exception {
    startWithMetrics();
    assertThat(get("/healthz").statusCode()).isEqualTo(200);
    HttpResponse<String> ready = get("/readyz");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).startsWith("ready: OPERATIONAL");
    assertThat(get("/nothing-here").statusCode()).isEqualTo(404);

    ok("device", "tamper", "--sensor", "case-open");
    Thread.sleep(1100);
    HttpResponse<String> tampered = get("/readyz");
    assertThat(tampered.statusCode()).isEqualTo(503);
    assertThat(tampered.body()).contains("TAMPERED");
    assertThat(get("/healthz").statusCode()).isEqualTo(200);
    String m = get("/metrics").body();
    assertThat(sample(m, "ihsm_device_state{state=\"TAMPERED\"}")).isEqualTo(1);
    assertThat(sample(m, "ihsm_tamper_events_total")).isEqualTo(1);
    PromTool.check(m, tmp);
  }

  @Test
  void aWrongAddressExitsTwoAndABusyPortSaysSo() throws Exception {
    for (String wrong : List.of("9464", "localhost:99999", "127.0.0.1:x", "bad host!:1")) {
      CliRun r =
          CliRun.of(
              "daemon",
              "--socket-dir",
              tmp.resolve("s").toString(),
              "--state-dir",
              tmp.resolve("st").toString(),
              "--metrics",
              wrong);
      assertThat(r.exitCode()).as(wrong + r.err()).isEqualTo(ExitCodes.USAGE);
      assertThat(r.err()).contains("--metrics");
    }
    assertThat(Files.exists(tmp.resolve("st"))).as("nothing was started").isFalse();
    startWithMetrics();
    String taken = base.substring("http://".length());
    Process second =
        DaemonProcessTest.ihsm(
                List.of(
                    "daemon",
                    "--state-dir",
                    tmp.resolve("state2").toString(),
                    "--socket-dir",
                    tmp.resolve("sock2").toString(),
                    "--metrics",
                    taken))
            .redirectErrorStream(true)
            .start();
    assertThat(second.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String out = new String(second.getInputStream().readAllBytes());
    assertThat(second.exitValue()).as(out).isEqualTo(ExitCodes.FAILED);
    assertThat(out).contains("ihsm: ").containsIgnoringCase("address already in use");
  }

  /** A well-formed request header naming opcode 0x7777, straight onto the management socket. */
  void rawFrameWithAnUnknownOpcode() throws IOException {
    try (SocketChannel ch = SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
      ch.connect(java.net.UnixDomainSocketAddress.of(sockets.resolve("management.sock")));
      ByteBuffer frame = ByteBuffer.allocate(4 + 14);
      frame.putInt(14).put((byte) 1).put((byte) 1).put((byte) 0).put((byte) 0);
      frame.putShort((short) 0x7777).putInt(0).putInt(42).flip();
      while (frame.hasRemaining()) {
        ch.write(frame);
      }
      ByteBuffer len = ByteBuffer.allocate(4);
      while (len.hasRemaining() && ch.read(len) >= 0) {}
      assertThat(len.position()).isEqualTo(4);
    }
  }
}
