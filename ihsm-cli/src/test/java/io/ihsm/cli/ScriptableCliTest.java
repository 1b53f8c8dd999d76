package io.ihsm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The command line in scripts: key wrap, unwrap, derive and rename, random bytes, a PIN change,
 * standard input and output as files (`-`), exit 2 for a wrong value, and two commands on one home
 * waiting for each other.
 */
class ScriptableCliTest extends InHomeCliTest {
  static final String PIN = "script-pin-9090";

  String pin() {
    return PinFiles.of(PIN);
  }

  CliRun key(String... args) {
    List<String> all = new ArrayList<>(List.of("key"));
    all.addAll(List.of(args));
    all.addAll(List.of("--partition", "app", "--pin-file", pin()));
    return ok(all.toArray(String[]::new));
  }

  /** A key command that reads only the host key store (no PIN). */
  CliRun stored(String... args) {
    List<String> all = new ArrayList<>(List.of("key"));
    all.addAll(List.of(args));
    all.addAll(List.of("--partition", "app"));
    return ok(all.toArray(String[]::new));
  }

  void partition() {
    ok("partition", "create", "app", "--pin-file", pin());
  }

  byte[] encryptThenDecrypt(String encryptWith, String decryptWith) throws Exception {
    Path plain = Files.writeString(home.resolve("plain.txt"), "the payroll file");
    ok(
        "encrypt",
        "--partition",
        "app",
        "--pin-file",
        pin(),
        "--key",
        encryptWith,
        "--alg",
        "AES/GCM/NoPadding",
        "--in",
        plain.toString(),
        "--out",
        home.resolve("ct").toString());
    ok(
        "decrypt",
        "--partition",
        "app",
        "--pin-file",
        pin(),
        "--key",
        decryptWith,
        "--alg",
        "AES/GCM/NoPadding",
        "--in",
        home.resolve("ct").toString(),
        "--out",
        home.resolve("back").toString());
    return Files.readAllBytes(home.resolve("back"));
  }

