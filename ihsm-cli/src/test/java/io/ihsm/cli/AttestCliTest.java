package io.ihsm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * `ihsm key attest`, `ihsm device attest`, `ihsm attest verify` and `ihsm compliance report|verify`
 * end to end.
 */
class AttestCliTest extends InHomeCliTest {
  static final String NONCE = "00112233445566778899aabbccddeeff";

  String path(String name) {
    return home.resolve(name).toString();
  }

  /** A failed check: exit 1 and one line on standard error naming the reason. */
  void refused(CliRun r, String reason) {
    assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(ExitCodes.FAILED);
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err()).contains(reason);
  }

  void manufacturedWithAPartitionAndKeys() {
    ok("device", "manufacture");
    ok("partition", "create", "app", "--pin-file", PinFiles.of("pin-12345"));
    ok("partition", "create", "other", "--pin-file", PinFiles.of("pin-12345"));
    ok(
        "key",
        "generate",
        "--partition",
        "app",
        "--pin-file",
        PinFiles.of("pin-12345"),
        "--kind",
        "ec-p384",
        "--usage",
        "sign",
        "--label",
        "k");
    ok(
        "key",
        "generate",
        "--partition",
        "app",
        "--pin-file",
        PinFiles.of("pin-12345"),
        "--kind",
        "aes-256",
        "--usage",
        "encrypt",
        "--label",
        "secret",
        "--extractable");
    ok("device", "root", "--out", path("root.pem"));
    ok("partition", "certs", "--partition", "app", "--out", path("chain.pem"));
    ok("partition", "certs", "--partition", "other", "--out", path("other.pem"));
  }

  @Test
  void aKeyReportVerifiesOfflineAndEveryPolicyFailureHasItsOwnLine() throws Exception {
    manufacturedWithAPartitionAndKeys();
    assertThat(
            ok(
                    "key",
                    "attest",
                    "--partition",
                    "app",
                    "--pin-file",
                    PinFiles.of("pin-12345"),
                    "--label",
                    "k",
                    "--nonce",
                    NONCE,
                    "--out",
                    path("report.cbor"))
                .out())
        .contains("wrote");
    String[] verify = {
      "attest",
      "verify",
      "--root",
      path("root.pem"),
      "--chain",
      path("chain.pem"),
      "--report",
      path("report.cbor")
    };
    CliRun good = ok(concat(verify, "--nonce", NONCE, "--min-svn", "1"));
    assertThat(good.out())
        .startsWith("verified: key report")
        .containsPattern(
            "ec-p384 \\(sign, generated, not extractable, app key, version 1 [0-9a-f]{32}, active\\)")
        .contains("approved mode");
    String digest = CliTest.field(ok("firmware", "info", "--json").out(), "digest");
    ok(concat(verify, "--firmware-digest", "ab".repeat(48) + "," + digest));

    refused(ihsm(concat(verify, "--nonce", "00")), "NONCE_MISMATCH");
    refused(ihsm(concat(verify, "--min-svn", "99")), "SVN_BELOW_POLICY");
    refused(ihsm(concat(verify, "--firmware-digest", "ab".repeat(48))), "DIGEST_NOT_ALLOWED");
    refused(
        ihsm(
            "attest",
            "verify",
            "--root",
            path("root.pem"),
            "--chain",
            path("other.pem"),
            "--report",
            path("report.cbor")),
        "WRONG_PARTITION");
    byte[] report = Files.readAllBytes(home.resolve("report.cbor"));
    report[report.length - 5] ^= 1;
    Files.write(home.resolve("flipped.cbor"), report);
    refused(
        ihsm(
            "attest",
            "verify",
            "--root",
            path("root.pem"),
            "--chain",
            path("chain.pem"),
            "--report",
            path("flipped.cbor")),
        "BAD_SIGNATURE");
    refused(
        ihsm(
            "attest",
            "verify",
            "--root",
            path("chain.pem"),
            "--chain",
            path("chain.pem"),
            "--report",
            path("report.cbor")),
        "--root must hold exactly one certificate");
    Files.write(home.resolve("huge.cbor"), new byte[20_000]);
    refused(
        ihsm(
            "attest",
            "verify",
            "--root",
            path("root.pem"),
            "--chain",
            path("chain.pem"),
            "--report",
            path("huge.cbor")),
        "is larger than 16384 bytes");
    refused(
        ihsm(
            "attest",
            "verify",
            "--root",
            path("root.pem"),
            "--chain",
            path("report.cbor"),
            "--report",
            path("report.cbor")),
        "does not hold X.509 certificates");

    ok(
        "key",
        "attest",
        "--partition",
        "app",
        "--pin-file",
        PinFiles.of("pin-12345"),
        "--label",
        "secret",
        "--nonce",
        "",
        "--out",
        path("secret.cbor"));
    assertThat(
            ok(
                    "attest",
                    "verify",
                    "--root",
                    path("root.pem"),
                    "--chain",
                    path("chain.pem"),
                    "--report",
                    path("secret.cbor"))
                .out())
        .contains("aes-256 (encrypt, generated, extractable, app key, version 1 ");
    refused(
        ihsm(
            "key",
            "attest",
            "--partition",
            "app",
            "--pin-file",
            PinFiles.of("pin-12345"),
            "--label",
            "k",
            "--nonce",
            "zz",
            "--out",
            path("x.cbor")),
        "--nonce must be hex");
    refused(
        ihsm(
            "key",
            "attest",
            "--partition",
            "app",
            "--pin-file",
            PinFiles.of("pin-12345"),
            "--label",
            "k",
            "--nonce",
            "00".repeat(129),
            "--out",
            path("x.cbor")),
        "at most 128 bytes");
    assertThat(home.resolve("x.cbor")).doesNotExist();
  }

  @Test
  void aDeviceReportVerifiesWithTheDeviceChainOnly() {
    manufacturedWithAPartitionAndKeys();
    ok("device", "certs", "--out", path("device.pem"));
    ok("device", "attest", "--nonce", NONCE, "--out", path("device.cbor"));
    assertThat(
            ok(
                    "attest",
                    "verify",
                    "--root",
                    path("root.pem"),
                    "--chain",
                    path("device.pem"),
                    "--report",
                    path("device.cbor"),
                    "--nonce",
                    NONCE)
                .out())
        .startsWith("verified: device report")
        .contains("OPERATIONAL")
        .contains("tamper events 0");
    refused(
        ihsm(
            "attest",
            "verify",
            "--root",
            path("root.pem"),
            "--chain",
            path("chain.pem"),
            "--report",
            path("device.cbor")),
        "WRONG_SIGNER");
  }

  @Test
  void theComplianceReportVerifiesOfflineAndAnyEditMakesItFail() throws Exception {
    manufacturedWithAPartitionAndKeys();
    Path dir = home.resolve("compliance");
    ok("compliance", "report", "--out", dir.toString());
    for (String f :
        new String[] {"report.json", "report.json.cose", "report.html", "chain.pem", "root.pem"}) {
      assertThat(dir.resolve(f)).exists();
    }
    String html = Files.readString(dir.resolve("report.html"));
    assertThat(html)
        .contains("<h2>Self-tests</h2>")
        .contains("AES-GCM KAT")
        .contains("<h2>Algorithms</h2>")
        .contains("<h2>Tamper history</h2>")
        .contains("<h2>Audit log head</h2>")
        .contains("<h2>Partitions</h2>")
        .contains("CTR_DRBG");
    assertThat(ok("compliance", "verify", dir.toString()).out())
        .startsWith("verified: compliance report")
        .contains("pin yours with --root");
    assertThat(ok("compliance", "verify", dir.toString(), "--root", path("root.pem")).out())
        .contains("root " + path("root.pem"));

    String json = Files.readString(dir.resolve("report.json"));
    Files.writeString(
        dir.resolve("report.json"),
        json.replace("\"approvedMode\":true", "\"approvedMode\":false"));
    refused(ihsm("compliance", "verify", dir.toString()), "BAD_SIGNATURE");
    Files.writeString(dir.resolve("report.json"), json);
    Files.writeString(dir.resolve("report.html"), html.replace("pass", "pas"));
    refused(
        ihsm("compliance", "verify", dir.toString()), "report.html is not the page of report.json");
    Files.writeString(dir.resolve("report.html"), html);
    ok("compliance", "verify", dir.toString());

    Path otherHome = home.resolve("other-device");
    CliRun.okInHome(otherHome, "device", "manufacture");
    CliRun.okInHome(otherHome, "device", "root", "--out", otherHome.resolve("root.pem").toString());
    refused(
        ihsm(
            "compliance",
            "verify",
            dir.toString(),
            "--root",
            otherHome.resolve("root.pem").toString()),
        "UNTRUSTED_ROOT");
    assertThat(Files.readString(dir.resolve("report.json"), StandardCharsets.UTF_8))
        .doesNotContain("pin-12345");
  }

  static String[] concat(String[] a, String... b) {
    String[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
