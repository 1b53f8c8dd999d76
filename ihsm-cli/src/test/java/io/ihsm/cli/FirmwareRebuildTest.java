package io.ihsm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The firmware is verifiable from source, as docs/attestation.md ("Rebuilding the firmware") says:
 * a second build of the firmware image in another checkout gives the same bytes, and the FWID
 * measured from that rebuild is the digest a device running this build attests.
 */
class FirmwareRebuildTest extends InHomeCliTest {
  static final Path ROOT = Path.of(System.getProperty("ihsm.project.root", "..")).toAbsolutePath();
  static final Path BUILT = ROOT.resolve("ihsm-firmware/target/ihsm-firmware-image.zip");

  @TempDir static Path checkout;
  static Path rebuilt;

  /** Copies the sources git knows (no build output) and builds the firmware image there. */
  @BeforeAll
  static void rebuildInAnotherCheckout() throws Exception {
    assumeTrue(Files.isDirectory(ROOT.resolve(".git")), "not a git checkout: " + ROOT);
    Process ls =
        new ProcessBuilder(
                "git",
                "-C",
                ROOT.toString(),
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    String names = new String(ls.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(ls.waitFor()).isZero();
    for (String name : names.split("\0")) {
      Path from = ROOT.resolve(name);
      if (!name.isEmpty() && Files.isRegularFile(from)) {
        Path to = checkout.resolve(name);
        Files.createDirectories(to.getParent());
        Files.copy(from, to);
        to.toFile().setExecutable(from.toFile().canExecute());
      }
    }
    List<String> build =
        new ArrayList<>(
            List.of(
                checkout.resolve("mvnw").toString(),
                "-B",
                "-q",
                "-o",
                "package",
                "-DskipTests",
                "-pl",
                "ihsm-firmware",
                "-am"));
    ProcessBuilder pb = new ProcessBuilder(build).directory(checkout.toFile());
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.redirectErrorStream(true).redirectOutput(checkout.resolve("build.log").toFile());
    Process mvn = pb.start();
    assertThat(mvn.waitFor(10, TimeUnit.MINUTES)).as("the rebuild finished").isTrue();
    assertThat(mvn.exitValue())
        .as("rebuild failed:\n" + Files.readString(checkout.resolve("build.log")))
        .isZero();
    rebuilt = checkout.resolve("ihsm-firmware/target/ihsm-firmware-image.zip");
  }

  @Test
  void aRebuildFromAnotherCheckoutGivesTheSameImageBytes() throws IOException {
    assertThat(checkout.resolve("ihsm-firmware/target")).isNotEqualTo(BUILT.getParent());
    assertThat(Files.readAllBytes(rebuilt)).isEqualTo(Files.readAllBytes(BUILT));
  }

  @Test
  void theRebuildsMeasurementIsTheFirmwareDigestTheDeviceAttests() {
    ok("device", "manufacture");
    ok("device", "root", "--out", home.resolve("root.pem").toString());
    ok("device", "certs", "--out", home.resolve("chain.pem").toString());
    ok("device", "attest", "--nonce", "0a1b2c3d", "--out", home.resolve("device.cbor").toString());
    CliRun measured = ok("firmware", "measure", rebuilt.toString(), "--json");
    String fwid = field(measured.out(), "fwid");
    assertThat(fwid).matches("[0-9a-f]{96}");
    assertThat(measured.out()).contains("\"runningMatches\":true");

    CliRun verified = verify(fwid);
    assertThat(verified.exitCode()).as(verified.err()).isEqualTo(ExitCodes.OK);

    // Another build (here: the same jars claimed at another SVN) measures differently, and the
    // device's report is refused against it.
    String other =
        field(ok("firmware", "measure", rebuilt.toString(), "--svn", "7", "--json").out(), "fwid");
    assertThat(other).isNotEqualTo(fwid);
    CliRun refused = verify(other);
    assertThat(refused.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(refused.err()).contains("digest");
  }

  @Test
  void aDamagedImageIsRefusedNamingIt() throws IOException {
    Path damaged = home.resolve("damaged.zip");
    Files.write(damaged, new byte[] {'P', 'K', 3, 4, 1, 2, 3});
    CliRun r =
        ihsm(
            "firmware",
            "measure",
            damaged.toString(),
            "--image-version",
            "1",
            "--svn",
            "1",
            "--signer",
            "x");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(r.err()).startsWith("ihsm: " + damaged);
  }

  static String field(String json, String name) {
    try {
      return new ObjectMapper().readTree(json).get(name).asText();
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + json, e);
    }
  }

  CliRun verify(String digest) {
    return ihsm(
        "attest",
        "verify",
        "--root",
        home.resolve("root.pem").toString(),
        "--chain",
        home.resolve("chain.pem").toString(),
        "--report",
        home.resolve("device.cbor").toString(),
        "--nonce",
        "0a1b2c3d",
        "--firmware-digest",
        digest);
  }
}
