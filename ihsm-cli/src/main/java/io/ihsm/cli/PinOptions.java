package io.ihsm.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import picocli.CommandLine.Option;

/**
 * Where a command takes the partition PIN from, never its command line (which every local user sees
 * in `ps`): {@code --pin-file FILE}, {@code --pin-fd N}, {@code $IHSM_PIN}, else a prompt on the
 * terminal, without echo. The PIN is the first line, at most {@value #MAX_PIN_CHARS} characters; it
 * is never printed.
 */
final class PinOptions {
  static final int MAX_PIN_CHARS = 128;

  @Option(
      names = "--pin-file",
      paramLabel = "FILE",
      description = "Read the PIN from the first line of FILE.")
  Path pinFile;

  @Option(
      names = "--pin-fd",
      paramLabel = "N",
      description =
          "Read the PIN from the first line of file descriptor N (e.g. 3 with 3< file, or 0).")
  Integer pinFd;

  /**
   * Why {@code --pin PIN} is refused (by the root command, for every subcommand, never echoing it).
   */
  static final String NO_PIN_ARGUMENT =
      "--pin is not accepted: a PIN on the command line is visible to every user (ps);"
          + " use --pin-file FILE, --pin-fd N, $IHSM_PIN, or type it at the prompt";

  /** Whether the arguments try to pass a PIN on the command line. */
  static boolean givesPinArgument(String[] args) {
    for (String a : args) {
      if (a.equals("--pin") || a.startsWith("--pin=")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The PIN, from the first source given: file, descriptor, environment, terminal (prompting "what:
   * ").
   */
  String pin(String what) {
    return pin(what, System.getenv("IHSM_PIN"));
  }

  /** As {@link #pin(String)}, with {@code env} standing for {@code $IHSM_PIN}. */
  String pin(String what, String env) {
    if (pinFile != null && pinFd != null) {
      throw new CliFailure.Usage("give --pin-file or --pin-fd, not both");
    }
    if (pinFile != null) {
      try (Reader r = Files.newBufferedReader(pinFile, StandardCharsets.UTF_8)) {
        return firstLine(r, "--pin-file " + pinFile);
      } catch (IOException e) {
        throw new CliFailure("cannot read the PIN from " + pinFile + ": " + e.getMessage());
      }
    }
    if (pinFd != null) {
      if (pinFd < 0) {
        throw new CliFailure.Usage("--pin-fd takes a file descriptor number, got " + pinFd);
      }
      Path fd = Path.of("/proc/self/fd/" + pinFd);
      try (Reader r =
          pinFd == 0
              ? new InputStreamReader(System.in, StandardCharsets.UTF_8)
              : Files.newBufferedReader(fd, StandardCharsets.UTF_8)) {
        return firstLine(r, "--pin-fd " + pinFd);
      } catch (IOException e) {
        throw new CliFailure(
            "cannot read the PIN from file descriptor " + pinFd + ": " + e.getMessage());
      }
    }
    if (env != null && !env.isEmpty()) {
      if (env.length() > MAX_PIN_CHARS) {
        throw new CliFailure("the PIN in IHSM_PIN is longer than " + MAX_PIN_CHARS + " characters");
      }
      return env;
    }
    Console console = System.console();
    if (console != null) {
      char[] typed = console.readPassword("%s: ", what);
      if (typed != null && typed.length > 0) {
        if (typed.length > MAX_PIN_CHARS) {
          Arrays.fill(typed, '\0');
          throw new CliFailure("the PIN typed is longer than " + MAX_PIN_CHARS + " characters");
        }
        String pin = new String(typed);
        Arrays.fill(typed, '\0');
        return pin;
      }
    }
    throw new CliFailure(
        "this needs the partition PIN: --pin-file FILE, --pin-fd N, the IHSM_PIN environment variable,"
            + " or a terminal to type it at");
  }

  private static String firstLine(Reader in, String source) throws IOException {
    BufferedReader r = new BufferedReader(in, MAX_PIN_CHARS + 2);
    char[] buf = new char[MAX_PIN_CHARS + 1];
    int n = 0;
    int c;
    while (n < buf.length && (c = r.read()) != -1 && c != '\n') {
      buf[n++] = (char) c;
    }
    if (n > 0 && buf[n - 1] == '\r') {
      n--;
    }
    String pin = new String(buf, 0, Math.min(n, MAX_PIN_CHARS));
    Arrays.fill(buf, '\0');
    if (n > MAX_PIN_CHARS) {
      throw new CliFailure(
          "the PIN from " + source + " is longer than " + MAX_PIN_CHARS + " characters");
    }
    if (pin.isEmpty()) {
      throw new CliFailure("the PIN from " + source + " is empty");
    }
    return pin;
  }
}
