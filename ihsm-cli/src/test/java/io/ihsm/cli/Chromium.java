package io.ihsm.cli;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real headless Chromium (Debian package {@code chromium}) driven over the DevTools protocol:
 * load a page, run a script in it, read its text, take a screenshot. Started with the flags this
 * machine needs (no sandbox as root, no background networking) and a fresh profile.
 */
final class Chromium implements AutoCloseable {
  static final Path BINARY = Path.of("/usr/bin/chromium");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern DEVTOOLS = Pattern.compile("DevTools listening on (ws://\\S+)");

  private final Process process;
  private final WebSocket page;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

  /**
   * The browser's own profile directory, outside any JUnit temporary directory: Chromium's helper
   * processes may still be writing there as they die, which made JUnit's clean-up fail the test.
   */
  private final Path profile;

  private Chromium() throws Exception {
    assumeTrue(Files.isExecutable(BINARY), "chromium is not installed (.ci/run installs it)");
    profile = Files.createTempDirectory("ihsm-chromium-");
    process =
        new ProcessBuilder(
                BINARY.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--ignore-certificate-errors",
                "--window-size=1280,1600",
                "--user-data-dir=" + profile,
                "--remote-debugging-port=0",
                "about:blank")
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    String browserUrl = null;
    BufferedReader err =
        new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    for (String line; browserUrl == null && (line = err.readLine()) != null; ) {
      Matcher m = DEVTOOLS.matcher(line);
      if (m.find()) {
        browserUrl = m.group(1);
      }
      if (System.nanoTime() > deadline) {
        break;
      }
    }
    if (browserUrl == null) {
      stop();
      throw new IllegalStateException("chromium did not start its DevTools endpoint");
    }
    Thread.ofVirtual().start(() -> err.lines().forEach(l -> {})); // keep its stderr drained
    URI u = URI.create(browserUrl);
    HttpClient http = HttpClient.newHttpClient();
    JsonNode targets =
        JSON.readTree(
            http.send(
                    HttpRequest.newBuilder(
                            URI.create("http://" + u.getHost() + ":" + u.getPort() + "/json/list"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body());
    String pageUrl = null;
    for (JsonNode t : targets) {
      if (t.path("type").asText().equals("page")) {
        pageUrl = t.path("webSocketDebuggerUrl").asText();
      }
    }
    page =
        http.newWebSocketBuilder()
            .buildAsync(URI.create(pageUrl), new Listener())
            .get(30, TimeUnit.SECONDS);
    call("Page.enable", JSON.createObjectNode());
  }

  static Chromium start() throws Exception {
    return new Chromium();
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          JsonNode msg = JSON.readTree(partial.toString());
          CompletableFuture<JsonNode> f = pending.remove(msg.path("id").asInt(-1));
          if (f != null) {
            f.complete(msg);
          }
        } catch (java.io.IOException ignored) {
          // not a message of ours
        }
        partial.setLength(0);
      }
      ws.request(1);
      return null;
    }
  }

  JsonNode call(String method, ObjectNode params) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> f = new CompletableFuture<>();
    pending.put(id, f);
    ObjectNode msg = JSON.createObjectNode().put("id", id).put("method", method);
    msg.set("params", params);
    page.sendText(JSON.writeValueAsString(msg), true).get(10, TimeUnit.SECONDS);
    JsonNode answer = f.get(30, TimeUnit.SECONDS);
    if (answer.has("error")) {
      throw new IllegalStateException(method + ": " + answer.get("error"));
    }
    return answer.path("result");
  }

  void navigate(String url) throws Exception {
    call("Page.navigate", JSON.createObjectNode().put("url", url));
  }

  /** The value of a script run in the page (a string, number or boolean). */
  String evaluate(String expression) throws Exception {
    JsonNode r =
        call(
            "Runtime.evaluate",
            JSON.createObjectNode().put("expression", expression).put("returnByValue", true));
    return r.path("result").path("value").asText();
  }

  /** The page's visible text once {@code ready} holds for it (within 30 s). */
  String textWhen(Predicate<String> ready) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String text = "";
    while (System.nanoTime() < deadline) {
      text =
          evaluate(
              "document.readyState === 'complete' && document.body ? document.body.innerText : ''");
      if (ready.test(text)) {
        return text;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the page never got there; it says:\n" + text);
  }

  /** A PNG of the page as the browser draws it. */
  byte[] screenshot() throws Exception {
    JsonNode r = call("Page.captureScreenshot", JSON.createObjectNode().put("format", "png"));
    return Base64.getDecoder().decode(r.path("data").asText());
  }

  @Override
  public void close() {
    try {
      page.abort();
    } finally {
      stop();
    }
  }

  /**
   * Kills the browser and every helper it started (taken before the kill: once the browser is gone
   * they are no longer its descendants), waits for them, then removes the profile as far as it can.
   */
  private void stop() {
    java.util.List<ProcessHandle> helpers = process.descendants().toList();
    process.destroyForcibly();
    helpers.forEach(ProcessHandle::destroyForcibly);
    try {
      process.waitFor(10, TimeUnit.SECONDS);
      for (ProcessHandle h : helpers) {
        h.onExit().get(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      // a helper that outlives the wait only leaves files in the profile below
    }
    try (var files = Files.walk(profile)) {
      files
          .sorted(java.util.Comparator.reverseOrder())
          .forEach(p -> p.toFile().delete()); // best effort: it is a temporary profile
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      // left for the system's temporary-file clean-up
    }
  }
}
