package io.ihsm.cli;

import picocli.CommandLine;

/** Entry point of the `ihsm` command. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs one command line and returns its exit code (see {@link ExitCodes}). */
  public static int run(String... args) {
    return IhsmCommand.commandLine().execute(args);
  }
}
