package io.ihsm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** `ihsm audit list`: who, what, which key and the result, as lines or JSON lines, filtered. */
class AuditListCliTest extends InHomeCliTest {
  static final String PIN = "pin-12345";

  @BeforeEach
  void twoPartitionsAKeyRotatedAndAFailedLogin() throws IOException {
    ok("partition", "create", "app", "--pin-file", PinFiles.of(PIN));
    ok("partition", "create", "other", "--pin-file", PinFiles.of(PIN));
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
    ok("key", "rotate", "--partition", "app", "--label", "k", "--pin-file", PinFiles.of(PIN));
    Path data = Files.writeString(home.resolve("data.txt"), "hello");
    assertThat(
            ihsm(
                    "encrypt",
                    "--partition",
                    "app",
                    "--key",
                    "k",
                    "--alg",
                    "AES/GCM/NoPadding",
                    "--pin-file",
                    PinFiles.of("wrong-pin-9"),
                    "--in",
                    data.toString(),
                    "--out",
                    home.resolve("ct").toString())
                .exitCode())
        .isEqualTo(ExitCodes.FAILED);
  }

  List<JsonNode> jsonLines(String... filters) throws IOException {
    List<String> args = new ArrayList<>(List.of("audit", "list", "--json"));
    args.addAll(List.of(filters));
    List<JsonNode> entries = new ArrayList<>();
    for (String line : ok(args.toArray(String[]::new)).out().strip().split("\n")) {
      if (!line.isEmpty()) {
        entries.add(new ObjectMapper().readTree(line));
      }
    }
    return entries;
  }

  static JsonNode only(List<JsonNode> entries, String event) {
    List<JsonNode> found =
        entries.stream().filter(e -> e.get("event").asText().equals(event)).toList();
    assertThat(found).as(event).hasSize(1);
    return found.get(0);
  }

  @Test
  void eachEntrySaysWhoWhatWhichKeyAndTheResult() throws IOException {
    List<JsonNode> all = jsonLines();
    JsonNode generated = only(all, "GENERATE_KEY");
    assertThat(generated.get("who").asText()).isEqualTo("partition");
    assertThat(generated.get("partition").asText()).isEqualTo("app");
    assertThat(generated.get("result").asText()).isEqualTo("SUCCESS");
    JsonNode key = generated.get("keys").get(0);
    assertThat(key.get("label").asText()).isEqualTo("k");
    assertThat(key.get("version").asInt()).isEqualTo(1);
    assertThat(key.get("state").asText()).isEqualTo("active");
    assertThat(key.get("id").asText()).matches("[0-9a-f]{32}");

    JsonNode rotated = only(all, "ROTATE_KEY");
    assertThat(rotated.get("keys")).hasSize(2);
    assertThat(rotated.get("keys").get(0).get("id").asText()).isEqualTo(key.get("id").asText());
    assertThat(rotated.get("keys").get(0).get("state").asText()).isEqualTo("deactivated");
    assertThat(rotated.get("keys").get(1).get("version").asInt()).isEqualTo(2);

    List<JsonNode> failed =
        all.stream().filter(e -> e.get("result").asText().equals("AUTHENTICATION_FAILED")).toList();
    assertThat(failed).hasSize(1);
    assertThat(failed.get(0).get("event").asText()).isEqualTo("OPEN_SESSION");
    assertThat(failed.get(0).get("partition").asText()).isEqualTo("app");

    assertThat(only(all, "INIT_CRYPTO_OFFICER").get("who").asText()).isEqualTo("crypto-officer");
    assertThat(all.stream().filter(e -> e.get("event").asText().equals("SELF_TESTS")))
        .allMatch(e -> e.get("who").asText().equals("device") && e.get("result").isNull());
    // Sequence numbers run in order, and no PIN is anywhere in the trail.
    for (int i = 1; i < all.size(); i++) {
      assertThat(all.get(i).get("seq").asLong()).isEqualTo(all.get(i - 1).get("seq").asLong() + 1);
    }
    String text = ok("audit", "list").out();
    assertThat(text + all).doesNotContain(PIN).doesNotContain("wrong-pin-9");
    assertThat(text)
        .containsPattern(
            "#\\d+  partition app  ROTATE_KEY  SUCCESS  key k#1 deactivated \\(id [0-9a-f]{32}\\), k#2 active")
        .contains("crypto-officer  INIT_CRYPTO_OFFICER  SUCCESS");
  }

  @Test
  void filtersByTypePartitionAndTime() throws IOException {
    assertThat(jsonLines("--type", "generate_key,ROTATE_KEY"))
        .extracting(e -> e.get("event").asText())
        .containsExactly("GENERATE_KEY", "ROTATE_KEY");
    List<JsonNode> other = jsonLines("--partition", "other");
    assertThat(other).isNotEmpty().allMatch(e -> e.get("partition").asText().equals("other"));
    assertThat(jsonLines("--partition", "app", "--type", "PROVISION_PARTITION")).hasSize(1);
    String tomorrow = LocalDate.now(ZoneOffset.UTC).plusDays(1).toString();
    assertThat(jsonLines("--since", tomorrow)).isEmpty();
    assertThat(jsonLines("--since", "1h", "--type", "GENERATE_KEY")).hasSize(1);
    assertThat(jsonLines("--since", "2000-01-01T00:00:00Z", "--type", "GENERATE_KEY")).hasSize(1);
  }

  @Test
  void wrongValuesExitTwoAndExportNothing() throws IOException {
    int exports = jsonLines("--type", "AUDIT_EXPORT").size();
    for (String[] wrong :
        List.of(
            new String[] {"--since", "yesterday"},
            new String[] {"--since", "99999999999d"},
            new String[] {"--type", "rm -rf"},
            new String[] {"--type", ""})) {
      List<String> args = new ArrayList<>(List.of("audit", "list"));
      args.addAll(List.of(wrong));
      CliRun r = ihsm(args.toArray(String[]::new));
      assertThat(r.exitCode()).as(String.join(" ", wrong) + r.err()).isEqualTo(ExitCodes.USAGE);
      assertThat(r.err()).startsWith("ihsm: ").contains(wrong[0]);
      assertThat(r.out()).isEmpty();
    }
    CliRun unknown = ihsm("audit", "list", "--partition", "nope");
    assertThat(unknown.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(unknown.err()).contains("no partition named nope");
    // Only the two listings exported the log (each export is recorded before its snapshot).
    assertThat(jsonLines("--type", "AUDIT_EXPORT")).hasSize(exports + 1);
  }
}
