package io.ihsm.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ihsm.ddi.testing.ExternalCommand;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The user's bridge service: applications share one, each with its own login; it starts once when
 * many start together, survives nothing it should not (a killed service is replaced), leaves when
 * idle or when its socket goes, and the module uses no directory and answers no caller but the
 * user's own.
 */
class BridgeServiceTest {
  private static final Pattern SERVING = Pattern.compile("serving on \\S+ \\(pid (\\d+)");

  /** A module-test program that stops at "ready" until the test lets it go on. */
  static final class Program {
    final Process process;
    final StringBuilder output = new StringBuilder();
    private final BufferedReader out;

    Program(Pkcs11Daemon d, Map<String, String> more, String... args) throws IOException {
      List<String> command = new ArrayList<>(List.of(ModuleTest.program(), module()));
      command.addAll(List.of(args));
      ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true);
      b.environment().putAll(d.environment());
      b.environment().putAll(more);
      process = b.start();
      out = new BufferedReader(new InputStreamReader(process.getInputStream()));
    }

    void awaitReady() throws IOException {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        output.append(line).append('\n');
        if (line.equals("ready")) {
          return;
        }
      }
      throw new AssertionError("the program ended before it was ready:\n" + output);
    }

    String goOn() throws Exception {
      OutputStream in = process.getOutputStream();
      in.write('\n');
      in.flush();
      output.append(out.lines().collect(Collectors.joining("\n")));
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the program finished").isTrue();
      return output.toString();
    }
  }

  static String module() {
    return Pkcs11Daemon.module().toString();
  }

  /** The service's own log (in its directory, named after its launcher). */
  static String serviceLog(Path bridgeDir) throws IOException {
    if (!Files.isDirectory(bridgeDir)) {
      return "";
    }
    try (Stream<Path> files = Files.list(bridgeDir)) {
      StringBuilder all = new StringBuilder();
      for (Path f : files.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
        all.append(Files.readString(f));
      }
      return all.toString();
    }
  }

  static List<Long> servicePids(Path bridgeDir) throws IOException {
    Matcher m = SERVING.matcher(serviceLog(bridgeDir));
    List<Long> pids = new ArrayList<>();
    while (m.find()) {
      pids.add(Long.parseLong(m.group(1)));
    }
    return pids;
  }

  static void awaitExit(long pid) throws Exception {
    var handle = ProcessHandle.of(pid);
    if (handle.isPresent()) {
      handle.get().onExit().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void applicationsShareOneServiceAndEachHasItsOwnLogin(@TempDir Path dir) throws Exception {
    try (Pkcs11Daemon d = Pkcs11Daemon.start(dir, true)) {
      Program holder = new Program(d, Map.of(), "holdlogin", Pkcs11Daemon.PIN);
      holder.awaitReady();
      ExternalCommand.Result other = d.run(ModuleTest.program(), module(), "public");
      assertThat(other.output())
          .doesNotContain("FAIL")
          .contains("ok not logged in by the other application's login", "all passed");
      assertThat(holder.goOn()).doesNotContain("FAIL").contains("ok still logged in", "all passed");
      assertThat(servicePids(d.bridgeDir())).as("one service served both").hasSize(1);
      assertThat(d.bridgeLog())
          .contains("ihsm-pkcs11[" + holder.process.pid() + "]: serving [tok]");
      assertThat(d.bridgeLog().lines().filter(l -> l.contains("]: serving [tok]")).count())
          .isEqualTo(2);
    }
  }

  @Test
  void applicationsStartingTogetherGetOneService(@TempDir Path dir) throws Exception {
    try (Pkcs11Daemon d = Pkcs11Daemon.start(dir, true)) {
      List<Process> started = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        ProcessBuilder b =
            new ProcessBuilder(ModuleTest.program(), module(), "public").redirectErrorStream(true);
        b.environment().putAll(d.environment());
        started.add(b.start());
      }
      for (Process p : started) {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).doesNotContain("FAIL").contains("all passed");
      }
      assertThat(servicePids(d.bridgeDir())).as(serviceLog(d.bridgeDir())).hasSize(1);
      try (Stream<Path> files = Files.list(d.bridgeDir())) {
        assertThat(files.filter(f -> f.toString().endsWith(".sock")).count()).isEqualTo(1);
      }
    }
  }

  @Test
  void aKilledServiceFailsCallsAtOnceAndTheNextInitializeStartsAnother(@TempDir Path dir)
      throws Exception {
    try (Pkcs11Daemon d = Pkcs11Daemon.start(dir, true)) {
      Program app = new Program(d, Map.of(), "servicekilled", Pkcs11Daemon.PIN);
      app.awaitReady();
      long first = servicePids(d.bridgeDir()).getFirst();
      ProcessHandle.of(first).orElseThrow().destroyForcibly(); // SIGKILL, its socket file left
      awaitExit(first);
      assertThat(app.goOn())
          .doesNotContain("FAIL")
          .contains(
              "ok random after the service was killed",
              "ok initialize again",
              "ok random on the new service",
              "all passed");
      assertThat(servicePids(d.bridgeDir())).hasSize(2).doesNotHaveDuplicates();
    }
  }

  @Test
  void theServiceLeavesWhenIdleOrWhenItsSocketIsRemoved(@TempDir Path dir) throws Exception {
    try (Pkcs11Daemon d = Pkcs11Daemon.start(dir, true)) {
      Path conf = dir.resolve("idle.conf");
      Files.writeString(conf, "bridge-idle-seconds = 1\n");
      ExternalCommand.Result r =
          d.run(
              List.of(ModuleTest.program(), module(), "public"),
              Map.of("IHSM_PKCS11_CONF", conf.toString()));
      assertThat(r.output()).contains("all passed");
      awaitExit(servicePids(d.bridgeDir()).getFirst());
      assertThat(serviceLog(d.bridgeDir())).contains("leaving: idle for 1 s");

      ExternalCommand.Result again = d.run(ModuleTest.program(), module(), "public");
      assertThat(again.output()).contains("all passed");
      List<Long> pids = servicePids(d.bridgeDir());
      assertThat(pids).hasSize(2);
      try (Stream<Path> files = Files.list(d.bridgeDir())) {
        for (Path f : files.filter(f -> f.toString().endsWith(".sock")).toList()) {
          Files.delete(f);
        }
      }
      awaitExit(pids.get(1));
      assertThat(serviceLog(d.bridgeDir())).contains("was removed");
    }
  }

  @Test
  void theModuleUsesNoDirectoryOthersCanEnterAndSaysWhenNoServiceStarts(@TempDir Path dir)
      throws Exception {
    try (Pkcs11Daemon d = Pkcs11Daemon.start(dir, true)) {
      Path open = Files.createDirectory(dir.resolve("open"));
      Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
      Path link =
          Files.createSymbolicLink(dir.resolve("link"), Files.createDirectory(dir.resolve("real")));
      for (Path refused : List.of(open, link)) {
        ExternalCommand.Result r =
            d.run(
                List.of(ModuleTest.program(), module(), "nobridge"),
                Map.of("IHSM_PKCS11_BRIDGE_DIR", refused.toString()));
        assertThat(r.output()).doesNotContain("FAIL").contains("all passed");
        assertThat(d.bridgeLog()).contains("refusing the bridge directory " + refused);
      }
      ExternalCommand.Result noJava =
          d.run(
              List.of(ModuleTest.program(), module(), "nobridge"),
              Map.of("IHSM_PKCS11_JAVA", dir.resolve("no-java").toString()));
      assertThat(noJava.output()).doesNotContain("FAIL").contains("all passed");
      assertThat(d.bridgeLog()).contains("did not start the service");
      assertThat(serviceLog(d.bridgeDir())).contains("no Java at " + dir.resolve("no-java"));
      Path badIdle = dir.resolve("bad-idle.conf");
      Files.writeString(badIdle, "bridge-idle-seconds = 0\n");
      ExternalCommand.Result idle =
          d.run(
              List.of(ModuleTest.program(), module(), "nobridge"),
              Map.of("IHSM_PKCS11_CONF", badIdle.toString()));
      assertThat(idle.output()).doesNotContain("FAIL").contains("all passed");
      assertThat(d.bridgeLog()).contains("bridge-idle-seconds must be 1 to 604800, not 0");
    }
  }

  @Test
  void aCallerRunningAsAnotherUserIsRefused(@TempDir Path dir) throws Exception {
    assumeTrue(
        "root".equals(System.getProperty("user.name")),
        "needs root, to connect as another user (CI runs as root)");
    assumeTrue(
        ExternalCommand.run(List.of("sh", "-c", "command -v setpriv")).exitCode() == 0,
        "needs setpriv (util-linux)");
    try (Pkcs11Daemon d = Pkcs11Daemon.start(dir, true)) {
      assertThat(d.run(ModuleTest.program(), module(), "public").output()).contains("all passed");
      // Open the directory and socket to everyone, so that only the peer check stands in the way.
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.setPosixFilePermissions(d.bridgeDir(), PosixFilePermissions.fromString("rwxr-xr-x"));
      Path socket;
      try (Stream<Path> files = Files.list(d.bridgeDir())) {
        socket = files.filter(f -> f.toString().endsWith(".sock")).findFirst().orElseThrow();
      }
      Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
      // A Java program of its own, run as nobody: connects and sends INITIALIZE.
      Path client = dir.resolve("Client.java");
      Files.writeString(
          client,
          "import java.net.*; import java.nio.*; import java.nio.channels.*;\n"
              + "class Client { public static void main(String[] a) throws Exception {\n"
              + "  try (SocketChannel s = SocketChannel.open(UnixDomainSocketAddress.of(a[0]))) {\n"
              + "    s.write(ByteBuffer.allocate(12).putInt(8).putInt(55).putInt(0).flip());\n"
              + "    int n = s.read(ByteBuffer.allocate(64));\n"
              + "    System.out.println(n > 0 ? \"answered\" : \"unanswered\");\n"
              + "  } catch (java.io.IOException e) { System.out.println(\"unanswered: \" + e); } } }\n");
      Files.setPosixFilePermissions(client, PosixFilePermissions.fromString("rw-r--r--"));
      ExternalCommand.Result r =
          ExternalCommand.run(
              List.of(
                  "setpriv",
                  "--reuid=65534",
                  "--regid=65534",
                  "--clear-groups",
                  ProcessHandle.current().info().command().orElseThrow(),
                  client.toString(),
                  socket.toString()));
      assertThat(r.output()).as("connected, then closed unanswered").contains("unanswered");
      assertThat(serviceLog(d.bridgeDir())).contains("refused a connection from user");
    }
  }
}
