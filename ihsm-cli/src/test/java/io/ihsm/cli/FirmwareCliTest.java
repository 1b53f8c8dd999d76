package io.ihsm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.device.Device;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Firmware through the command line: info, verify, sign, update, commit, and rollback refused. */
class FirmwareCliTest extends InHomeCliTest {
  Path factory;
  Path devKey;
  Path devPub;
  Path devLms;

  @BeforeEach
  void images() throws Exception {
    factory = home.resolve("factory.img");
    try (InputStream in = Device.class.getResourceAsStream("boot/ihsm-firmware.img")) {
      Files.write(factory, in.readAllBytes());
    }
    Path keys = Path.of(System.getProperty("ihsm.project.root")).resolve(".dev-keys");
    devKey = keys.resolve("firmware-signing-dev.pk8");
    devPub = keys.resolve("firmware-signing-dev.spki");
    devLms = keys.resolve("firmware-signing-dev.lms");
  }

  @Test
  void verifyAcceptsTheFactoryImageAndRefusesATamperedOne() throws Exception {
    assertThat(ok("firmware", "verify", factory.toString()).out())
        .contains("good: version")
        .contains("NOT FOR PRODUCTION");
    byte[] b = Files.readAllBytes(factory);
    b[b.length / 2] ^= 1;
    Path bad = home.resolve("bad.img");
    Files.write(bad, b);
    CliRun r = ihsm("firmware", "verify", bad.toString());
    assertThat(r.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(r.err().strip().lines()).hasSize(1);
  }

  @Test
  void anUpdateRaisesTheRunningSvnAndACommitFusesIt() throws Exception {
    String info = ok("firmware", "info", "--json").out();
    assertThat(CliTest.field(info, "svn")).isEqualTo("1");
    assertThat(CliTest.field(info, "fusedSvn")).isEqualTo("0");
    assertThat(CliTest.field(info, "path")).isEqualTo("factory image");
    // A partition and a key made before the update keep working after it.
    ok("partition", "create", "app", "--pin-file", PinFiles.of("pin-12345"));
    ok(
        "key",
        "generate",
        "--partition",
        "app",
        "--kind",
        "ec-p256",
        "--usage",
        "sign",
        "--label",
        "k",
        "--pin-file",
        PinFiles.of("pin-12345"));

    Path v2 = home.resolve("v2.img");
    ok(
        "firmware",
        "sign",
        "--key",
        devKey.toString(),
        "--public-key",
        devPub.toString(),
        "--lms-key",
        devLms.toString(),
        "--in",
        factory.toString(),
        "--out",
        v2.toString(),
        "--image-version",
        "0.2.0",
        "--svn",
        "2",
        "--signer",
        "ihsm development key (NOT FOR PRODUCTION)");
    assertThat(ok("firmware", "update", v2.toString()).out())
        .contains("now runs firmware 0.2.0 (SVN 2)")
        .contains("fused SVN stays 0");
    info = ok("firmware", "info", "--json").out();
    assertThat(CliTest.field(info, "svn")).isEqualTo("2");
    assertThat(CliTest.field(info, "path")).endsWith("installed.img");
    Path msg = home.resolve("m");
    Files.writeString(msg, "after update");
    ok(
        "sign",
        "--partition",
        "app",
        "--key",
        "k",
        "--alg",
        "SHA256withECDSA",
        "--in",
        msg.toString(),
        "--out",
        home.resolve("s").toString(),
        "--pin-file",
        PinFiles.of("pin-12345"));

    assertThat(ok("firmware", "commit").out()).contains("fused SVN is now 2");
    // The old image is now a rollback: a daemon told to boot it stays in ERROR and says why.
    Path sockets = home.resolve("sock");
    Process daemon =
        DaemonProcessTest.ihsm(
                List.of(
                    "--home",
                    home.toString(),
                    "daemon",
                    "--socket-dir",
                    sockets.toString(),
                    "--firmware",
                    factory.toString()))
            .redirectErrorStream(true)
            .redirectOutput(home.resolve("daemon.log").toFile())
            .start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!Files.readString(home.resolve("daemon.log"), StandardCharsets.UTF_8)
          .contains("serving")) {
        assertThat(System.nanoTime()).isLessThan(deadline);
        Thread.sleep(50);
      }
      String status =
          CliRun.of("device", "status", "--json", "--socket-dir", sockets.toString()).out();
      assertThat(CliTest.field(status, "state")).isEqualTo("ERROR");
      assertThat(CliTest.field(status, "reason"))
          .isEqualTo("firmware SVN 1 is below the fused SVN 2 (rollback refused)");
    } finally {
      daemon.destroy();
      daemon.waitFor(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void updatesSignedWithAForeignKeyOrTamperedAreRefusedAndTheDeviceKeepsRunning() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp384r1"));
    KeyPair foreign = g.generateKeyPair();
    Path fk = home.resolve("foreign.pk8");
    Path fp = home.resolve("foreign.spki");
    Files.write(fk, foreign.getPrivate().getEncoded());
    Files.write(fp, foreign.getPublic().getEncoded());
    Path fl = home.resolve("foreign.lms");
    ok("firmware", "new-lms-key", "--out", fl.toString());
    Path other = home.resolve("other.img");
    ok(
        "firmware",
        "sign",
        "--key",
        fk.toString(),
        "--public-key",
        fp.toString(),
        "--lms-key",
        fl.toString(),
        "--in",
        factory.toString(),
        "--out",
        other.toString(),
        "--image-version",
        "6.6.6",
        "--svn",
        "9");
    CliRun r = ihsm("firmware", "update", other.toString());
    assertThat(r.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(r.err()).contains("FIRMWARE_INVALID");
    assertThat(CliTest.field(ok("firmware", "info", "--json").out(), "svn")).isEqualTo("1");
    assertThat(CliTest.field(ok("device", "status", "--json").out(), "state"))
        .isEqualTo("OPERATIONAL");
    assertThat(ihsm("firmware", "update", home.resolve("missing.img").toString()).err())
        .contains("no such file");
  }

  @Test
  void releaseKeysSignBothSignaturesAndVerifyNeedsBothPinnedKeys() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp384r1"));
    KeyPair release = g.generateKeyPair();
    Path rk = home.resolve("release.pk8");
    Path rp = home.resolve("release.spki");
    Files.write(rk, release.getPrivate().getEncoded());
    Files.write(rp, release.getPublic().getEncoded());
    Path lms = home.resolve("release.lms");
    assertThat(ok("firmware", "new-lms-key", "--out", lms.toString()).out())
        .contains("1048576 signatures");
    byte[] state = Files.readAllBytes(lms);
    CliRun again = ihsm("firmware", "new-lms-key", "--out", lms.toString());
    assertThat(again.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(again.err()).contains("never overwritten");
    assertThat(Files.readAllBytes(lms)).isEqualTo(state);

    Path signed = home.resolve("release.img");
    List<String> sign =
        List.of(
            "firmware",
            "sign",
            "--key",
            rk.toString(),
            "--public-key",
            rp.toString(),
            "--lms-key",
            lms.toString(),
            "--in",
            factory.toString(),
            "--out",
            signed.toString(),
            "--image-version",
            "1.0.0",
            "--svn",
            "3");
    assertThat(ok(sign.toArray(String[]::new)).out()).contains("1048575 signatures left");
    assertThat(Files.readAllBytes(lms)).as("the LMS state advanced").isNotEqualTo(state);
    String lmsPub = lms + ".spki";
    assertThat(
            ok(
                    "firmware",
                    "verify",
                    signed.toString(),
                    "--pinned-key",
                    rp.toString(),
                    "--pinned-lms-key",
                    lmsPub)
                .out())
        .contains("good: version 1.0.0, SVN 3");
    // This build's boot ROM pins other keys.
    assertThat(ihsm("firmware", "verify", signed.toString()).exitCode())
        .isEqualTo(ExitCodes.FAILED);
    // One pinned key without the other is a usage error.
    assertThat(
            ihsm("firmware", "verify", signed.toString(), "--pinned-key", rp.toString()).exitCode())
        .isEqualTo(ExitCodes.USAGE);
    // An image stripped of its LMS signature is refused, naming why.
    Path stripped = home.resolve("stripped.img");
    try (var in = new java.util.zip.ZipInputStream(Files.newInputStream(signed));
        var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(stripped))) {
      for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        if (!e.getName().endsWith(".LMS")) {
          out.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
          out.write(in.readAllBytes());
          out.closeEntry();
        }
      }
    }
    CliRun r =
        ihsm(
            "firmware",
            "verify",
            stripped.toString(),
            "--pinned-key",
            rp.toString(),
            "--pinned-lms-key",
            lmsPub);
    assertThat(r.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(r.err()).contains("no HSS/LMS signature");
    // Without the LMS key, or with a damaged one, nothing is signed.
    Path damaged = home.resolve("damaged.lms");
    Files.write(damaged, new byte[] {0, 0, 0, 2, 1});
    List<String> withDamaged = new java.util.ArrayList<>(sign);
    withDamaged.set(withDamaged.indexOf(lms.toString()), damaged.toString());
    withDamaged.set(withDamaged.indexOf(signed.toString()), home.resolve("no.img").toString());
    CliRun bad = ihsm(withDamaged.toArray(String[]::new));
    assertThat(bad.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(bad.err()).contains("is damaged");
    assertThat(home.resolve("no.img")).doesNotExist();
  }
}
