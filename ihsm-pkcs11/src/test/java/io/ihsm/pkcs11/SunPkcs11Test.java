package io.ihsm.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyOrigin;
import io.ihsm.ddi.testing.ExternalCommand;
import io.ihsm.sdk.store.HostKeyStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JDK's own PKCS#11 provider (SunPKCS11) over the module: keytool makes keys inside, jarsigner
 * signs with them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SunPkcs11Test {
  @TempDir static Path dir;
  static Pkcs11Daemon d;
  static Path config;

  @BeforeAll
  static void daemon() throws Exception {
    d = Pkcs11Daemon.start(dir, true);
    config = dir.resolve("sunpkcs11.cfg");
    Files.writeString(config, "name = ihsm\nlibrary = " + Pkcs11Daemon.module() + "\n");
  }

  @AfterAll
  static void stop() throws Exception {
    d.close();
  }

  static ExternalCommand.Result jdkTool(String tool, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", tool).toString());
    cmd.addAll(List.of(args));
    if (!tool.equals("jar") && !List.of(args).contains("-verify")) {
      cmd.addAll(
          List.of(
              "-keystore",
              "NONE",
              "-storetype",
              "PKCS11",
              "-storepass",
              Pkcs11Daemon.PIN,
              tool.equals("jarsigner") ? "-providerClass" : "-providerclass",
              "sun.security.pkcs11.SunPKCS11",
              tool.equals("jarsigner") ? "-providerArg" : "-providerarg",
              config.toString()));
    }
    return d.run(cmd, Map.of());
  }

  @Test
  @Order(1)
  void keytoolMakesEcAndRsaKeysInsideTheHsmAndListsThem() throws Exception {
    // -providername makes keytool generate with the token's provider (else the JDK's software one
    // runs first).
    ExternalCommand.Result ec =
        jdkTool(
            "keytool",
            "-genkeypair",
            "-providername",
            "SunPKCS11-ihsm",
            "-alias",
            "kt-ec",
            "-keyalg",
            "EC",
            "-groupname",
            "secp256r1",
            "-dname",
            "CN=kt-ec");
    assertThat(ec.exitCode()).as(ec.output()).isZero();
    ExternalCommand.Result rsa =
        jdkTool(
            "keytool",
            "-genkeypair",
            "-providername",
            "SunPKCS11-ihsm",
            "-alias",
            "kt-rsa",
            "-keyalg",
            "RSA",
            "-keysize",
            "2048",
            "-dname",
            "CN=kt-rsa");
    assertThat(rsa.exitCode()).as(rsa.output()).isZero();
    ExternalCommand.Result list = jdkTool("keytool", "-list");
    assertThat(list.exitCode()).as(list.output()).isZero();
    assertThat(list.output())
        .contains(
            "Your keystore contains 2 entries",
            "kt-ec, PrivateKeyEntry",
            "kt-rsa, PrivateKeyEntry");
    // A key made in software cannot be stored: keys come in wrapped, never in clear.
    ExternalCommand.Result soft =
        jdkTool(
            "keytool",
            "-genkeypair",
            "-alias",
            "soft-rsa",
            "-keyalg",
            "RSA",
            "-keysize",
            "2048",
            "-dname",
            "CN=soft");
    assertThat(soft.exitCode()).isNotZero();
    assertThat(soft.output()).contains("CKR_TEMPLATE_INCONSISTENT");
    // The keys are partition keys made inside the device; the host store holds only their masked
    // blobs.
    assertThat(HostKeyStore.at(d.home).keys(Pkcs11Daemon.PARTITION))
        .extracting(HostKeyStore.StoredKey::kind, HostKeyStore.StoredKey::origin)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(KeyKind.EC_P256, KeyOrigin.GENERATED),
            org.assertj.core.groups.Tuple.tuple(KeyKind.RSA_2048, KeyOrigin.GENERATED));
  }

  @Test
  @Order(2)
  void jarsignerSignsWithHsmKeysAndTheSignatureVerifies() throws Exception {
    Path content = dir.resolve("hello.txt");
    Files.writeString(content, "signed through PKCS#11\n");
    for (String alias : List.of("kt-ec", "kt-rsa")) {
      Path jar = dir.resolve(alias + ".jar");
      ExternalCommand.Result made =
          d.run(
              List.of(
                  Path.of(System.getProperty("java.home"), "bin", "jar").toString(),
                  "cf",
                  jar.toString(),
                  "-C",
                  dir.toString(),
                  "hello.txt"),
              Map.of());
      assertThat(made.exitCode()).as(made.output()).isZero();
      ExternalCommand.Result signed = jdkTool("jarsigner", jar.toString(), alias);
      assertThat(signed.exitCode()).as(signed.output()).isZero();
      ExternalCommand.Result verified = jdkTool("jarsigner", "-verify", jar.toString());
      assertThat(verified.output()).as(alias).contains("jar verified.");
      // Changing the signed content after signing must be caught.
      Files.writeString(content, "changed after signing\n");
      d.run(
          List.of(
              Path.of(System.getProperty("java.home"), "bin", "jar").toString(),
              "uf",
              jar.toString(),
              "-C",
              dir.toString(),
              "hello.txt"),
          Map.of());
      ExternalCommand.Result tampered = jdkTool("jarsigner", "-verify", jar.toString());
      assertThat(tampered.output())
          .as(alias)
          .doesNotContain("jar verified.")
          .contains("digest error");
      Files.writeString(content, "signed through PKCS#11\n");
    }
  }
}
