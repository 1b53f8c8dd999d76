package io.ihsm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key versions and states through the command line, starting from docs/cli.md's example. */
class KeyVersionsCliTest {
  static final String PIN = "versions-pin-1234";
  static final Pattern EXAMPLE =
      Pattern.compile(
          "Key versions \\(\\[key-lifecycle.md\\]\\(key-lifecycle.md\\)\\):\\s*```\\n(.*?)```",
          Pattern.DOTALL);

  @TempDir Path home;
  @TempDir Path files;

  /** A documented line as arguments: files in the test's directory, the PIN from a file. */
  List<String> args(String line) {
    String command = line.replaceAll("\\s+#.*$", "").strip();
    List<String> args = new ArrayList<>();
    for (String word : command.split("\\s+")) {
      args.add(word.matches("[a-z]+\\.(bin|v1)") ? files.resolve(word).toString() : word);
    }
    assertThat(args.remove(0)).isEqualTo("ihsm");
    if (!(args.get(0).equals("key") && args.get(1).equals("list"))) {
      args.addAll(List.of("--pin-file", PinFiles.of(PIN)));
    }
    return args;
  }

  @Test
  void theDocumentedExampleRotatesAKeyAndTheOldVersionStillDecrypts() throws Exception {
    Matcher m = EXAMPLE.matcher(Files.readString(Path.of("../docs/cli.md")));
    assertThat(m.find()).as("docs/cli.md has the key versions example").isTrue();
    CliRun.okInHome(home, "partition", "create", "payments", "--pin-file", PinFiles.of(PIN));
    byte[] dek = "0123456789abcdef0123456789abcdef".getBytes();
    Files.write(files.resolve("dek.bin"), dek);

    List<CliRun> runs = new ArrayList<>();
    for (String line : m.group(1).strip().split("\n")) {
      if (line.contains("decrypt")) {
        Files.delete(files.resolve("dek.bin")); // decrypted back from the old version
      }
      runs.add(CliRun.okInHome(home, args(line).toArray(String[]::new)));
    }

    assertThat(Files.readAllBytes(files.resolve("dek.bin"))).isEqualTo(dek);
    assertThat(runs.get(2).out())
        .matches(
            "(?s)rotated key kek in partition payments: version 2 \\(id [0-9a-f]{32}\\) is active, kek#1 is deactivated\\n");
    String list = runs.get(4).out();
    assertThat(list).contains("kek#1", "v1", "deactivated", "kek#2", "v2", "active");
    assertThat(runs.get(5).out()).isEqualTo("key kek#1 in partition payments is compromised\n");
    CliRun json =
        CliRun.okInHome(home, "key", "list", "--partition", "payments", "--versions", "--json");
    assertThat(json.out())
        .contains("\"version\":1", "\"state\":\"compromised\"", "\"version\":2", "\"keyId\":\"");
  }

  @Test
  void refusedTransitionsAndBadInputSayWhyAndChangeNothing() throws Exception {
    String pin = PinFiles.of(PIN);
    CliRun.okInHome(home, "partition", "create", "p", "--pin-file", pin);
    CliRun.okInHome(
        home,
        "key",
        "generate",
        "--partition",
        "p",
        "--kind",
        "aes-256",
        "--usage",
        "encrypt",
        "--label",
        "k",
        "--pre-active",
        "--pin-file",
        pin);
    Files.write(files.resolve("m.bin"), new byte[16]);
    String[] encrypt = {
      "encrypt",
      "--partition",
      "p",
      "--key",
      "k",
      "--alg",
      "AES/GCM/NoPadding",
      "--in",
      files.resolve("m.bin").toString(),
      "--out",
      files.resolve("c.bin").toString(),
      "--pin-file",
      pin
    };

    CliRun pending = CliRun.inHome(home, encrypt);
    assertThat(pending.exitCode()).isNotEqualTo(ExitCodes.OK);
    assertThat(pending.err()).contains("pre-active").contains("KEY_STATE_NOT_PERMITTED");

    CliRun back =
        CliRun.inHome(
            home,
            "key",
            "state",
            "--partition",
            "p",
            "--label",
            "k",
            "--to",
            "pre-active",
            "--pin-file",
            pin);
    assertThat(back.exitCode()).isEqualTo(ExitCodes.USAGE);
    CliRun badDate =
        CliRun.inHome(
            home,
            "key",
            "state",
            "--partition",
            "p",
            "--label",
            "k",
            "--to",
            "active",
            "--at",
            "tomorrow",
            "--pin-file",
            pin);
    assertThat(badDate.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(badDate.err()).contains("ISO-8601");
    CliRun badRef =
        CliRun.inHome(
            home,
            "key",
            "state",
            "--partition",
            "p",
            "--label",
            "k#0",
            "--to",
            "active",
            "--pin-file",
            pin);
    assertThat(badRef.exitCode()).isNotEqualTo(ExitCodes.OK);
    assertThat(badRef.err()).contains("label#N");

    CliRun.okInHome(
        home,
        "key",
        "state",
        "--partition",
        "p",
        "--label",
        "k",
        "--to",
        "active",
        "--pin-file",
        pin);
    CliRun.okInHome(home, encrypt);
    CliRun destroyActive =
        CliRun.inHome(
            home,
            "key",
            "state",
            "--partition",
            "p",
            "--label",
            "k",
            "--to",
            "destroyed",
            "--pin-file",
            pin);
    assertThat(destroyActive.exitCode()).isNotEqualTo(ExitCodes.OK);
    assertThat(destroyActive.err()).contains("INVALID_STATE_TRANSITION").contains("deactivate");
    assertThat(CliRun.okInHome(home, "key", "list", "--partition", "p").out())
        .as("the refusal changed nothing")
        .contains("active");
    CliRun.okInHome(home, encrypt);
    assertThat(
            Arrays.asList(
                CliRun.inHome(
                        home,
                        "key",
                        "rotate",
                        "--partition",
                        "p",
                        "--label",
                        "nope",
                        "--pin-file",
                        pin)
                    .exitCode()))
        .doesNotContain(ExitCodes.OK);
  }
}
