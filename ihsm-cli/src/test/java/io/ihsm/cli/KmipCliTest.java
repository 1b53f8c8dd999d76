package io.ihsm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ihsm.ddi.testing.ExternalCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/kmip.md as an operator follows it: openssl makes the certificates, the shell the client map,
 * `ihsm kmip` serves a daemon's partition in its own process, and PyKMIP's client runs the
 * documented Python. Each block is read from the document, so the document stays runnable.
 */
class KmipCliTest {
  static final String PIN = "kmip-cli-pin-1234";
  static final Pattern BLOCK = Pattern.compile("```(python)?\\n(.*?)```", Pattern.DOTALL);

  @TempDir Path tmp;
  Process daemon;
  Process kmip;

  @AfterEach
  void stop() {
    for (Process p : new Process[] {kmip, daemon}) {
      if (p != null && p.isAlive()) {
        p.destroyForcibly();
      }
    }
  }

  static boolean available(String... command) throws Exception {
    try {
      return ExternalCommand.run(List.of(command)).exitCode() == 0;
    } catch (java.io.IOException missing) {
      return false;
    }
  }

  @Test
  void theDocumentedSetUpServesPykmip() throws Exception {
    assumeTrue(available("openssl", "version"), "openssl is not installed");
    assumeTrue(
        available("/usr/bin/python3", "-c", "import kmip"),
        "python3-pykmip is not installed (Debian package; .ci/run installs it)");
    List<String> blocks = new ArrayList<>();
    Matcher m = BLOCK.matcher(Files.readString(Path.of("../docs/kmip.md")));
    while (m.find()) {
      blocks.add(m.group(2));
    }
    assertThat(blocks).as("docs/kmip.md: certificates, client map and server, client").hasSize(3);
    Path sockets = tmp.resolve("sock");
    Path home = tmp.resolve("home");
    daemon = DaemonProcessTest.startDaemon(tmp, sockets);
    String pin = PinFiles.of(PIN);
    for (List<String> args :
        List.of(
            List.of("device", "init"),
            List.of("partition", "create", "payments", "--pin-file", pin))) {
      List<String> all =
          new ArrayList<>(List.of("--socket-dir", sockets.toString(), "--home", home.toString()));
      all.addAll(args);
      CliRun r = CliRun.of(all.toArray(String[]::new));
      assertThat(r.exitCode()).as(r.err()).isZero();
    }

    shell(blocks.get(0));
    String setUp = blocks.get(1);
    int serverLine = setUp.indexOf("ihsm --socket-dir");
    shell(setUp.substring(0, serverLine));
    assertThat(Files.readString(tmp.resolve("clients.properties")))
        .containsPattern("certificate-sha256 = [0-9a-f]{64}");

    List<String> server =
        new ArrayList<>(List.of(setUp.substring(serverLine).strip().split("\\s+")));
    assertThat(server.subList(0, 3)).containsExactly("ihsm", "--socket-dir", "/run/ihsm");
    server.set(2, sockets.toString());
    server.set(server.indexOf("127.0.0.1:5696"), "127.0.0.1:0");
    for (int i = 0; i < server.size(); i++) {
      if (server.get(i).matches("[a-z]+\\.(pem|key|properties)")) {
        server.set(i, tmp.resolve(server.get(i)).toString());
      }
    }
    server.remove(0);
    server.addAll(0, List.of("--home", home.toString()));
    Path log = tmp.resolve("kmip.log");
    kmip =
        DaemonProcessTest.ihsm(server)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    Matcher serving;
    while (!(serving =
            Pattern.compile("serving 127\\.0\\.0\\.1:(\\d+)").matcher(Files.readString(log)))
        .find()) {
      assertThat(kmip.isAlive()).as("exited early:\n%s", Files.readString(log)).isTrue();
      assertThat(System.nanoTime()).as("not serving in time").isLessThan(deadline);
      Thread.sleep(50);
    }
    String python = blocks.get(2).replace("port=5696", "port=" + serving.group(1));
    Files.writeString(tmp.resolve("client.py"), python + "print('kmip round trip ok')\n");
    ExternalCommand.Result r =
        ExternalCommand.run(List.of("bash", "-c", "cd " + tmp + " && /usr/bin/python3 client.py"));
    assertThat(r.exitCode()).as(r.output() + "\n" + Files.readString(log)).isZero();
    assertThat(r.output()).contains("kmip round trip ok");
    assertThat(Files.readString(log)).contains("client db1").doesNotContain(PIN);

    kmip.destroy();
    assertThat(kmip.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(Files.readString(log)).contains("ihsm kmip: stopped");
  }

  private void shell(String script) throws Exception {
    ExternalCommand.Result r =
        ExternalCommand.run(
            List.of("bash", "-euo", "pipefail", "-c", "cd " + tmp + "\n" + script),
            Map.of("IHSM_PIN", PIN));
    assertThat(r.exitCode()).as(script + "\n" + r.output()).isZero();
  }

  @Test
  void badOptionsAreOneClearLine() throws Exception {
    CliRun listen =
        CliRun.inHome(
            tmp,
            "kmip",
            "--listen",
            "nowhere",
            "--tls-cert",
            "a",
            "--tls-key",
            "b",
            "--client-ca",
            "c",
            "--clients",
            "d");
    assertThat(listen.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(listen.err()).contains("HOST:PORT");
    Files.writeString(tmp.resolve("empty.pem"), "not a certificate\n");
    CliRun tls =
        CliRun.inHome(
            tmp,
            "kmip",
            "--tls-cert",
            tmp.resolve("empty.pem").toString(),
            "--tls-key",
            tmp.resolve("empty.pem").toString(),
            "--client-ca",
            tmp.resolve("empty.pem").toString(),
            "--clients",
            "d");
    assertThat(tls.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(tls.err().strip().lines()).hasSize(1);
  }
}
