package io.ihsm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * ML-DSA and ML-KEM from the command line: keys made in the device, signatures the JDK checks, and
 * an encapsulation whose secret the device recovers inside, proved by an HMAC both sides compute.
 */
class PostQuantumCliTest extends InHomeCliTest {
  static final String PIN = "pq-pin-0203";

  String pin() {
    return PinFiles.of(PIN);
  }

  @Test
  void anMlDsaKeySignsWhatTheJdkVerifies() throws Exception {
    ok("partition", "create", "app", "--pin-file", pin());
    for (String kind : List.of("ml-dsa-44", "ml-dsa-65", "ml-dsa-87")) {
      assertThat(
              ok(
                      "key",
                      "generate",
                      "--partition",
                      "app",
                      "--pin-file",
                      pin(),
                      "--kind",
                      kind,
                      "--usage",
                      "sign",
                      "--label",
                      kind,
                      "--json")
                  .out())
          .contains("\"kind\":\"" + kind + "\"");
      Path doc = Files.writeString(home.resolve("doc.txt"), "signed after the quantum computer");
      Path sig = home.resolve(kind + ".sig");
      ok(
          "sign",
          "--partition",
          "app",
          "--pin-file",
          pin(),
          "--key",
          kind,
          "--alg",
          "ML-DSA",
          "--in",
          doc.toString(),
          "--out",
          sig.toString());
      Path pub = home.resolve(kind + ".der");
      ok("key", "public", "--partition", "app", "--label", kind, "--out", pub.toString());
      Signature jdk = Signature.getInstance("ML-DSA");
      jdk.initVerify(
          KeyFactory.getInstance("ML-DSA")
              .generatePublic(new X509EncodedKeySpec(Files.readAllBytes(pub))));
      jdk.update(Files.readAllBytes(doc));
      assertThat(jdk.verify(Files.readAllBytes(sig))).as(kind).isTrue();
      ok(
          "verify",
          "--partition",
          "app",
          "--pin-file",
          pin(),
          "--key",
          kind,
          "--alg",
          "ML-DSA",
          "--in",
          doc.toString(),
          "--signature",
          sig.toString());
      Path other = Files.writeString(home.resolve("other.txt"), "not what was signed");
      assertThat(
              ihsm(
                      "verify",
                      "--partition",
                      "app",
                      "--pin-file",
                      pin(),
                      "--key",
                      kind,
                      "--alg",
                      "ML-DSA",
                      "--in",
                      other.toString(),
                      "--signature",
                      sig.toString())
                  .exitCode())
          .isEqualTo(ExitCodes.FAILED);
    }
    CliRun encrypt =
        ihsm(
            "key",
            "generate",
            "--partition",
            "app",
            "--pin-file",
            pin(),
            "--kind",
            "ml-dsa-65",
            "--usage",
            "encrypt",
            "--label",
            "nope");
    assertThat(encrypt.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(encrypt.err()).contains("ml-dsa-65 keys cannot have usage encrypt");
  }

  @Test
  void anMlDsaKeyBroughtInWrappedSignsForItsOwnPublicKey() throws Exception {
    ok("partition", "create", "app", "--pin-file", pin());
    java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("ML-DSA");
    g.initialize(java.security.spec.NamedParameterSpec.ML_DSA_44);
    java.security.KeyPair mine = g.generateKeyPair();
    Path pk8 = Files.write(home.resolve("mine.pk8"), mine.getPrivate().getEncoded());
    Path unwrapping = home.resolve("unwrapping.der");
    ok(
        "key",
        "unwrapping-key",
        "--partition",
        "app",
        "--pin-file",
        pin(),
        "--out",
        unwrapping.toString());
    Path wrapped = home.resolve("mine.wrapped");
    ok(
        "key",
        "wrap-for-import",
        "--unwrapping-key",
        unwrapping.toString(),
        "--in",
        pk8.toString(),
        "--out",
        wrapped.toString());
    ok(
        "key",
        "import",
        "--partition",
        "app",
        "--pin-file",
        pin(),
        "--label",
        "mine",
        "--kind",
        "ml-dsa-44",
        "--usage",
        "sign",
        "--wrapped",
        wrapped.toString());
    Path doc = Files.writeString(home.resolve("doc.txt"), "brought in");
    Path sig = home.resolve("doc.sig");
    ok(
        "sign",
        "--partition",
        "app",
        "--pin-file",
        pin(),
        "--key",
        "mine",
        "--alg",
        "ML-DSA",
        "--in",
        doc.toString(),
        "--out",
        sig.toString());
    Signature jdk = Signature.getInstance("ML-DSA");
    jdk.initVerify(mine.getPublic());
    jdk.update(Files.readAllBytes(doc));
    assertThat(jdk.verify(Files.readAllBytes(sig))).isTrue();
  }

  @Test
  void aSecretEncapsulatedToTheDevicesMlKemKeyIsRecoveredInsideIt() throws Exception {
    ok("partition", "create", "app", "--pin-file", pin());
    ok(
        "key",
        "generate",
        "--partition",
        "app",
        "--pin-file",
        pin(),
        "--kind",
        "ml-kem-768",
        "--usage",
        "derive",
        "--label",
        "kem");
    Path ct = home.resolve("ct.bin");
    Path secret = home.resolve("shared.bin");
    ok(
        "kem",
        "encapsulate",
        "--partition",
        "app",
        "--key",
        "kem",
        "--out",
        ct.toString(),
        "--secret-out",
        secret.toString());
    assertThat(Files.size(ct)).isEqualTo(1088);
    assertThat(Files.getPosixFilePermissions(secret).toString())
        .isEqualTo("[OWNER_READ, OWNER_WRITE]");
    // The secret never goes to standard output, nor to a file named "-".
    CliRun toStdout =
        ihsm(
            "kem",
            "encapsulate",
            "--partition",
            "app",
            "--key",
            "kem",
            "--out",
            home.resolve("ct2.bin").toString(),
            "--secret-out",
            "-");
    assertThat(toStdout.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(toStdout.err()).contains("never to standard output");
    assertThat(toStdout.out()).isEmpty();
    assertThat(Path.of("-")).doesNotExist();
    assertThat(home.resolve("ct2.bin")).doesNotExist();
    assertThat(
            ok(
                    "kem",
                    "decapsulate",
                    "--partition",
                    "app",
                    "--pin-file",
                    pin(),
                    "--key",
                    "kem",
                    "--in",
                    ct.toString(),
                    "--label",
                    "shared-mac",
                    "--kind",
                    "hmac-sha256",
                    "--usage",
                    "sign",
                    "--json")
                .out())
        .contains("\"label\":\"shared-mac\"")
        .contains("\"publicKey\":null");
    Path msg = Files.writeString(home.resolve("msg"), "both sides hold it");
    Path tag = home.resolve("tag");
    ok(
        "mac",
        "--partition",
        "app",
        "--pin-file",
        pin(),
        "--key",
        "shared-mac",
        "--alg",
        "HmacSHA256",
        "--in",
        msg.toString(),
        "--out",
        tag.toString());
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(Files.readAllBytes(secret), "HmacSHA256"));
    assertThat(Files.readAllBytes(tag)).isEqualTo(mac.doFinal(Files.readAllBytes(msg)));

    // A truncated ciphertext is refused, and nothing is filed.
    Path cut =
        Files.write(home.resolve("cut"), java.util.Arrays.copyOf(Files.readAllBytes(ct), 500));
    CliRun r =
        ihsm(
            "kem",
            "decapsulate",
            "--partition",
            "app",
            "--pin-file",
            pin(),
            "--key",
            "kem",
            "--in",
            cut.toString(),
            "--label",
            "never",
            "--kind",
            "secret",
            "--usage",
            "derive");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(r.err()).contains("not an ML-KEM ciphertext");
    assertThat(ok("key", "list", "--partition", "app").out()).doesNotContain("never");
    assertThat(ok("audit", "list", "--type", "GENERATE_KEY,DERIVE_KEY").out())
        .contains("GENERATE_KEY  SUCCESS  key kem#1")
        .contains("DERIVE_KEY  SUCCESS  key shared-mac#1");
  }
}
