package io.ihsm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line on the embedded device: output, option placement, errors and exit codes. */
class CliTest {
  @TempDir Path home;

  static String field(String json, String name) {
    Matcher m =
        Pattern.compile("\"" + name + "\":(\"[^\"]*\"|[0-9]+|null|true|false)").matcher(json);
    assertThat(m.find()).as("field %s in %s", name, json).isTrue();
    return m.group(1).replace("\"", "");
  }

  @Test
  void statusJsonOnTheEmbeddedDeviceHasTheDocumentedFields() {
    CliRun r = CliRun.of("device", "status", "--json", "--home", home.toString());
    assertThat(r.exitCode()).isEqualTo(ExitCodes.OK);
    assertThat(r.err()).isEmpty();
    String json = r.out().strip();
    assertThat(json).startsWith("{").endsWith("}");
    assertThat(field(json, "state")).isEqualTo("OPERATIONAL");
    assertThat(field(json, "reason")).isEqualTo("null");
    assertThat(json).containsPattern("\"firmware\":\\{\"version\":\"[^\"]+\",\"svn\":[0-9]+}");
    assertThat(field(json, "apiRevision")).isEqualTo("1.0");
    assertThat(field(json, "tamperCount")).isEqualTo("0");
    assertThat(field(json, "approvedMode")).isEqualTo("true");
    assertThat(json)
        .containsPattern(
            "\"selfTests\":\\{\"passed\":22,\"total\":22,\"lastRunUptimeMillis\":[0-9]+}");
    assertThat(field(json, "transport")).contains("embedded").contains(home.toString());
    assertThat(home.resolve("device/rom/serial")).exists();
  }

  @Test
  void globalOptionsWorkInAnyPosition() {
    String h = home.toString();
    List<String> serials = new ArrayList<>();
    for (String[] args :
        new String[][] {
          {"--home", h, "device", "info", "--json"},
          {"device", "--home", h, "info", "--json"},
          {"device", "info", "--home", h, "--json"},
          {"device", "info", "--json", "--home=" + h}
        }) {
      CliRun r = CliRun.of(args);
      assertThat(r.exitCode()).as(String.join(" ", args) + "\n" + r.err()).isEqualTo(ExitCodes.OK);
      serials.add(field(r.out(), "serialNumber"));
    }
    assertThat(serials).allMatch(s -> s.startsWith("IHSM-")).containsOnly(serials.getFirst());
  }

  @Test
  void humanReadableStatusAndInfo() {
    CliRun status = CliRun.of("--home", home.toString(), "device", "status");
    assertThat(status.out()).contains("state:        OPERATIONAL").contains("API revision: 1.0");
    CliRun info = CliRun.of("--home", home.toString(), "device", "info");
    assertThat(info.out()).contains("serial number: IHSM-").contains("max frame:     262144 bytes");
  }

  @Test
  void demoRunsOnTheEmbeddedDevice() {
    CliRun r = CliRun.of("demo", "--home", home.toString());
    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.OK);
    assertThat(r.out())
        .contains("development mode")
        .contains("OPERATIONAL")
        .contains("ECDSA P-256 signature: verified by the JDK's own provider")
        .contains("RSASSA-PSS signature:    verified by the JDK's own provider")
        .contains("opened again: same message")
        .contains("reloaded the key: new signature verified")
        .contains("Manufactured the device with the development CA")
        .contains("Key attestation")
        .contains("verified offline to the manufacturer root")
        .contains("holds ec-p256, generated inside, never leaves")
        .contains("same public key as the store's")
        .doesNotContain("NOT verified")
        .doesNotContain("MISMATCH");
    // The tour can be run again on the same home: the device keeps its identity.
    CliRun again = CliRun.of("demo", "--home", home.toString());
    assertThat(again.exitCode()).isZero();
    assertThat(again.out())
        .contains("verified offline to the manufacturer root")
        .doesNotContain("Manufactured");
  }

  @Test
  void anUnreachableDaemonIsExitCode3WithOneLine() {
    CliRun r = CliRun.of("device", "status", "--socket-dir", home.resolve("no-daemon").toString());
    assertThat(r.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err())
        .startsWith("ihsm: cannot connect to the ihsm daemon")
        .contains("TRANSPORT_UNAVAILABLE");
  }

  @Test
  void verboseAddsTheStackTrace() {
    CliRun r =
        CliRun.of(
            "--verbose", "device", "status", "--socket-dir", home.resolve("no-daemon").toString());
    assertThat(r.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
    assertThat(r.err().lines().count()).isGreaterThan(3);
    assertThat(r.err()).contains("at io.ihsm.");
  }

  @Test
  void usageErrorsAreExitCode2WithOneLine() {
    CliRun r = CliRun.of("device", "status", "--no-such-option");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err())
        .startsWith("ihsm: Unknown option: '--no-such-option'")
        .contains("ihsm device status --help");
    assertThat(CliRun.of("no-such-command").exitCode()).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void theDaemonNeedsASocketDirectory() {
    CliRun r = CliRun.of("daemon", "--home", home.toString());
    assertThat(r.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(r.err().strip())
        .isEqualTo(
            "ihsm: ihsm daemon needs --socket-dir DIR (or IHSM_SOCKET_DIR): where to create its sockets");
  }

  @Test
  void aCommandLineBuildsOnlyTheCommandItNamesAndTheWholeTreeOtherwise() {
    assertThat(
            IhsmCommand.commandLine("--home", "h", "--verbose", "sign", "--help").getSubcommands())
        .containsOnlyKeys("sign");
    assertThat(IhsmCommand.commandLine("--socket-dir", "sign", "key").getSubcommands())
        .as("an option's value is not a command")
        .containsOnlyKeys("key");
    int all = IhsmCommand.SUBCOMMANDS.size();
    for (String[] args :
        new String[][] {{}, {"--help"}, {"help", "sign"}, {"sgin"}, {"--home", "sign"}}) {
      assertThat(IhsmCommand.commandLine(args).getSubcommands())
          .as(String.join(" ", args))
          .hasSize(all);
    }
    // The same answers either way: help lists every command; a misspelling is a usage error.
    assertThat(CliRun.of("--help").out()).contains("sign", "daemon", "domain", "bench");
    CliRun typo = CliRun.of("sgin");
    assertThat(typo.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(typo.err()).contains("sgin");
    assertThat(CliRun.of("--home", home.toString(), "sign", "--help").out())
        .contains("--partition");
  }

  @Test
  void everyCommandHasHelp() {
    List<String> checked = new ArrayList<>();
    helpFor(IhsmCommand.commandLine(), new ArrayList<>(), checked);
    assertThat(checked)
        .contains(
            "ihsm",
            "ihsm daemon",
            "ihsm device",
            "ihsm device status",
            "ihsm device info",
            "ihsm demo");
  }

  private void helpFor(CommandLine cl, List<String> path, List<String> checked) {
    List<String> args = new ArrayList<>(path);
    args.add("--help");
    if (!cl.getCommandName().equals("help")) {
      CliRun r = CliRun.of(args.toArray(String[]::new));
      assertThat(r.exitCode()).as(String.join(" ", args)).isEqualTo(ExitCodes.OK);
      assertThat(r.out()).contains("Usage: ").contains("--home").contains("--socket-dir");
      checked.add(cl.getCommandSpec().qualifiedName());
    }
    for (CommandLine sub : cl.getSubcommands().values()) {
      List<String> subPath = new ArrayList<>(path);
      subPath.add(sub.getCommandName());
      helpFor(sub, subPath, checked);
    }
  }
}
