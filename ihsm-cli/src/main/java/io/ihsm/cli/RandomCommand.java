package io.ihsm.cli;

import io.ihsm.ddi.message.GetRandomRequest;
import io.ihsm.sdk.IhsmClient;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `ihsm random`: bytes from the device's random bit generator (SP 800-90A CTR_DRBG). */
@Command(
    name = "random",
    mixinStandardHelpOptions = true,
    description =
        "Random bytes from the device's DRBG: as hex on standard output, or raw to --out.",
    footer = {
      "",
      "Examples:",
      "  ihsm random --bytes 32",
      "  ihsm random --bytes 4096 --out seed.bin"
    })
final class RandomCommand implements Callable<Integer> {
  /** The most one command asks for (the device serves at most 1024 bytes a request). */
  static final int MAX_BYTES = 1 << 20;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--bytes",
      required = true,
      paramLabel = "N",
      description = "How many bytes, 1 to 1048576.")
  int bytes;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description = "Write the raw bytes to FILE (- is standard output) instead of hex.")
  Path out;

  @Option(names = "--json", description = "Print JSON: bytes, hex.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (bytes < 1 || bytes > MAX_BYTES) {
      throw new CliFailure.Usage("--bytes is 1 to " + MAX_BYTES + ", got " + bytes);
    }
    ByteArrayOutputStream all = new ByteArrayOutputStream(bytes);
    try (IhsmClient hsm = IhsmCommand.of(spec).connect()) {
      while (all.size() < bytes) {
        all.writeBytes(hsm.randomBytes(Math.min(GetRandomRequest.MAX_LENGTH, bytes - all.size())));
      }
    }
    byte[] r = all.toByteArray();
    if (out != null) {
      Output.write(out, r);
      Output.wrote(spec, out);
    } else if (json) {
      spec.commandLine()
          .getOut()
          .println(
              new io.ihsm.ddi.json.Json()
                  .put("bytes", bytes)
                  .put("hex", HexFormat.of().formatHex(r)));
    } else {
      spec.commandLine().getOut().println(HexFormat.of().formatHex(r));
    }
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }
}
