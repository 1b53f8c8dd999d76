package io.ihsm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import v2.Api.DecryptRequest;
import v2.Api.EncryptRequest;
import v2.Api.EncryptResponse;
import v2.Api.StatusRequest;
import v2.KeyManagementServiceGrpc;
import v2.KeyManagementServiceGrpc.KeyManagementServiceBlockingStub;

/**
 * docs/kubernetes.md's commands, each in its own process as an operator runs them (the daemon, the
 * CLI, the plugin), the plugin driven by a client generated from the KMS v2 api.proto.
 */
class KmsPluginCliTest {
  static final String PIN = "kube-pin-12345";

  @TempDir Path tmp;

  Process daemon;
  Process plugin;

  @AfterEach
  void stop() {
    for (Process p : new Process[] {plugin, daemon}) {
      if (p != null && p.isAlive()) {
        p.destroyForcibly();
      }
    }
  }

  /** A command against the daemon, with this test's home (its Crypto Officer credential). */
  CliRun ok(Path sockets, String... args) {
    String[] all = new String[args.length + 4];
    all[0] = "--socket-dir";
    all[1] = sockets.toString();
    all[2] = "--home";
    all[3] = tmp.resolve("home").toString();
    System.arraycopy(args, 0, all, 4, args.length);
    CliRun r = CliRun.of(all);
    assertThat(r.exitCode()).as(String.join(" ", args) + "\n" + r.err()).isEqualTo(ExitCodes.OK);
    return r;
  }

  Process startPlugin(Path sockets, String endpoint, Path log) throws Exception {
    ProcessBuilder pb =
        DaemonProcessTest.ihsm(
            List.of(
                "--socket-dir",
                sockets.toString(),
                "--home",
                tmp.resolve("home").toString(),
                "kms-plugin",
                "--listen",
                endpoint,
                "--partition",
                "kube",
                "--key",
                "kek"));
    pb.environment().put("IHSM_PIN", PIN);
    return pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  static void awaitLine(Process p, Path log, String text) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!Files.readString(log).contains(text)) {
      assertThat(p.isAlive()).as("exited early:\n%s", Files.readString(log)).isTrue();
      assertThat(System.nanoTime()).as("no '%s' in time", text).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  @Test
  void thePluginServesTheApiServerFollowsRotationsAndStopsCleanly() throws Exception {
    Path sockets = tmp.resolve("sockets");
    daemon = DaemonProcessTest.startDaemon(tmp, sockets);
    String pin = PinFiles.of(PIN);
    ok(sockets, "device", "init");
    ok(sockets, "partition", "create", "kube", "--pin-file", pin);
    ok(
        sockets,
        "key",
        "generate",
        "--partition",
        "kube",
        "--kind",
        "aes-256",
        "--usage",
        "encrypt",
        "--label",
        "kek",
        "--pin-file",
        pin);

    Path socket = tmp.resolve("kms/kms.sock");
    Path log = tmp.resolve("plugin.log");
    plugin = startPlugin(sockets, "unix://" + socket, log);
    awaitLine(plugin, log, "serving");
    assertThat(Files.readString(log))
        .containsPattern(
            "(?m)^ihsm kms-plugin: serving unix://.*kms.sock with key kek of partition kube"
                + " \\(key id [0-9a-f]{32}\\)")
        .doesNotContain(PIN);
    assertThat(DaemonProcessTest.commandLinesHolding(PIN)).isEmpty();

    EventLoopGroup loop = new EpollEventLoopGroup(1);
    ManagedChannel channel =
        NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .channelType(EpollDomainSocketChannel.class)
            .eventLoopGroup(loop)
            .usePlaintext()
            .build();
    try {
      KeyManagementServiceBlockingStub kms =
          KeyManagementServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
      var status = kms.status(StatusRequest.getDefaultInstance());
      assertThat(status.getVersion()).isEqualTo("v2");
      assertThat(status.getHealthz()).isEqualTo("ok");
      byte[] dek = "a 32-byte data encryption key!!!".getBytes(StandardCharsets.US_ASCII);
      EncryptResponse e =
          kms.encrypt(
              EncryptRequest.newBuilder()
                  .setPlaintext(ByteString.copyFrom(dek))
                  .setUid("6f1c9d8e-0000-4000-8000-000000000001")
                  .build());
      assertThat(e.getKeyId()).isEqualTo(status.getKeyId());

      ok(sockets, "key", "rotate", "--partition", "kube", "--label", "kek", "--pin-file", pin);

      String rotated = kms.status(StatusRequest.getDefaultInstance()).getKeyId();
      assertThat(rotated).isNotEqualTo(e.getKeyId());
      assertThat(
              kms.decrypt(
                      DecryptRequest.newBuilder()
                          .setCiphertext(e.getCiphertext())
                          .setKeyId(e.getKeyId())
                          .setUid("another")
                          .build())
                  .getPlaintext()
                  .toByteArray())
          .isEqualTo(dek);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    plugin.destroy(); // SIGTERM
    assertThat(plugin.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(plugin.exitValue()).as(Files.readString(log)).isZero();
    assertThat(Files.readString(log)).contains("ihsm kms-plugin: stopped");
    assertThat(socket).as("the socket goes with the plugin").doesNotExist();
  }

  @Test
  void aBadEndpointOrKeyIsOneClearLine() throws Exception {
    CliRun endpoint =
        CliRun.inHome(
            tmp,
            "kms-plugin",
            "--listen",
            "tcp://127.0.0.1:5000",
            "--partition",
            "p",
            "--key",
            "k",
            "--pin-file",
            PinFiles.of(PIN));
    assertThat(endpoint.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(endpoint.err()).contains("unix://");

    CliRun.okInHome(tmp, "partition", "create", "p", "--pin-file", PinFiles.of(PIN));
    CliRun.okInHome(
        tmp,
        "key",
        "generate",
        "--partition",
        "p",
        "--kind",
        "ec-p256",
        "--usage",
        "sign",
        "--label",
        "signer",
        "--pin-file",
        PinFiles.of(PIN));
    for (String key : List.of("missing", "signer")) {
      CliRun r =
          CliRun.inHome(
              tmp,
              "kms-plugin",
              "--listen",
              "unix://" + tmp.resolve("k.sock"),
              "--partition",
              "p",
              "--key",
              key,
              "--pin-file",
              PinFiles.of(PIN));
      assertThat(r.exitCode()).as(key).isEqualTo(ExitCodes.FAILED);
      assertThat(r.err().strip().lines()).hasSize(1);
      assertThat(tmp.resolve("k.sock")).doesNotExist();
    }
  }
}
