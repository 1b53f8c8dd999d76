package io.ihsm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Partitions, keys and operations through the command line on the embedded device, checked by the
 * JDK and OpenSSL.
 */
class VaultCliTest extends InHomeCliTest {
  static final String PIN = "cli-pin-1234";

  @BeforeEach
  void partition() {
    ok("partition", "create", "app", "--pin-file", PinFiles.of(PIN));
  }

  Path file(String name, byte[] content) throws Exception {
    Path p = home.resolve(name);
    Files.write(p, content);
    return p;
  }

  @Test
  void deviceSignaturesVerifyWithTheJdkAndOpenSsl() throws Exception {
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
        "signer",
        "--pin-file",
        PinFiles.of(PIN));
    Path msg = file("msg", "sign me".getBytes());
    Path sig = home.resolve("sig");
    ok(
        "sign",
        "--partition",
        "app",
        "--key",
        "signer",
        "--alg",
        "SHA256withECDSA",
        "--in",
        msg.toString(),
        "--out",
        sig.toString(),
        "--pin-file",
        PinFiles.of(PIN));
    Path der = home.resolve("pub.der");
    Path pem = home.resolve("pub.pem");
    ok("key", "public", "--partition", "app", "--label", "signer", "--out", der.toString());
    ok(
        "key",
        "public",
        "--partition",
        "app",
        "--label",
        "signer",
        "--pem",
        "--out",
        pem.toString());
    Signature v = Signature.getInstance("SHA256withECDSA");
    v.initVerify(
        KeyFactory.getInstance("EC")
            .generatePublic(new X509EncodedKeySpec(Files.readAllBytes(der))));
    v.update("sign me".getBytes());
    assertThat(v.verify(Files.readAllBytes(sig))).isTrue();
    OpenSsl.Result r =
        OpenSsl.run(
            "dgst",
            "-sha256",
            "-verify",
            pem.toString(),
            "-signature",
            sig.toString(),
            msg.toString());
    assertThat(r.output()).contains("Verified OK");
    assertThat(r.exitCode()).isZero();
  }

  @Test
  void rsaPssSignaturesVerifyWithOpenSsl() throws Exception {
    ok(
        "key",
        "generate",
        "--partition",
        "app",
        "--kind",
        "rsa-2048",
        "--usage",
        "sign",
        "--label",
        "rsa",
        "--pin-file",
        PinFiles.of(PIN));
    Path msg = file("msg", "pss".getBytes());
    Path sig = home.resolve("sig");
    ok(
        "sign",
        "--partition",
        "app",
        "--key",
        "rsa",
        "--alg",
        "RSASSA-PSS",
        "--in",
        msg.toString(),
        "--out",
        sig.toString(),
        "--pin-file",
        PinFiles.of(PIN));
    Path pem = home.resolve("rsa.pem");
    ok("key", "public", "--partition", "app", "--label", "rsa", "--pem", "--out", pem.toString());
    OpenSsl.Result r =
        OpenSsl.run(
            "dgst",
            "-sha256",
            "-sigopt",
            "rsa_padding_mode:pss",
            "-sigopt",
            "rsa_pss_saltlen:32",
            "-verify",
            pem.toString(),
            "-signature",
            sig.toString(),
            msg.toString());
    assertThat(r.output()).contains("Verified OK");
  }

  @Test
  void openSslOaepCiphertextWithALabelDecryptsInTheDevice() throws Exception {
    ok(
        "key",
        "generate",
        "--partition",
        "app",
        "--kind",
        "rsa-3072",
        "--usage",
        "encrypt",
        "--label",
        "rsa",
        "--pin-file",
        PinFiles.of(PIN));
    Path pem = home.resolve("rsa.pem");
    ok("key", "public", "--partition", "app", "--label", "rsa", "--pem", "--out", pem.toString());
    Path pt = file("pt", "wrapped secret".getBytes());
    Path ct = home.resolve("ct");
    OpenSsl.Result enc =
        OpenSsl.run(
            "pkeyutl",
            "-encrypt",
            "-pubin",
            "-inkey",
            pem.toString(),
            "-pkeyopt",
            "rsa_padding_mode:oaep",
            "-pkeyopt",
            "rsa_oaep_md:sha256",
            "-pkeyopt",
            "rsa_oaep_label:6c6162656c",
            "-in",
            pt.toString(),
            "-out",
            ct.toString());
    assertThat(enc.exitCode()).as(enc.output()).isZero();
    Path out = home.resolve("out");
    ok(
        "decrypt",
        "--partition",
        "app",
        "--key",
        "rsa",
        "--alg",
        "RSA/ECB/OAEPWithSHA-256AndMGF1Padding",
        "--oaep-label-hex",
        "6c6162656c",
        "--in",
        ct.toString(),
        "--out",
        out.toString(),
        "--pin-file",
        PinFiles.of(PIN));
    assertThat(Files.readAllBytes(out)).isEqualTo("wrapped secret".getBytes());
    CliRun wrongLabel =
        ihsm(
            "decrypt",
            "--partition",
            "app",
            "--key",
            "rsa",
            "--alg",
            "RSA/ECB/OAEPWithSHA-256AndMGF1Padding",
            "--oaep-label-hex",
            "00",
            "--in",
            ct.toString(),
            "--out",
            out.toString(),
            "--pin-file",
            PinFiles.of(PIN));
    assertThat(wrongLabel.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(wrongLabel.err()).contains("BAD_PADDING");
  }

  @Test
  void aesGcmAndCbcRoundTripAndTamperingIsRefused() throws Exception {
    ok(
        "key",
        "generate",
        "--partition",
        "app",
        "--kind",
        "aes-256",
        "--usage",
        "encrypt",
        "--label",
        "aes",
        "--pin-file",
        PinFiles.of(PIN));
    Path pt = file("pt", "some plaintext".getBytes());
    Path ct = home.resolve("ct");
    Path back = home.resolve("back");
    ok(
        "encrypt",
        "--partition",
        "app",
        "--key",
        "aes",
        "--alg",
        "AES/GCM/NoPadding",
        "--aad-hex",
        "aabb",
        "--in",
        pt.toString(),
        "--out",
        ct.toString(),
        "--pin-file",
        PinFiles.of(PIN));
    assertThat(Files.size(ct)).isEqualTo(12 + 14 + 16);
    ok(
        "decrypt",
        "--partition",
        "app",
        "--key",
        "aes",
        "--alg",
        "AES/GCM/NoPadding",
        "--aad-hex",
        "aabb",
        "--in",
        ct.toString(),
        "--out",
        back.toString(),
        "--pin-file",
        PinFiles.of(PIN));
    assertThat(Files.readAllBytes(back)).isEqualTo("some plaintext".getBytes());
    byte[] tampered = Files.readAllBytes(ct);
    tampered[20] ^= 1;
    Files.write(ct, tampered);
    CliRun bad =
        ihsm(
            "decrypt",
            "--partition",
            "app",
            "--key",
            "aes",
            "--alg",
            "AES/GCM/NoPadding",
            "--aad-hex",
            "aabb",
            "--in",
            ct.toString(),
            "--out",
            back.toString(),
            "--pin-file",
            PinFiles.of(PIN));
    assertThat(bad.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(bad.err()).contains("BAD_TAG");
    ok(
        "encrypt",
        "--partition",
        "app",
        "--key",
        "aes",
        "--alg",
        "AES/CBC/PKCS5Padding",
        "--in",
        pt.toString(),
        "--out",
        ct.toString(),
        "--pin-file",
        PinFiles.of(PIN));
    ok(
        "decrypt",
        "--partition",
        "app",
        "--key",
        "aes",
        "--alg",
        "AES/CBC/PKCS5Padding",
        "--in",
        ct.toString(),
        "--out",
        back.toString(),
        "--pin-file",
        PinFiles.of(PIN));
    assertThat(Files.readAllBytes(back)).isEqualTo("some plaintext".getBytes());
  }

  @Test
  void hmacTagsAreMadeAndVerified() throws Exception {
    ok(
        "key",
        "generate",
        "--partition",
        "app",
        "--kind",
        "hmac-sha256",
        "--usage",
        "sign",
        "--label",
        "mac",
        "--pin-file",
        PinFiles.of(PIN));
    Path msg = file("msg", "authenticate".getBytes());
    Path tag = home.resolve("tag");
    ok(
        "mac",
        "--partition",
        "app",
        "--key",
        "mac",
        "--alg",
        "HmacSHA256",
        "--in",
        msg.toString(),
        "--out",
        tag.toString(),
        "--pin-file",
        PinFiles.of(PIN));
    assertThat(Files.size(tag)).isEqualTo(32);
    ok(
        "verify",
        "--partition",
        "app",
        "--key",
        "mac",
        "--alg",
        "HmacSHA256",
        "--in",
        msg.toString(),
        "--signature",
        tag.toString(),
        "--pin-file",
        PinFiles.of(PIN));
    Files.write(msg, "tampered".getBytes());
    CliRun r =
        ihsm(
            "verify",
            "--partition",
            "app",
            "--key",
            "mac",
            "--alg",
            "HmacSHA256",
            "--in",
            msg.toString(),
            "--signature",
            tag.toString(),
            "--pin-file",
            PinFiles.of(PIN));
    assertThat(r.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(r.err().strip()).isEqualTo("ihsm: the signature does not verify");
  }

  @Test
  void aesEcbCtrAndCmacOfAnImportedKeyAgreeWithOpenSsl() throws Exception {
    String keyHex = "000102030405060708090a0b0c0d0e0f";
    Path raw = file("aes.bin", HexFormat.of().parseHex(keyHex));
    Path unwrap = home.resolve("unwrap.pem");
    ok(
        "key",
        "unwrapping-key",
        "--partition",
        "app",
        "--pem",
        "--out",
        unwrap.toString(),
        "--pin-file",
        PinFiles.of(PIN));
    for (String usage : new String[] {"encrypt", "sign"}) {
      Path wrapped = home.resolve(usage + ".wrapped");
      ok(
          "key",
          "wrap-for-import",
          "--unwrapping-key",
          unwrap.toString(),
          "--in",
          raw.toString(),
          "--out",
          wrapped.toString(),
          "--raw");
      ok(
          "key",
          "import",
          "--partition",
          "app",
          "--label",
          "aes-" + usage,
          "--kind",
          "aes-128",
          "--usage",
          usage,
          "--wrapped",
          wrapped.toString(),
          "--pin-file",
          PinFiles.of(PIN));
    }
    Path msg = file("msg", "thirty-two bytes of message data".getBytes());
    Path out = home.resolve("out");

    ok(
        "encrypt",
        "--partition",
        "app",
        "--key",
        "aes-encrypt",
        "--alg",
        "AES/ECB/NoPadding",
        "--in",
        msg.toString(),
        "--out",
        out.toString(),
        "--pin-file",
        PinFiles.of(PIN));
    Path expected = home.resolve("expected");
    assertThat(
            OpenSsl.run(
                    "enc",
                    "-aes-128-ecb",
                    "-K",
                    keyHex,
                    "-nopad",
                    "-in",
                    msg.toString(),
                    "-out",
                    expected.toString())
                .exitCode())
        .isZero();
    assertThat(Files.readAllBytes(out))
        .as("ECB: no IV, the blocks only")
        .isEqualTo(Files.readAllBytes(expected));

    ok(
        "encrypt",
        "--partition",
        "app",
        "--key",
        "aes-encrypt",
        "--alg",
        "AES/CTR/NoPadding",
        "--in",
        msg.toString(),
        "--out",
        out.toString(),
        "--pin-file",
        PinFiles.of(PIN));
    byte[] ctr = Files.readAllBytes(out);
    assertThat(ctr).hasSize(16 + 32);
    String counterHex = HexFormat.of().formatHex(ctr, 0, 16);
    assertThat(
            OpenSsl.run(
                    "enc",
                    "-aes-128-ctr",
                    "-K",
                    keyHex,
                    "-iv",
                    counterHex,
                    "-in",
                    msg.toString(),
                    "-out",
                    expected.toString())
                .exitCode())
        .isZero();
    assertThat(Arrays.copyOfRange(ctr, 16, ctr.length))
        .as("CTR: the counter block, then the ciphertext")
        .isEqualTo(Files.readAllBytes(expected));
    Path back = home.resolve("back");
    ok(
        "decrypt",
        "--partition",
        "app",
        "--key",
        "aes-encrypt",
        "--alg",
        "AES/CTR/NoPadding",
        "--in",
        out.toString(),
        "--out",
        back.toString(),
        "--pin-file",
        PinFiles.of(PIN));
    assertThat(Files.readAllBytes(back)).isEqualTo(Files.readAllBytes(msg));

    Path tag = home.resolve("tag");
    ok(
        "mac",
        "--partition",
        "app",
        "--key",
        "aes-sign",
        "--alg",
        "AESCMAC",
        "--in",
        msg.toString(),
        "--out",
        tag.toString(),
        "--pin-file",
        PinFiles.of(PIN));
    OpenSsl.Result cmac =
        OpenSsl.run(
            "mac",
            "-cipher",
            "AES-128-CBC",
            "-macopt",
            "hexkey:" + keyHex,
            "-in",
            msg.toString(),
            "CMAC");
    assertThat(cmac.exitCode()).as(cmac.output()).isZero();
    assertThat(HexFormat.of().formatHex(Files.readAllBytes(tag)))
        .isEqualToIgnoringCase(cmac.output().strip());
    ok(
        "verify",
        "--partition",
        "app",
        "--key",
        "aes-sign",
        "--alg",
        "AESCMAC",
        "--in",
        msg.toString(),
        "--signature",
        tag.toString(),
        "--pin-file",
        PinFiles.of(PIN));
    CliRun wrongUsage =
        ihsm(
            "mac",
            "--partition",
            "app",
            "--key",
            "aes-encrypt",
            "--alg",
            "AESCMAC",
            "--in",
            msg.toString(),
            "--out",
            tag.toString(),
            "--pin-file",
            PinFiles.of(PIN));
    assertThat(wrongUsage.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(wrongUsage.err())
        .contains("the key's usage is encrypt, this needs sign [USAGE_NOT_PERMITTED]");
    CliRun partial =
        ihsm(
            "encrypt",
            "--partition",
            "app",
            "--key",
            "aes-encrypt",
            "--alg",
            "AES/ECB/NoPadding",
            "--in",
            file("odd", new byte[20]).toString(),
            "--out",
            out.toString(),
            "--pin-file",
            PinFiles.of(PIN));
    assertThat(partial.err()).contains("whole 16-byte blocks");
    assertThat(
            ihsm(
                    "mac",
                    "--partition",
                    "app",
                    "--key",
                    "aes-sign",
                    "--alg",
                    "SHA256withECDSA",
                    "--in",
                    msg.toString(),
                    "--out",
                    tag.toString(),
                    "--pin-file",
                    PinFiles.of(PIN))
                .exitCode())
        .isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void anOpenSslKeyIsBroughtInAndSignsForItsOwnPublicKey() throws Exception {
    Path mine = home.resolve("mine.pem");
    assertThat(
            OpenSsl.run(
                    "genpkey",
                    "-algorithm",
                    "EC",
                    "-pkeyopt",
                    "ec_paramgen_curve:P-256",
                    "-out",
                    mine.toString())
                .exitCode())
        .isZero();
    Path unwrap = home.resolve("unwrap.pem");
    Path wrapped = home.resolve("wrapped");
    ok(
        "key",
        "unwrapping-key",
        "--partition",
        "app",
        "--pem",
        "--out",
        unwrap.toString(),
        "--pin-file",
        PinFiles.of(PIN));
    ok(
        "key",
        "wrap-for-import",
        "--unwrapping-key",
        unwrap.toString(),
        "--in",
        mine.toString(),
        "--out",
        wrapped.toString());
    byte[] pkcs8 = Pem.derOrPem(Files.readAllBytes(mine), "PRIVATE KEY");
    byte[] w = Files.readAllBytes(wrapped);
    assertThat(w).hasSizeGreaterThan(384);
    assertThat(contains(w, Arrays.copyOfRange(pkcs8, pkcs8.length - 40, pkcs8.length)))
        .as("the key never travels in clear")
        .isFalse();
    CliRun wrongKind =
        ihsm(
            "key",
            "import",
            "--partition",
            "app",
            "--label",
            "mine",
            "--kind",
            "ec-p384",
            "--usage",
            "sign",
            "--wrapped",
            wrapped.toString(),
            "--pin-file",
            PinFiles.of(PIN));
    assertThat(wrongKind.err()).contains("INVALID_KEY_MATERIAL");
    ok(
        "key",
        "import",
        "--partition",
        "app",
        "--label",
        "mine",
        "--kind",
        "ec-p256",
        "--usage",
        "sign",
        "--wrapped",
        wrapped.toString(),
        "--pin-file",
        PinFiles.of(PIN));
    assertThat(ok("key", "list", "--partition", "app", "--json").out())
        .contains("\"origin\":\"imported\"");
    Path msg = file("msg", "imported key".getBytes());
    Path sig = home.resolve("sig");
    ok(
        "sign",
        "--partition",
        "app",
        "--key",
        "mine",
        "--alg",
        "SHA256withECDSA",
        "--in",
        msg.toString(),
        "--out",
        sig.toString(),
        "--pin-file",
        PinFiles.of(PIN));
    Path pub = home.resolve("mine.pub");
    assertThat(
            OpenSsl.run("pkey", "-in", mine.toString(), "-pubout", "-out", pub.toString())
                .exitCode())
        .isZero();
    assertThat(
            OpenSsl.run(
                    "dgst",
                    "-sha256",
                    "-verify",
                    pub.toString(),
                    "-signature",
                    sig.toString(),
                    msg.toString())
                .output())
        .contains("Verified OK");
  }

  @Test
  void approvedOnlyModeRefusesSha1SignaturesUntilTheCryptoOfficerTurnsItOff() throws Exception {
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
        "s",
        "--pin-file",
        PinFiles.of(PIN));
    Path msg = file("msg", "sign me".getBytes());
    Path sig = home.resolve("sig");
    Path pem = home.resolve("pub.pem");
    ok("key", "public", "--partition", "app", "--label", "s", "--pem", "--out", pem.toString());
    assertThat(CliTest.field(ok("device", "status", "--json").out(), "approvedMode"))
        .isEqualTo("true");
    CliRun refused =
        ihsm(
            "sign",
            "--partition",
            "app",
            "--key",
            "s",
            "--alg",
            "SHA1withECDSA",
            "--in",
            msg.toString(),
            "--out",
            sig.toString(),
            "--pin-file",
            PinFiles.of(PIN));
    assertThat(refused.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(refused.err()).contains("NOT_APPROVED");
    assertThat(sig).doesNotExist();
    assertThat(ihsm("device", "approved-mode", "maybe").exitCode()).isEqualTo(ExitCodes.USAGE);

    assertThat(ok("device", "approved-mode", "off").out()).contains("approved-only mode is off");
    assertThat(CliTest.field(ok("device", "status", "--json").out(), "approvedMode"))
        .isEqualTo("false");
    ok(
        "sign",
        "--partition",
        "app",
        "--key",
        "s",
        "--alg",
        "SHA1withECDSA",
        "--in",
        msg.toString(),
        "--out",
        sig.toString(),
        "--pin-file",
        PinFiles.of(PIN));
    assertThat(
            OpenSsl.run(
                    "dgst",
                    "-sha1",
                    "-verify",
                    pem.toString(),
                    "-signature",
                    sig.toString(),
                    msg.toString())
                .output())
        .contains("Verified OK");
    ok("device", "approved-mode", "on");
    assertThat(CliTest.field(ok("device", "status", "--json").out(), "approvedMode"))
        .isEqualTo("true");
  }

  @Test
  void aTamperKillsOldBlobsUntilTheCryptoOfficerReinitializes() {
    ok(
        "key",
        "generate",
        "--partition",
        "app",
        "--kind",
        "aes-256",
        "--usage",
        "encrypt",
        "--label",
        "k",
        "--pin-file",
        PinFiles.of(PIN));
    assertThat(ok("device", "tamper", "--sensor", "case-open").out())
        .contains("TAMPERED")
        .contains("tamper count 1");
    String status = ok("device", "status", "--json").out();
    assertThat(CliTest.field(status, "state")).isEqualTo("TAMPERED");
    assertThat(CliTest.field(status, "reason")).isEqualTo("tamper: case-open");
    assertThat(CliTest.field(status, "tamperCount")).isEqualTo("1");
    CliRun refused =
        ihsm(
            "key",
            "generate",
            "--partition",
            "app",
            "--kind",
            "aes-128",
            "--usage",
            "encrypt",
            "--label",
            "x",
            "--pin-file",
            PinFiles.of(PIN));
    assertThat(refused.err()).contains("DEVICE_NOT_OPERATIONAL");
    assertThat(ok("device", "reinit").out()).contains("OPERATIONAL");
    assertThat(ok("partition", "list").out())
        .as("partitions went with the sealing secret: only the key store has it")
        .contains("app")
        .contains("in this key store only");
  }

  static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  @Test
  void listingAndDeletingKeysAndPartitions() {
    ok(
        "key",
        "generate",
        "--partition",
        "app",
        "--kind",
        "ec-p384",
        "--usage",
        "sign",
        "--label",
        "a",
        "--pin-file",
        PinFiles.of(PIN));
    ok(
        "key",
        "generate",
        "--partition",
        "app",
        "--kind",
        "aes-128",
        "--usage",
        "wrap",
        "--label",
        "b",
        "--pin-file",
        PinFiles.of(PIN),
        "--extractable");
    String json = ok("key", "list", "--partition", "app", "--json").out();
    assertThat(json)
        .contains("\"label\":\"a\"")
        .contains("\"kind\":\"ec-p384\"")
        .contains("\"label\":\"b\"")
        .contains("\"extractable\":true")
        .contains("\"origin\":\"generated\"");
    ok("key", "delete", "--partition", "app", "--label", "a", "--pin-file", PinFiles.of(PIN));
    assertThat(ok("key", "list", "--partition", "app").out())
        .doesNotContain("ec-p384")
        .contains("aes-128");
    assertThat(ok("partition", "list", "--json").out())
        .contains("\"name\":\"app\"")
        .contains("\"inKeyStore\":true");
    ok("partition", "delete", "app");
    assertThat(ok("partition", "list").out()).doesNotContain("app");
    assertThat(Files.exists(home.resolve("partitions/app"))).isFalse();
  }

  @Test
  void misuseGetsOneClearLineAndItsExitCode() {
    ok(
        "key",
        "generate",
        "--partition",
        "app",
        "--kind",
        "aes-256",
        "--usage",
        "encrypt",
        "--label",
        "aes",
        "--pin-file",
        PinFiles.of(PIN));
    CliRun wrongPin =
        ihsm(
            "key",
            "generate",
            "--partition",
            "app",
            "--kind",
            "aes-256",
            "--usage",
            "encrypt",
            "--label",
            "x",
            "--pin-file",
            PinFiles.of("not-the-pin"));
    assertThat(wrongPin.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(wrongPin.err()).contains("AUTHENTICATION_FAILED").doesNotContain("not-the-pin");
    CliRun clash =
        ihsm(
            "key",
            "generate",
            "--partition",
            "app",
            "--kind",
            "aes-128",
            "--usage",
            "encrypt",
            "--label",
            "aes",
            "--pin-file",
            PinFiles.of(PIN));
    assertThat(clash.err()).contains("LABEL_EXISTS");
    CliRun badUsage =
        ihsm(
            "key",
            "generate",
            "--partition",
            "app",
            "--kind",
            "aes-128",
            "--usage",
            "derive",
            "--label",
            "y",
            "--pin-file",
            PinFiles.of(PIN));
    assertThat(badUsage.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(badUsage.err())
        .contains(
            "aes-128 keys cannot have usage derive; aes-128 keys are sign or encrypt or wrap [INVALID_PARAMETER]");
    CliRun wrongKind =
        ihsm(
            "sign",
            "--partition",
            "app",
            "--key",
            "aes",
            "--alg",
            "SHA256withECDSA",
            "--in",
            home.resolve("partitions/app/partition.properties").toString(),
            "--out",
            home.resolve("s").toString(),
            "--pin-file",
            PinFiles.of(PIN));
    assertThat(wrongKind.err()).contains("WRONG_KEY_KIND");
    CliRun noPin = ihsm("key", "delete", "--partition", "app", "--label", "aes");
    assertThat(noPin.err().strip()).startsWith("ihsm: this needs the partition PIN");
    assertThat(ihsm("partition", "create", "app", "--pin-file", PinFiles.of(PIN)).err())
        .contains("PARTITION_EXISTS");
    for (CliRun r : new CliRun[] {wrongPin, clash, badUsage, wrongKind, noPin}) {
      assertThat(r.err().strip().lines()).hasSize(1);
    }
  }

  @Test
  void aWrongValueOnTheCommandLineIsAUsageErrorNamingTheChoices() {
    CliRun kind =
        ihsm(
            "key",
            "generate",
            "--partition",
            "app",
            "--kind",
            "ec-p999",
            "--usage",
            "sign",
            "--label",
            "x",
            "--pin-file",
            PinFiles.of(PIN));
    assertThat(kind.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(kind.err()).contains("unknown key kind ec-p999", "ec-p256", "aes-256");
    CliRun usage =
        ihsm(
            "key",
            "generate",
            "--partition",
            "app",
            "--kind",
            "ec-p256",
            "--usage",
            "fly",
            "--label",
            "x",
            "--pin-file",
            PinFiles.of(PIN));
    assertThat(usage.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(usage.err()).contains("unknown usage fly", "sign, encrypt, wrap, derive");
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
        "s",
        "--pin-file",
        PinFiles.of(PIN));
    CliRun alg =
        ihsm(
            "sign",
            "--partition",
            "app",
            "--key",
            "s",
            "--alg",
            "FOO",
            "--in",
            home.resolve("partitions/app/partition.properties").toString(),
            "--out",
            home.resolve("sig").toString(),
            "--pin-file",
            PinFiles.of(PIN));
    assertThat(alg.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(alg.err()).contains("FOO");
    for (CliRun r : new CliRun[] {kind, usage, alg}) {
      assertThat(r.err().strip().lines()).hasSize(1);
    }
  }

  @Test
  void afterAZeroizationTheListingTheErrorsAndForgetLeadOutOfTheDeadEntries() {
    ok("device", "zeroize");
    ok("device", "reinit");
    CliRun list = ok("partition", "list");
    assertThat(list.out())
        .contains("app")
        .contains("in this key store only")
        .contains("ihsm partition forget app");
    assertThat(ok("partition", "list", "--json").out().replace(" ", ""))
        .contains("\"name\":\"app\"")
        .contains("\"onDevice\":false");
    CliRun create = ihsm("partition", "create", "app", "--pin-file", PinFiles.of(PIN));
    assertThat(create.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(create.err()).contains("no longer has", "ihsm partition forget app");
    CliRun delete = ihsm("partition", "delete", "app");
    assertThat(delete.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(delete.err())
        .contains("the device has no partition app", "ihsm partition forget app");
    assertThat(ok("partition", "forget", "app").out()).contains("forgot partition app");
    assertThat(ok("partition", "list").out()).doesNotContain("app");
    ok("partition", "create", "app", "--pin-file", PinFiles.of(PIN));
    CliRun live = ihsm("partition", "forget", "app");
    assertThat(live.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(live.err())
        .contains("the device still has partition app", "ihsm partition delete app");
  }

  @Test
  void anHmacKeyOfAnyLengthFrom112BitsGeneratesAndMacs() throws Exception {
    ok(
        "key",
        "generate",
        "--partition",
        "app",
        "--kind",
        "hmac-sha256",
        "--usage",
        "sign",
        "--label",
        "mac20",
        "--bytes",
        "20",
        "--pin-file",
        PinFiles.of(PIN));
    Path msg = file("m", "hello".getBytes());
    Path tag = home.resolve("tag");
    ok(
        "mac",
        "--partition",
        "app",
        "--key",
        "mac20",
        "--alg",
        "HmacSHA256",
        "--in",
        msg.toString(),
        "--out",
        tag.toString(),
        "--pin-file",
        PinFiles.of(PIN));
    assertThat(Files.readAllBytes(tag)).hasSize(32);
    CliRun tooShort =
        ihsm(
            "key",
            "generate",
            "--partition",
            "app",
            "--kind",
            "hmac-sha256",
            "--usage",
            "sign",
            "--label",
            "mac13",
            "--bytes",
            "13",
            "--pin-file",
            PinFiles.of(PIN));
    assertThat(tooShort.exitCode()).isEqualTo(ExitCodes.USAGE);
    CliRun notHmac =
        ihsm(
            "key",
            "generate",
            "--partition",
            "app",
            "--kind",
            "aes-256",
            "--usage",
            "encrypt",
            "--label",
            "aes20",
            "--bytes",
            "20",
            "--pin-file",
            PinFiles.of(PIN));
    assertThat(notHmac.exitCode()).isEqualTo(ExitCodes.USAGE);
  }
}
