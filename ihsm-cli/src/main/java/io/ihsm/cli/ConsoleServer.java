package io.ihsm.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.ihsm.ddi.credential.Credential;
import io.ihsm.sdk.CryptoOfficerSession;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.IhsmException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;

/**
 * The console's HTTPS server: a login form for the Crypto Officer's PIN (checked by the device,
 * never by the console), then read-only pages. A login holds a Crypto Officer session on the device
 * for as long as its browser session lives (10 idle minutes at most); the browser holds only a
 * random token in an HttpOnly, Secure, SameSite=Strict cookie. Nothing the console serves changes
 * the device: its only POSTs log in and out.
 */
final class ConsoleServer implements AutoCloseable {
  static final String COOKIE = "ihsm_console";
  private static final long IDLE_NANOS = 10L * 60 * 1_000_000_000L;
  private static final int MAX_SESSIONS = 8;
  private static final int MAX_FORM = 1024;

  private final IhsmClient hsm;
  private final Path home;
  private final HttpsServer server;
  private final ExecutorService workers = Executors.newFixedThreadPool(4);
  private final SecureRandom random = new SecureRandom();
  private final Map<String, WebSession> sessions = new ConcurrentHashMap<>();
  private final LoginThrottle throttle = new LoginThrottle();

  /** A browser's login: the device session it holds, and when it was last used. */
  private static final class WebSession {
    final CryptoOfficerSession co;
    volatile long lastUsed = System.nanoTime();
    private byte[] export;
    private long exportedAt;

    WebSession(CryptoOfficerSession co) {
      this.co = co;
    }

    /** The audit log, exported again at most once a minute (each export is an audit entry). */
    synchronized byte[] auditExport() {
      long now = System.nanoTime();
      if (export == null || now - exportedAt > 60_000_000_000L) {
        export = co.exportAuditLog();
        exportedAt = now;
      }
      return export;
    }
  }

  private ConsoleServer(IhsmClient hsm, Path home, SSLContext tls, InetSocketAddress address)
      throws IOException {
    this.hsm = hsm;
    this.home = home;
    server = HttpsServer.create(address, 16);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    server.setExecutor(workers);
    server.createContext("/", this::handle);
    server.start();
  }

  static ConsoleServer start(IhsmClient hsm, Path home, SSLContext tls, InetSocketAddress address)
      throws IOException {
    if (!System.getProperties().containsKey("sun.net.httpserver.maxReqTime")) {
      // A client that sends its request slowly is cut off.
      System.setProperty("sun.net.httpserver.maxReqTime", "10");
    }
    return new ConsoleServer(hsm, home, tls, address);
  }

