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

  @BeforeEach
  void images() throws Exception {
    factory = home.resolve("factory.img");
    try (InputStream in = Device.class.getResourceAsStream("boot/ihsm-firmware.img")) {
      Files.write(factory, in.readAllBytes());
    }
    Path keys = Path.of(System.getProperty("ihsm.project.root")).resolve(".dev-keys");
    devKey = keys.resolve("firmware-signing-dev.pk8");
    devPub = keys.resolve("firmware-signing-dev.spki");
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
    Path other = home.resolve("other.img");
    ok(
        "firmware",
        "sign",
        "--key",
        fk.toString(),
        "--public-key",
        fp.toString(),
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
}
