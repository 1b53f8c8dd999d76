package io.ihsm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The command line explains itself: every option and parameter of every command has a line of help,
 * every command has an example that parses as that command, and docs/cli.md lists every one.
 */
class CliHelpTest {
  static List<CommandSpec> leaves() {
    List<CommandSpec> all = new ArrayList<>();
    collect(IhsmCommand.commandLine().getCommandSpec(), all);
    return all;
  }

  static void collect(CommandSpec spec, List<CommandSpec> into) {
    if (spec.subcommands().isEmpty()) {
      into.add(spec);
    }
    for (CommandLine sub : spec.subcommands().values()) {
      if (sub.getCommandSpec().parent() == spec) {
        collect(sub.getCommandSpec(), into);
      }
    }
  }

  @Test
  void everyOptionAndParameterHasALineOfHelp() {
    List<String> missing = new ArrayList<>();
    for (CommandSpec c : leaves()) {
      for (OptionSpec o : c.options()) {
        if (String.join("", o.description()).isBlank()) {
          missing.add(c.qualifiedName() + " " + o.longestName());
        }
      }
      for (PositionalParamSpec p : c.positionalParameters()) {
        if (String.join("", p.description()).isBlank()) {
          missing.add(c.qualifiedName() + " " + p.paramLabel());
        }
      }
    }
    assertThat(missing).isEmpty();
  }

  static final Pattern EXAMPLE = Pattern.compile("(?m)^\\s+(ihsm .*?)(\\\\)?$");

  @Test
  void everyCommandHasAnExampleThatParsesAsIt() {
    List<String> without = new ArrayList<>();
    for (CommandSpec c : leaves()) {
      String footer = String.join("\n", c.usageMessage().footer());
      if (!footer.contains("Example")) {
        without.add(c.qualifiedName());
        continue;
      }
      Matcher m = EXAMPLE.matcher(footer.substring(footer.indexOf("Example")));
      while (m.find()) {
        String line = m.group(1);
        if (line.contains("$(") || line.contains("\"")) {
          continue; // shell syntax: checked by eye
        }
        String[] words = line.substring("ihsm ".length()).strip().split("\\s+");
        CommandLine fresh = IhsmCommand.commandLine();
        CommandLine.ParseResult r;
        try {
          r = fresh.parseArgs(words);
        } catch (CommandLine.ParameterException e) {
          throw new AssertionError("the example does not parse: " + line + ": " + e.getMessage());
        }
        CommandLine.ParseResult leaf = r;
        while (leaf.hasSubcommand()) {
          leaf = leaf.subcommand();
        }
        if (!words[0].equals("help")) {
          assertThat(leaf.commandSpec().qualifiedName()).as(line).isEqualTo(c.qualifiedName());
        }
      }
    }
    assertThat(without).as("commands without an example").isEmpty();
  }

  /** Commands whose output is data a script reads (not a server, not a confirmation). */
  static final List<String> PRINTS_DATA =
      List.of(
          "ihsm device status",
          "ihsm device info",
          "ihsm firmware info",
          "ihsm firmware measure",
          "ihsm partition list",
          "ihsm key list",
          "ihsm key generate",
          "ihsm key rotate",
          "ihsm key unwrap",
          "ihsm key derive",
          "ihsm audit list",
          "ihsm audit verify",
          "ihsm attest verify",
          "ihsm domain status",
          "ihsm domain members",
          "ihsm backup",
          "ihsm restore",
          "ihsm random",
          "ihsm bench",
          "ihsm pkcs11 module-path");

  @Test
  void everyCommandThatPrintsDataTakesJson() {
    List<String> without = new ArrayList<>();
    for (CommandSpec c : leaves()) {
      if (PRINTS_DATA.contains(c.qualifiedName()) && c.findOption("--json") == null) {
        without.add(c.qualifiedName());
      }
    }
    assertThat(without).isEmpty();
    assertThat(leaves()).extracting(CommandSpec::qualifiedName).containsAll(PRINTS_DATA);
  }

  @Test
  void docsCliMdListsEveryCommand() throws IOException {
    String doc =
        Files.readString(
            Path.of(System.getProperty("ihsm.project.root", "..")).resolve("docs/cli.md"));
    List<String> absent = new ArrayList<>();
    for (CommandSpec c : leaves()) {
      if (c.name().equals("help")) {
        continue;
      }
      String footer = String.join("\n", c.usageMessage().footer());
      String example =
          footer
              .substring(footer.indexOf("Example"))
              .lines()
              .skip(1)
              .filter(l -> l.startsWith("  "))
              .findFirst()
              .orElse("")
              .strip();
      String row = "| `" + c.qualifiedName() + "` | `" + example.replace("|", "\\|") + "` |";
      if (!doc.contains(row)) {
        absent.add(row);
      }
    }
    assertThat(absent).as("rows docs/cli.md lacks, or has another example in").isEmpty();
  }
}