  int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      expireIdle();
      String path = ex.getRequestURI().getPath();
      String method = ex.getRequestMethod();
      WebSession session = session(ex);
      if (path.equals("/login") && method.equals("POST")) {
        login(ex);
      } else if (path.equals("/logout") && method.equals("POST")) {
        logout(ex);
      } else if (!method.equals("GET")) {
        send(ex, 405, "text/plain", "only GET (and POST to /login, /logout) here");
      } else if (session == null && (path.equals("/") || path.equals("/compliance"))) {
        send(ex, 200, "text/html", ConsolePage.login(throttle.message()));
      } else if (path.equals("/")) {
        send(
            ex,
            200,
            "text/html",
            render(() -> ConsolePage.overview(hsm, session.auditExport(), home)));
      } else if (path.equals("/compliance")) {
        send(ex, 200, "text/html", render(() -> ConsolePage.compliance(session.co)));
      } else {
        send(ex, 404, "text/plain", "not found");
      }
    } catch (RuntimeException e) {
      // Never a stack trace to the browser, and nothing of the request echoed.
      send(ex, 500, "text/plain", "the console could not serve this page");
    }
  }

  private interface Page {
    String render();
  }

  private String render(Page page) {
    try {
      return page.render();
    } catch (IhsmException e) {
      return ConsolePage.error(e.getMessage() + " [" + e.status() + "]");
    }
  }

  private void login(HttpExchange ex) throws IOException {
    String pin = formField(ex, "pin");
    if (!throttle.tryAcquire()) {
      redirect(ex, "/", null);
      return;
    }
    CryptoOfficerSession co;
    try (Credential c = CryptoOfficerFile.withPin(hsm, home, pin == null ? "" : pin)) {
      co = hsm.loginCryptoOfficer(c);
    } catch (IhsmException | IllegalArgumentException | CliFailure e) {
      throttle.failed(
          e instanceof IhsmException ie ? "login failed: " + ie.status() : "login failed");
      redirect(ex, "/", null);
      return;
    }
    throttle.succeeded();
    if (sessions.size() >= MAX_SESSIONS) {
      oldest().ifPresent(this::end);
    }
    byte[] t = new byte[32];
    random.nextBytes(t);
    String token = HexFormat.of().formatHex(t);
    sessions.put(digest(token), new WebSession(co));
    redirect(
        ex, "/", COOKIE + "=" + token + "; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=600");
  }

  private void logout(HttpExchange ex) throws IOException {
    String token = cookie(ex);
    if (token != null) {
      end(digest(token));
    }
    redirect(ex, "/", COOKIE + "=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0");
  }

  private WebSession session(HttpExchange ex) {
    String token = cookie(ex);
    if (token == null) {
      return null;
    }
    WebSession s = sessions.get(digest(token));
    if (s != null) {
      s.lastUsed = System.nanoTime();
    }
    return s;
  }

  private static String cookie(HttpExchange ex) {
    for (String header : ex.getRequestHeaders().getOrDefault("Cookie", java.util.List.of())) {
      for (String part : header.split(";")) {
        String p = part.strip();
        if (p.startsWith(COOKIE + "=") && p.length() == COOKIE.length() + 1 + 64) {
          return p.substring(COOKIE.length() + 1);
        }
      }
    }
    return null;
  }

  /** Sessions are found by the token's SHA-256, so no lookup compares the token itself. */
  private static String digest(String token) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private java.util.Optional<String> oldest() {
    return sessions.entrySet().stream()
        .min((a, b) -> Long.compare(a.getValue().lastUsed, b.getValue().lastUsed))
        .map(Map.Entry::getKey);
  }

  private void expireIdle() {
    long now = System.nanoTime();
    for (Iterator<Map.Entry<String, WebSession>> it = sessions.entrySet().iterator();
        it.hasNext(); ) {
      Map.Entry<String, WebSession> e = it.next();
      if (now - e.getValue().lastUsed > IDLE_NANOS) {
        it.remove();
        closeQuietly(e.getValue());
      }
    }
  }

  private void end(String key) {
    WebSession s = sessions.remove(key);
    if (s != null) {
      closeQuietly(s);
    }
  }

  private static void closeQuietly(WebSession s) {
    try {
      s.co.close();
    } catch (RuntimeException gone) {
      // the device already ended it
    }
  }

  /** One field of a small urlencoded form; a larger body is not read. */
  private static String formField(HttpExchange ex, String name) throws IOException {
    try (InputStream in = ex.getRequestBody()) {
      byte[] body = in.readNBytes(MAX_FORM + 1);
      if (body.length > MAX_FORM) {
        // The rest is not read, so the connection is not reused for another request.
        ex.getResponseHeaders().set("Connection", "close");
        return null;
      }
      for (String pair : new String(body, StandardCharsets.US_ASCII).split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0 && pair.substring(0, eq).equals(name)) {
          try {
            return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
          } catch (IllegalArgumentException malformed) {
            return null;
          }
        }
      }
      return null;
    }
  }

  private static void redirect(HttpExchange ex, String to, String setCookie) throws IOException {
    if (setCookie != null) {
      ex.getResponseHeaders().add("Set-Cookie", setCookie);
    }
    ex.getResponseHeaders().set("Location", to);
    headers(ex, "text/plain");
    ex.sendResponseHeaders(303, -1);
  }

  private static void send(HttpExchange ex, int code, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    headers(ex, type);
    ex.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static void headers(HttpExchange ex, String type) {
    var h = ex.getResponseHeaders();
    h.set("Content-Type", type + "; charset=utf-8");
    h.set("Cache-Control", "no-store");
    h.set(
        "Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    h.set("X-Content-Type-Options", "nosniff");
    h.set("X-Frame-Options", "DENY");
    h.set("Referrer-Policy", "no-referrer");
    h.set("Strict-Transport-Security", "max-age=31536000");
  }

  @Override
  public void close() {
    server.stop(0);
    workers.shutdownNow();
    sessions.keySet().forEach(this::end);
  }

  /**
   * Logins one at a time, at most one a second, and none for a minute after 3 failures in a row:
   * each failure counts towards the device's Crypto Officer lockout, which a web form must not
   * reach by itself.
   */
  static final class LoginThrottle {
    private long last;
    private long pausedUntil;
    private int failures;
    private String message = "";

    synchronized boolean tryAcquire() {
      long now = System.nanoTime();
      if (now < pausedUntil) {
        message = "logins are paused for a minute after 3 failed ones";
        return false;
      }
      if (last != 0 && now - last < 1_000_000_000L) {
        message = "one login a second, please";
        return false;
      }
      last = now;
      return true;
    }

    synchronized void failed(String why) {
      failures++;
      message = why;
      if (failures >= 3) {
        pausedUntil = System.nanoTime() + 60_000_000_000L;
        failures = 0;
        message = why + "; logins are paused for a minute after 3 failed ones";
      }
    }

    synchronized void succeeded() {
      failures = 0;
      message = "";
    }

    synchronized String message() {
      return message;
    }
  }
}
