package io.ihsm.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * A command's output file: {@code --out FILE}, or {@code --out -} for standard output (raw bytes,
 * with nothing else printed there, so the output pipes into the next command).
 */
final class Output {
  private Output() {}

  static boolean isStdout(Path out) {
    return out.toString().equals("-");
  }

  static void write(Path out, byte[] bytes) throws IOException {
    if (isStdout(out)) {
      PrintStream stdout = System.out;
      stdout.write(bytes);
      stdout.flush();
    } else {
      Files.write(out, bytes);
    }
  }

  static void write(Path out, String text) throws IOException {
    write(out, text.getBytes(StandardCharsets.UTF_8));
  }

  /** "wrote FILE", unless the output went to standard output. */
  static void wrote(CommandLine.Model.CommandSpec spec, Path out) {
    if (!isStdout(out)) {
      spec.commandLine().getOut().printf("wrote %s%n", out);
      spec.commandLine().getOut().flush();
    }
  }
}
