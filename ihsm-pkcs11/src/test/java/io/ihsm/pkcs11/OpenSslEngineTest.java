package io.ihsm.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.ddi.testing.ExternalCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OpenSSL signs through the module (libp11's pkcs11 engine); the public key pkcs11-tool exports
 * verifies it.
 */
class OpenSslEngineTest {
  static Path engine() throws Exception {
    ExternalCommand.Result dirs = ExternalCommand.run(List.of("openssl", "version", "-e"));
    String enginesDir = dirs.output().replaceAll("(?s).*ENGINESDIR: \"([^\"]*)\".*", "$1").strip();
    Path engine = Path.of(enginesDir, "pkcs11.so");
    Assumptions.assumeTrue(
        Files.exists(engine),
        "OpenSSL's pkcs11 engine is not installed (Debian: libengine-pkcs11-openssl; .ci/run installs it)");
    return engine;
  }

  @Test
  void openSslSignsWithHsmKeysAndTheExportedPublicKeyVerifies(@TempDir Path dir) throws Exception {
    Path engine = engine();
    try (Pkcs11Daemon d = Pkcs11Daemon.start(dir, true)) {
      Path conf = dir.resolve("openssl.cnf");
      Files.writeString(
          conf,
          String.join(
              "\n",
              "openssl_conf = openssl_init",
              "[openssl_init]",
              "engines = engine_section",
              "[engine_section]",
              "pkcs11 = pkcs11_section",
              "[pkcs11_section]",
              "engine_id = pkcs11",
              "dynamic_path = " + engine,
              "MODULE_PATH = " + Pkcs11Daemon.module(),
              "init = 0",
              ""));
      Path data = dir.resolve("data.txt");
      Files.writeString(data, "signed by OpenSSL through the HSM\n");
      for (String[] key : new String[][] {{"ossl-rsa", "rsa:2048"}, {"ossl-ec", "EC:prime256v1"}}) {
        ExternalCommand.Result made =
            d.tool(
                "--keypairgen",
                "--key-type",
                key[1],
                "--label",
                key[0],
                "--id",
                key[0].equals("ossl-rsa") ? "11" : "12",
                "--usage-sign");
        assertThat(made.exitCode()).as(made.output()).isZero();
        Path sig = dir.resolve(key[0] + ".sig");
        ExternalCommand.Result signed =
            d.run(
                List.of(
                    "openssl",
                    "dgst",
                    "-sha256",
                    "-engine",
                    "pkcs11",
                    "-keyform",
                    "engine",
                    "-sign",
                    "pkcs11:token="
                        + Pkcs11Daemon.PARTITION
                        + ";object="
                        + key[0]
                        + ";type=private?pin-value="
                        + Pkcs11Daemon.PIN,
                    "-out",
                    sig.toString(),
                    data.toString()),
                Map.of("OPENSSL_CONF", conf.toString()));
        assertThat(signed.exitCode()).as(signed.output()).isZero();
        Path pub = dir.resolve(key[0] + ".der");
        ExternalCommand.Result exported =
            d.run(
                List.of(
                    "pkcs11-tool",
                    "--module",
                    Pkcs11Daemon.module().toString(),
                    "--read-object",
                    "--type",
                    "pubkey",
                    "--label",
                    key[0],
                    "-o",
                    pub.toString()),
                Map.of());
        assertThat(exported.exitCode()).as(exported.output()).isZero();
        ExternalCommand.Result verified =
            ExternalCommand.run(
                List.of(
                    "openssl",
                    "dgst",
                    "-sha256",
                    "-verify",
                    pub.toString(),
                    "-keyform",
                    "DER",
                    "-signature",
                    sig.toString(),
                    data.toString()));
        assertThat(verified.output()).as(key[0]).contains("Verified OK");
        Path other = dir.resolve("other.txt");
        Files.writeString(other, "not what was signed\n");
        ExternalCommand.Result refused =
            ExternalCommand.run(
                List.of(
                    "openssl",
                    "dgst",
                    "-sha256",
                    "-verify",
                    pub.toString(),
                    "-keyform",
                    "DER",
                    "-signature",
                    sig.toString(),
                    other.toString()));
        assertThat(refused.output()).as(key[0]).contains("Verification failure");
      }
      assertThat(d.bridgeLog()).doesNotContain(Pkcs11Daemon.PIN);
    }
  }
}
