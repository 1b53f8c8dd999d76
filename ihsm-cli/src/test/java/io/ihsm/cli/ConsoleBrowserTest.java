package io.ihsm.cli;

import static io.ihsm.cli.CliRun.okInHome;
import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `ihsm console` in a real headless Chromium: the Crypto Officer logs in (a wrong PIN first), reads
 * the device, partitions, keys, self-tests, tamper count, the audit trail and the compliance
 * report, and logs out; the page never holds a PIN or a blob. Outside the browser: what an
 * unauthenticated or malformed request gets.
 */
class ConsoleBrowserTest {
  static final String PIN = "console-pin-2718";

  @TempDir Path dir;
  Process console;

  @AfterEach
  void stop() {
    if (console != null) {
      console.destroyForcibly();
    }
  }

  String start(Path home) throws Exception {
    Path log = dir.resolve("console.log");
    console =
        DaemonProcessTest.ihsm(
                List.of("console", "--home", home.toString(), "--listen", "127.0.0.1:0"))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    Pattern url = Pattern.compile("ihsm console: (https://127\\.0\\.0\\.1:\\d+/)");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      Matcher m = url.matcher(Files.readString(log));
      if (m.find()) {
        assertThat(Files.readString(log)).contains("SHA-256 fingerprint");
        return m.group(1);
      }
      assertThat(console.isAlive()).as(Files.readString(log)).isTrue();
      assertThat(System.nanoTime()).as("the console did not start").isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  static Path homeWithARotatedKey(Path home) {
    okInHome(home, "device", "manufacture"); // the compliance report needs the device's identity
    okInHome(home, "partition", "create", "app", "--pin-file", PinFiles.of(PIN));
    okInHome(
        home,
        "key",
        "generate",
        "--partition",
        "app",
        "--kind",
        "ec-p256",
        "--usage",
        "sign",
        "--label",
        "signer",
        "--pin-file",
        PinFiles.of(PIN));
    okInHome(
        home,
        "key",
        "rotate",
        "--partition",
        "app",
        "--label",
        "signer",
        "--pin-file",
        PinFiles.of(PIN));
    return home;
  }

  static String cryptoOfficerPin(Path home) throws Exception {
    try (Stream<Path> files = Files.list(home.resolve("crypto-officer"))) {
      Properties p = new Properties();
      p.load(Files.newBufferedReader(files.findFirst().orElseThrow()));
      return p.getProperty("pin");
    }
  }

  static void logIn(Chromium browser, String pin) throws Exception {
    browser.evaluate(
        "document.querySelector('input[name=pin]').value = '"
            + pin
            + "';"
            + " document.querySelector('form').submit(); 'sent'");
  }

  @Test
  void theCryptoOfficerReadsTheDeviceKeysAuditAndComplianceAndNothingSecretIsOnThePage()
      throws Exception {
    Path home = homeWithARotatedKey(dir.resolve("home"));
    String coPin = cryptoOfficerPin(home);
    String partitionBlob = Files.readString(home.resolve("partitions/app/partition.properties"));
    String url = start(home);
    try (Chromium browser = Chromium.start()) {
      browser.navigate(url);
      browser.textWhen(t -> t.contains("Log in as the Crypto Officer"));

      logIn(browser, "wrong-pin-0000");
      assertThat(browser.textWhen(t -> t.contains("login failed")))
          .contains("login failed: AUTHENTICATION_FAILED");
      Thread.sleep(1100); // one login a second

      logIn(browser, coPin);
      String page = browser.textWhen(t -> t.contains("Audit trail"));
      assertThat(page)
          .contains("ihsm console: device IHSM-")
          .contains("OPERATIONAL")
          .contains("Self-tests")
          .contains("Tamper events over the device's life: 0.")
          .contains("The log verifies")
          .contains("ROTATE_KEY")
          .contains("partition app")
          .contains("AUTHENTICATION_FAILED")
          .contains("Compliance");
      // The keys table: both versions of signer, with kind and state.
      assertThat(page).containsPattern("app\\tsigner\\t1\\tec-p256\\tsign\\tdeactivated");
      assertThat(page).containsPattern("app\\tsigner\\t2\\tec-p256\\tsign\\tactive");
      String html = browser.evaluate("document.documentElement.outerHTML");
      assertThat(html).doesNotContain(coPin).doesNotContain(PIN);
      for (String line : partitionBlob.split("\n")) {
        if (line.startsWith("partitionBlob=")) {
          assertThat(html).doesNotContain(line.substring("partitionBlob=".length(), 60));
        }
      }

      byte[] png = browser.screenshot();
      Files.createDirectories(Path.of("target"));
      Files.write(Path.of("target/console-overview.png"), png);
      BufferedImage shot = ImageIO.read(new ByteArrayInputStream(png));
      assertThat(shot.getWidth()).isEqualTo(1280);
      Set<Integer> colours = new HashSet<>();
      for (int y = 0; y < shot.getHeight(); y += 7) {
        for (int x = 0; x < shot.getWidth(); x += 7) {
          colours.add(shot.getRGB(x, y));
        }
      }
      assertThat(colours)
          .as("a page drawn with text and tables, not a blank one")
          .hasSizeGreaterThan(3);

      browser.navigate(url + "compliance");
      assertThat(browser.textWhen(t -> t.contains("ihsm compliance report")))
          .contains("Module")
          .contains("Firmware");

      browser.navigate(url);
      browser.textWhen(t -> t.contains("Audit trail"));
      browser.evaluate("document.querySelector('form[action=\"/logout\"]').submit(); 'out'");
      browser.textWhen(t -> t.contains("Log in as the Crypto Officer"));
      browser.navigate(url + "compliance");
      assertThat(browser.textWhen(t -> t.contains("Log in"))).doesNotContain("compliance report");
    }
  }

  @Test
  void unauthenticatedMalformedAndPlainRequestsGetNothing() throws Exception {
    Path home = dir.resolve("home");
    okInHome(home, "device", "status");
    String url = start(home);
    // A login on a device with no Crypto Officer yet creates none.
    HttpClient first = HttpClient.newBuilder().sslContext(trustingAll()).build();
    HttpResponse<String> login =
        first.send(
            HttpRequest.newBuilder(URI.create(url + "login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("pin=guess-1234"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(login.statusCode()).isEqualTo(303);
    assertThat(home.resolve("crypto-officer")).doesNotExist();
    Thread.sleep(1100);
    HttpClient http = HttpClient.newBuilder().sslContext(trustingAll()).build();

    HttpResponse<String> report = get(http, url + "compliance", null);
    assertThat(report.statusCode()).isEqualTo(200);
    assertThat(report.body()).contains("Log in as the Crypto Officer").doesNotContain("report");
    assertThat(report.headers().firstValue("Content-Security-Policy"))
        .hasValueSatisfying(v -> assertThat(v).contains("default-src 'none'"));
    assertThat(report.headers().firstValue("Cache-Control")).contains("no-store");
    assertThat(get(http, url + "nothing", null).statusCode()).isEqualTo(404);
    assertThat(get(http, url, "ihsm_console=" + "ab".repeat(32)).body()).contains("Log in");
    assertThat(get(http, url, "ihsm_console=../../etc/passwd").body()).contains("Log in");
    HttpResponse<String> put =
        http.send(
            HttpRequest.newBuilder(URI.create(url))
                .PUT(HttpRequest.BodyPublishers.ofString("x"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(put.statusCode()).isEqualTo(405);

    // An oversized login body and a malformed one log nobody in and leave the console serving.
    for (String body : List.of("pin=" + "x".repeat(5000), "pin=%zz", "nopin=1")) {
      // Each from a visitor of its own (a connection of its own).
      HttpClient visitor = HttpClient.newBuilder().sslContext(trustingAll()).build();
      HttpResponse<String> r =
          visitor.send(
              HttpRequest.newBuilder(URI.create(url + "login"))
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(303);
      assertThat(r.headers().firstValue("Set-Cookie")).isEmpty();
      Thread.sleep(1100);
    }
    // Plain HTTP on the TLS port is not served.
    HttpClient plain = HttpClient.newHttpClient();
    assertThat(
            org.assertj.core.api.Assertions.catchThrowable(
                () ->
                    plain.send(
                        HttpRequest.newBuilder(URI.create(url.replace("https", "http")))
                            .timeout(java.time.Duration.ofSeconds(5))
                            .build(),
                        HttpResponse.BodyHandlers.ofString())))
        .isNotNull();
    assertThat(get(http, url, null).statusCode()).isEqualTo(200);
  }

  static HttpResponse<String> get(HttpClient http, String url, String cookie) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The console's certificate is self-signed for this run; the test trusts it without checking. */
  static SSLContext trustingAll() throws Exception {
    TrustManager all =
        new X509TrustManager() {
          @Override
          public void checkClientTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public void checkServerTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
          }
        };
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, new TrustManager[] {all}, null);
    return ctx;
  }
}
