package io.ihsm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * `ihsm device manufacture`, `root` and `certs`: a chain OpenSSL verifies, with the development or
 * a supplied CA.
 */
class IdentityCliTest extends InHomeCliTest {
  String opensslVerify(Path root, Path chain) throws Exception {
    OpenSsl.Result r =
        OpenSsl.run(
            "verify", "-CAfile", root.toString(), "-untrusted", chain.toString(), chain.toString());
    return r.output();
  }

  @Test
  void theDevelopmentCaCertifiesTheDeviceAndOpenSslVerifiesTheChain() throws Exception {
    CliRun before = ihsm("device", "certs", "--out", home.resolve("x.pem").toString());
    assertThat(before.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(before.err()).contains("NOT_MANUFACTURED");

    assertThat(ok("device", "manufacture").out()).contains("DeviceID certified");
    Path root = home.resolve("root.pem");
    Path chain = home.resolve("chain.pem");
    ok("device", "root", "--out", root.toString());
    ok("device", "certs", "--out", chain.toString());
    assertThat(Files.readString(root)).startsWith("-----BEGIN CERTIFICATE-----");
    assertThat(opensslVerify(root, chain)).contains(chain + ": OK");
    assertThat(OpenSsl.run("x509", "-in", root.toString(), "-noout", "-subject").output())
        .contains("NOT FOR PRODUCTION");

    ok("partition", "create", "app", "--pin-file", PinFiles.of("pin-12345"));
    Path partitionChain = home.resolve("partition.pem");
    ok("partition", "certs", "--partition", "app", "--out", partitionChain.toString());
    assertThat(opensslVerify(root, partitionChain)).contains(partitionChain + ": OK");
    assertThat(OpenSsl.run("x509", "-in", partitionChain.toString(), "-noout", "-subject").output())
        .contains("ihsm partition");
    assertThat(
            ihsm("partition", "certs", "--partition", "nope", "--out", partitionChain.toString())
                .err())
        .contains("no partition 'nope'");

    CliRun again = ihsm("device", "manufacture");
    assertThat(again.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(again.err()).contains("ALREADY_MANUFACTURED");
    assertThat(again.err().strip().lines()).hasSize(1);
  }

  @Test
  void aSuppliedCaIsUsedInsteadAndMustComeAsAPair() throws Exception {
    Path key = home.resolve("ca.key");
    Path cert = home.resolve("ca.pem");
    assertThat(
            OpenSsl.run(
                    "req",
                    "-x509",
                    "-newkey",
                    "ec",
                    "-pkeyopt",
                    "ec_paramgen_curve:P-384",
                    "-nodes",
                    "-keyout",
                    key.toString(),
                    "-out",
                    cert.toString(),
                    "-subj",
                    "/CN=Example Manufacturer Root",
                    "-sha384",
                    "-days",
                    "30")
                .exitCode())
        .isZero();
    CliRun half = ihsm("device", "manufacture", "--ca-key", key.toString());
    assertThat(half.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(half.err()).contains("--ca-key and --ca-cert go together");

    ok("device", "manufacture", "--ca-key", key.toString(), "--ca-cert", cert.toString());
    Path chain = home.resolve("chain.pem");
    ok("device", "certs", "--out", chain.toString());
    assertThat(opensslVerify(cert, chain)).contains(chain + ": OK");
    assertThat(home.resolve("manufacturer")).doesNotExist();
  }
}
