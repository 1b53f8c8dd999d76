package io.ihsm.cli;

import io.ihsm.sdk.CryptoOfficerSession;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.audit.AuditVerifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `ihsm audit ...`: export the device's tamper-evident audit log and check an export. */
@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    description = "Export and verify the device's audit log.",
    subcommands = {AuditCommand.Export.class, AuditCommand.Verify.class, AuditCommand.Key.class})
final class AuditCommand implements Runnable {
  /** The largest export read back for verification (the device rotates its log well below this). */
  static final int MAX_EXPORT = 4 << 20;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "export",
      mixinStandardHelpOptions = true,
      description = "Write the audit log with its signed head to a file (Crypto Officer).")
  static final class Export implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "FILE")
    Path out;

    @Override
    public Integer call() throws Exception {
      IhsmCommand root = IhsmCommand.of(spec);
      byte[] export;
      try (IhsmClient hsm = root.connect();
          CryptoOfficerSession co = PartitionCommand.login(root, hsm)) {
        export = co.exportAuditLog();
      }
      Files.write(out, export);
      spec.commandLine()
          .getOut()
          .printf(
              "wrote %s (%d bytes); check it with `ihsm audit verify %s`%n",
              out, export.length, out);
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description = {
        "Check an exported audit log: the hash chain, the sequence and the head's signature.",
        "Any edited, deleted, reordered or appended entry fails, naming the first bad line."
      })
  static final class Verify implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "FILE")
    Path file;

    @Option(
        names = "--public-key",
        paramLabel = "SPKI",
        description =
            "The device's audit public key, DER (default: ask the device; see `ihsm audit key`).")
    Path publicKey;

    @Override
    public Integer call() throws Exception {
      byte[] key;
      if (publicKey != null) {
        key = KeyCommand.readBounded(publicKey, 16384);
      } else {
        try (IhsmClient hsm = IhsmCommand.of(spec).connect()) {
          key = hsm.auditPublicKey();
        }
      }
      AuditVerifier.Result r = AuditVerifier.verify(KeyCommand.readBounded(file, MAX_EXPORT), key);
      if (!r.valid()) {
        throw new CliFailure(file + ": audit log is NOT intact: " + r.reason());
      }
      spec.commandLine()
          .getOut()
          .printf(
              "%s: good: %d entries (%d-%d), chain and signed head verify%n",
              file, r.entries(), r.first(), r.last());
      if (!r.gap().isEmpty()) {
        spec.commandLine().getOut().printf("%s: note: %s%n", file, r.gap());
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "key",
      mixinStandardHelpOptions = true,
      description =
          "Write the device's audit public key (SPKI DER), to verify exports away from the device.")
  static final class Key implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "FILE")
    Path out;

    @Override
    public Integer call() throws Exception {
      try (IhsmClient hsm = IhsmCommand.of(spec).connect()) {
        Files.write(out, hsm.auditPublicKey());
      }
      spec.commandLine().getOut().printf("wrote %s%n", out);
      return ExitCodes.OK;
    }
  }
}
