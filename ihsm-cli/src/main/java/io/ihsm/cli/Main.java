package io.ihsm.cli;

import java.io.PrintWriter;

/** Entry point of the `ihsm` command. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    // The etcd client logs through SLF4J, which would otherwise print three lines about having no
    // logger to every `ihsm domain` command's error output; the command reports failures itself.
    if (System.getProperty("slf4j.internal.verbosity") == null) {
      System.setProperty("slf4j.internal.verbosity", "ERROR");
    }
    System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  /**
   * Runs one command line with its output and errors going to the given writers; returns the exit
   * code.
   */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    return IhsmCommand.commandLine(args).setOut(out).setErr(err).execute(args);
  }
}
