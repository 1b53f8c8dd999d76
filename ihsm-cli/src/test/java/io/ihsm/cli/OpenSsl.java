package io.ihsm.cli;

import io.ihsm.ddi.testing.ExternalCommand;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the openssl command line for interoperability checks; tests skip (saying why) where it is
 * absent.
 */
final class OpenSsl {
  private OpenSsl() {}

  record Result(int exitCode, String output) {}

  static Result run(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add("openssl");
    cmd.addAll(List.of(args));
    ExternalCommand.Result r = ExternalCommand.run(cmd);
    return new Result(r.exitCode(), r.output());
  }
}
