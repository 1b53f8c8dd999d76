package io.ihsm.store.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real etcd cluster for the tests: {@code etcd} processes on loopback ports chosen here, each
 * with a data directory of its own, stopped (killed) at close. Tests skip, saying why, where the
 * {@code etcd} command is absent; {@code .ci/run} installs it (Debian: etcd-server).
 */
public final class EtcdCluster implements AutoCloseable {
  private final List<Process> members = new ArrayList<>();
  private final List<URI> clientUrls = new ArrayList<>();
  private final List<ProcessBuilder> commands = new ArrayList<>();

  /** Why the cluster cannot run here, or null when it can. */
  public static String unavailable() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, "etcd"))) {
        return null;
      }
    }
    return "etcd is not installed (Debian: etcd-server; .ci/run installs it)";
  }

  public static EtcdCluster start(Path dir, int size) throws Exception {
    EtcdCluster c = new EtcdCluster();
    try {
      int[] client = freePorts(size);
      int[] peer = freePorts(size);
      StringBuilder initial = new StringBuilder();
      for (int i = 0; i < size; i++) {
        initial
            .append(i == 0 ? "" : ",")
            .append("m")
            .append(i)
            .append("=http://127.0.0.1:")
            .append(peer[i]);
      }
      for (int i = 0; i < size; i++) {
        String clientUrl = "http://127.0.0.1:" + client[i];
        String peerUrl = "http://127.0.0.1:" + peer[i];
        Path data = Files.createDirectories(dir.resolve("m" + i));
        ProcessBuilder b =
            new ProcessBuilder(
                    "etcd",
                    "--name",
                    "m" + i,
                    "--data-dir",
                    data.toString(),
                    "--listen-client-urls",
                    clientUrl,
                    "--advertise-client-urls",
                    clientUrl,
                    "--listen-peer-urls",
                    peerUrl,
                    "--initial-advertise-peer-urls",
                    peerUrl,
                    "--initial-cluster",
                    initial.toString(),
                    "--initial-cluster-state",
                    "new",
                    "--initial-cluster-token",
                    "ihsm-test-" + dir.getFileName(),
                    "--heartbeat-interval",
                    "50",
                    "--election-timeout",
                    "500")
                .redirectErrorStream(true)
                .redirectOutput(
                    ProcessBuilder.Redirect.appendTo(dir.resolve("m" + i + ".log").toFile()));
        c.commands.add(b);
        c.members.add(b.start());
        c.clientUrls.add(URI.create(clientUrl));
      }
      for (int i = 0; i < size; i++) {
        c.awaitHealthy(i);
      }
      return c;
    } catch (Exception e) {
      c.close();
      throw e;
    }
  }

  public List<URI> endpoints() {
    return List.copyOf(clientUrls);
  }

  /** The cluster as a fleet store address: {@code etcd://127.0.0.1:port,…}. */
  public String address() {
    StringBuilder b = new StringBuilder("etcd://");
    for (int i = 0; i < clientUrls.size(); i++) {
      b.append(i == 0 ? "" : ",").append(clientUrls.get(i).getAuthority());
    }
    return b.toString();
  }

  /** The member that leads now (asked of a member that is up). */
  public int leader() throws IOException {
    for (int i = 0; i < members.size(); i++) {
      if (!members.get(i).isAlive()) {
        continue;
      }
      String status = post(clientUrls.get(i), "/v3/maintenance/status");
      String leader = field(status, "leader");
      for (int j = 0; j < members.size(); j++) {
        if (members.get(j).isAlive()
            && leader.equals(
                field(post(clientUrls.get(j), "/v3/maintenance/status"), "member_id"))) {
          return j;
        }
      }
    }
    throw new IllegalStateException("no member answers as the leader");
  }

  /** Starts killed members again on their data (the cluster is back once a quorum is). */
  public void restartKilled() throws Exception {
    for (int i = 0; i < members.size(); i++) {
      if (!members.get(i).isAlive()) {
        members.set(i, commands.get(i).start());
      }
    }
    for (int i = 0; i < members.size(); i++) {
      awaitHealthy(i);
    }
  }

  /** SIGKILL, like a crash or a power loss. */
  public void kill(int member) throws InterruptedException {
    members.get(member).destroyForcibly().waitFor();
  }

  @Override
  public void close() throws InterruptedException {
    for (Process p : members) {
      p.destroyForcibly().waitFor();
    }
  }

  private void awaitHealthy(int member) throws Exception {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (!members.get(member).isAlive()) {
        throw new IllegalStateException("etcd member " + member + " exited; see its log");
      }
      try {
        HttpURLConnection h =
            (HttpURLConnection) clientUrls.get(member).resolve("/health").toURL().openConnection();
        h.setConnectTimeout(500);
        h.setReadTimeout(1000);
        try (InputStream in = h.getInputStream()) {
          if (new String(in.readAllBytes(), StandardCharsets.UTF_8).contains("\"true\"")) {
            return;
          }
        }
      } catch (IOException notYet) {
        // starting
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("etcd member " + member + " did not become healthy");
  }

  private static String post(URI base, String path) throws IOException {
    HttpURLConnection h = (HttpURLConnection) base.resolve(path).toURL().openConnection();
    h.setRequestMethod("POST");
    h.setDoOutput(true);
    h.setConnectTimeout(1000);
    h.setReadTimeout(2000);
    try (OutputStream out = h.getOutputStream()) {
      out.write("{}".getBytes(StandardCharsets.US_ASCII));
    }
    try (InputStream in = h.getInputStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\":\"?(\\d+)").matcher(json);
    if (!m.find()) {
      throw new IllegalStateException("no " + name + " in " + json);
    }
    return m.group(1);
  }

  private static int[] freePorts(int n) throws IOException {
    int[] ports = new int[n];
    List<ServerSocket> held = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        held.add(s);
        ports[i] = s.getLocalPort();
      }
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
    return ports;
  }
}