  @Test
  void aKeyWrappedAndUnwrappedUnderAnotherDecryptsWhatTheFirstEncrypted() throws Exception {
    partition();
    key("generate", "--kind", "aes-256", "--usage", "wrap", "--label", "kek");
    key("generate", "--kind", "aes-256", "--usage", "encrypt", "--label", "data", "--extractable");
    Path wrapped = home.resolve("data.wrapped");
    assertThat(
            key(
                    "wrap",
                    "--key",
                    "kek",
                    "--target",
                    "data",
                    "--alg",
                    "aes-kwp",
                    "--out",
                    wrapped.toString())
                .out())
        .contains("wrote " + wrapped);
    assertThat(Files.size(wrapped)).isEqualTo(40); // 32 bytes wrapped with RFC 5649's 8
    assertThat(
            key(
                    "unwrap",
                    "--key",
                    "kek",
                    "--alg",
                    "aes-kwp",
                    "--in",
                    wrapped.toString(),
                    "--label",
                    "data-copy",
                    "--kind",
                    "aes-256",
                    "--usage",
                    "encrypt",
                    "--json")
                .out())
        .contains("\"label\":\"data-copy\"")
        .contains("\"kind\":\"aes-256\"");
    assertThat(encryptThenDecrypt("data", "data-copy")).asString().isEqualTo("the payroll file");

    // A key that is not extractable is not wrapped; nothing is written.
    key("generate", "--kind", "aes-256", "--usage", "encrypt", "--label", "fixed");
    CliRun refused =
        ihsm(
            "key",
            "wrap",
            "--partition",
            "app",
            "--pin-file",
            pin(),
            "--key",
            "kek",
            "--target",
            "fixed",
            "--alg",
            "aes-kwp",
            "--out",
            home.resolve("no").toString());
    assertThat(refused.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(home.resolve("no")).doesNotExist();
  }

  @Test
  void twoPartiesDeriveTheSameKeyByEcdhThenHkdf() throws Exception {
    partition();
    key("generate", "--kind", "ec-p256", "--usage", "derive", "--label", "alice");
    key("generate", "--kind", "ec-p256", "--usage", "derive", "--label", "bob");
    stored("public", "--label", "alice", "--pem", "--out", home.resolve("alice.pem").toString());
    stored("public", "--label", "bob", "--pem", "--out", home.resolve("bob.pem").toString());
    key(
        "derive",
        "--key",
        "alice",
        "--method",
        "ecdh",
        "--peer",
        home.resolve("bob.pem").toString(),
        "--label",
        "alice-shared",
        "--kind",
        "secret",
        "--usage",
        "derive");
    key(
        "derive",
        "--key",
        "bob",
        "--method",
        "ecdh",
        "--peer",
        home.resolve("alice.pem").toString(),
        "--label",
        "bob-shared",
        "--kind",
        "secret",
        "--usage",
        "derive");
    for (String who : List.of("alice", "bob")) {
      key(
          "derive",
          "--key",
          who + "-shared",
          "--method",
          "hkdf",
          "--hash",
          "sha256",
          "--info-hex",
          "7061796d656e7473",
          "--label",
          who + "-aes",
          "--kind",
          "aes-256",
          "--usage",
          "encrypt");
    }
    assertThat(encryptThenDecrypt("alice-aes", "bob-aes")).asString().isEqualTo("the payroll file");
  }

  @Test
  void aRenamedKeyAnswersToItsNewLabelOnlyAndAChangedPinReplacesTheOld() throws Exception {
    partition();
    key("generate", "--kind", "aes-256", "--usage", "encrypt", "--label", "old-name");
    key("rotate", "--label", "old-name");
    assertThat(key("rename", "--label", "old-name", "--to", "new-name").out())
        .contains("renamed key old-name to new-name");
    assertThat(encryptThenDecrypt("new-name", "new-name")).asString().isEqualTo("the payroll file");
    String list = stored("list", "--versions").out();
    assertThat(list).contains("new-name#1").contains("new-name").doesNotContain("old-name");

    Path newPin = Files.writeString(home.resolve("new.pin"), "script-pin-NEW-1\n");
    assertThat(
            ok(
                    "partition",
                    "change-pin",
                    "--partition",
                    "app",
                    "--pin-file",
                    pin(),
                    "--new-pin-file",
                    newPin.toString())
                .out())
        .contains("changed the PIN of partition app");
    CliRun withOld =
        ihsm("key", "rotate", "--label", "new-name", "--partition", "app", "--pin-file", pin());
    assertThat(withOld.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(withOld.err()).contains("AUTHENTICATION_FAILED");
    ok(
        "key",
        "rotate",
        "--label",
        "new-name",
        "--partition",
        "app",
        "--pin-file",
        newPin.toString());
  }

  @Test
  void randomBytesComeAsHexJsonOrRawAndAWrongCountExitsTwo() throws Exception {
    String hex = ok("random", "--bytes", "32").out().strip();
    assertThat(hex).matches("[0-9a-f]{64}");
    assertThat(ok("random", "--bytes", "32").out().strip()).isNotEqualTo(hex);
    assertThat(ok("random", "--bytes", "3000", "--json").out())
        .containsPattern("\"hex\":\"[0-9a-f]{6000}\"");
    Path raw = home.resolve("r.bin");
    ok("random", "--bytes", "2049", "--out", raw.toString());
    assertThat(Files.size(raw)).isEqualTo(2049);
    for (String n : List.of("0", "-1", "1048577", "many")) {
      assertThat(ihsm("random", "--bytes", n).exitCode()).as(n).isEqualTo(ExitCodes.USAGE);
    }
  }

  @Test
  void wrongValuesOnTheCommandLineExitTwoAndChangeNothing() throws Exception {
    partition();
    key("generate", "--kind", "aes-256", "--usage", "wrap", "--label", "kek");
    String before = stored("list").out();
    List<String[]> wrong =
        List.of(
            new String[] {
              "key", "wrap", "--key", "kek", "--target", "kek", "--alg", "des", "--out", "x"
            },
            new String[] {
              "key",
              "derive",
              "--key",
              "kek",
              "--method",
              "pbkdf",
              "--label",
              "d",
              "--kind",
              "aes-256",
              "--usage",
              "encrypt"
            },
            new String[] {
              "key",
              "derive",
              "--key",
              "kek",
              "--method",
              "hkdf",
              "--hash",
              "md5",
              "--label",
              "d",
              "--kind",
              "aes-256",
              "--usage",
              "encrypt"
            },
            new String[] {
              "key",
              "derive",
              "--key",
              "kek",
              "--method",
              "ecdh",
              "--label",
              "d",
              "--kind",
              "secret",
              "--usage",
              "derive"
            },
            new String[] {
              "key", "unwrap", "--key", "kek", "--alg", "aes-kw", "--in", "x", "--label", "d",
              "--kind", "rot13", "--usage", "encrypt"
            },
            new String[] {
              "key",
              "unwrap",
              "--key",
              "kek",
              "--alg",
              "aes-kw",
              "--in",
              "x",
              "--label",
              "bad label!",
              "--kind",
              "aes-256",
              "--usage",
              "encrypt"
            },
            new String[] {"key", "rename", "--label", "kek", "--to", "../escape"},
            new String[] {
              "key", "generate", "--kind", "aes-999", "--usage", "encrypt", "--label", "z"
            });
    for (String[] args : wrong) {
      List<String> all = new ArrayList<>(List.of(args));
      all.addAll(List.of("--partition", "app", "--pin-file", pin()));
      CliRun r = ihsm(all.toArray(String[]::new));
      assertThat(r.exitCode())
          .as(String.join(" ", args) + "\n" + r.err())
          .isEqualTo(ExitCodes.USAGE);
      assertThat(r.err().strip().lines()).hasSize(1);
    }
    assertThat(stored("list").out()).isEqualTo(before);
  }

  @Test
  void standardInputAndOutputAreFilesCalledDash() throws Exception {
    partition();
    key("generate", "--kind", "ec-p256", "--usage", "sign", "--label", "signer");
    key("generate", "--kind", "aes-256", "--usage", "encrypt", "--label", "data");
    byte[] doc = "the contract, signed".getBytes();

    Process sign =
        process(
            "sign",
            "--partition",
            "app",
            "--pin-file",
            pin(),
            "--key",
            "signer",
            "--alg",
            "SHA256withECDSA",
            "--in",
            "-",
            "--out",
            "-");
    byte[] sig = pipe(sign, doc);
    assertThat(sig.length).isBetween(64, 72); // a DER ECDSA P-256 signature, nothing else
    Path docFile = Files.write(home.resolve("doc"), doc);
    Path sigFile = Files.write(home.resolve("doc.sig"), sig);
    ok(
        "verify",
        "--partition",
        "app",
        "--pin-file",
        pin(),
        "--key",
        "signer",
        "--alg",
        "SHA256withECDSA",
        "--in",
        docFile.toString(),
        "--signature",
        sigFile.toString());

    byte[] ct =
        pipe(
            process(
                "encrypt",
                "--partition",
                "app",
                "--pin-file",
                pin(),
                "--key",
                "data",
                "--alg",
                "AES/GCM/NoPadding",
                "--in",
                "-",
                "--out",
                "-"),
            doc);
    byte[] back =
        pipe(
            process(
                "decrypt",
                "--partition",
                "app",
                "--pin-file",
                pin(),
                "--key",
                "data",
                "--alg",
                "AES/GCM/NoPadding",
                "--in",
                "-",
                "--out",
                "-"),
            ct);
    assertThat(back).isEqualTo(doc);
  }

  @Test
  void twoCommandsOnOneHomeWaitForEachOtherInsteadOfFailing() throws Exception {
    partition();
    List<Process> both = new ArrayList<>();
    for (String label : List.of("first", "second")) {
      both.add(
          process(
              "key",
              "generate",
              "--partition",
              "app",
              "--pin-file",
              pin(),
              "--kind",
              "ec-p384",
              "--usage",
              "sign",
              "--label",
              label));
    }
    for (Process p : both) {
      assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
      String err = new String(p.getErrorStream().readAllBytes());
      assertThat(p.exitValue()).as(err).isZero();
    }
    assertThat(stored("list").out()).contains("first").contains("second");
  }

  @Test
  void dataCommandsPrintJsonThatAScriptReads() throws Exception {
    partition();
    key("generate", "--kind", "aes-256", "--usage", "encrypt", "--label", "data");
    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper();
    Path export = home.resolve("audit.log");
    ok("audit", "export", "--out", export.toString());
    var audit = json.readTree(ok("audit", "verify", export.toString(), "--json").out());
    assertThat(audit.get("intact").asBoolean()).isTrue();
    assertThat(audit.get("entries").asInt()).isPositive();
    var domain = json.readTree(ok("domain", "status", "--json").out());
    assertThat(domain.get("member").asBoolean()).isFalse();
    assertThat(domain.get("keyStore").isNull()).isTrue();
    var keys = json.readTree(stored("list", "--json").out());
    assertThat(keys.toString()).contains("\"label\":\"data\"");
    ok("device", "manufacture");
    ok("device", "root", "--out", home.resolve("root.pem").toString());
    ok("device", "certs", "--out", home.resolve("chain.pem").toString());
    ok("device", "attest", "--nonce", "0a0b", "--out", home.resolve("d.cbor").toString());
    var verified =
        json.readTree(
            ok(
                    "attest",
                    "verify",
                    "--root",
                    home.resolve("root.pem").toString(),
                    "--chain",
                    home.resolve("chain.pem").toString(),
                    "--report",
                    home.resolve("d.cbor").toString(),
                    "--nonce",
                    "0a0b",
                    "--json")
                .out());
    assertThat(verified.get("type").asText()).isEqualTo("device");
    assertThat(verified.get("firmwareDigest").asText()).matches("[0-9a-f]{96}");
  }

  Process process(String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("--home", home.toString()));
    all.addAll(List.of(args));
    return DaemonProcessTest.ihsm(all).start();
  }

  static byte[] pipe(Process p, byte[] input) throws Exception {
    try (var in = p.getOutputStream()) {
      in.write(input);
    }
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(new String(p.getErrorStream().readAllBytes())).isZero();
    return out;
  }
}
