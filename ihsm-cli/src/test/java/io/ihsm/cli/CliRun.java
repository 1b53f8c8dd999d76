package io.ihsm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

/** One in-process run of `ihsm` with its exit code, standard output and standard error. */
record CliRun(int exitCode, String out, String err) {
  static CliRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new CliRun(code, out.toString(), err.toString());
  }

  /** A run with {@code --home home} before the arguments: the embedded device under that home. */
  static CliRun inHome(Path home, String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "--home";
    all[1] = home.toString();
    System.arraycopy(args, 0, all, 2, args.length);
    return of(all);
  }

  /**
   * {@link #inHome}, asserting that it succeeded (the failure message shows the command and its
   * stderr).
   */
  static CliRun okInHome(Path home, String... args) {
    CliRun r = inHome(home, args);
    assertThat(r.exitCode()).as(String.join(" ", args) + "\n" + r.err()).isEqualTo(ExitCodes.OK);
    return r;
  }
}
