package io.ihsm.cli;

import io.ihsm.sdk.CryptoOfficerSession;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.audit.AuditEntry;
import io.ihsm.sdk.audit.AuditVerifier;
import io.ihsm.sdk.store.HostKeyStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
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
    subcommands = {
      AuditCommand.ListEntries.class,
      AuditCommand.Export.class,
      AuditCommand.Verify.class,
      AuditCommand.Key.class
    })
final class AuditCommand implements Runnable {
  /** The largest export read back for verification (the device rotates its log well below this). */
  static final int MAX_EXPORT = 4 << 20;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = {
        "The audit trail, readable: each entry's time, number, who (device, crypto-officer or a",
        "partition), what, the result and which key (label#version, id, state). Crypto Officer.",
        "The export it reads is checked (chain and signed head) first; a log that is not intact",
        "is refused. --json prints one JSON object per line, for a SIEM."
      },
      footer = {
        "",
        "Examples:",
        "  ihsm audit list --since 1h --partition payments",
        "  ihsm audit list --type GENERATE_KEY,ROTATE_KEY --json"
      })
  static final class ListEntries implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--since",
        paramLabel = "T",
        description =
            "Only entries at or after T: an instant (2026-12-07T08:00:00Z), a date (2026-12-07, UTC) or an age (30m, 2h, 7d).")
    String since;

    @Option(
        names = "--type",
        split = ",",
        paramLabel = "EVENT",
        description =
            "Only these events (e.g. GENERATE_KEY, ROTATE_KEY, STATE, TAMPER); repeat or separate with commas.")
    List<String> types = List.of();

    @Option(
        names = "--partition",
        paramLabel = "NAME",
        description = "Only requests made by this partition.")
    String partition;

    @Option(names = "--json", description = "One JSON object per entry and line.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      Instant from = since == null ? Instant.EPOCH : AuditListing.since(since, Instant.now());
      Set<String> events = AuditListing.events(types);
      IhsmCommand root = IhsmCommand.of(spec);
      AuditListing listing = new AuditListing(HostKeyStore.at(root.home()));
      int partitionId = partition == null ? -1 : listing.partitionId(partition);
      byte[] export;
      byte[] key;
      try (IhsmClient hsm = root.connect();
          CryptoOfficerSession co = PartitionCommand.login(root, hsm)) {
        export = co.exportAuditLog();
        key = hsm.auditPublicKey();
      }
      AuditVerifier.Result r = AuditVerifier.verify(export, key);
      if (!r.valid()) {
        throw new CliFailure("the device's audit log is NOT intact: " + r.reason());
      }
      PrintWriter out = spec.commandLine().getOut();
      for (AuditEntry e : AuditEntry.parseExport(export)) {
        if (e.time().isBefore(from)
            || (!events.isEmpty() && !events.contains(e.event()))
            || (partition != null && e.partitionId() != partitionId)) {
          continue;
        }
        out.println(json ? listing.json(e) : listing.line(e));
      }
      out.flush();
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "export",
      mixinStandardHelpOptions = true,
      description = "Write the audit log with its signed head to a file (Crypto Officer).")
  static final class Export implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "FILE",
        description = "Where to write it; - is standard output.")
    Path out;

    @Override
    public Integer call() throws Exception {
      IhsmCommand root = IhsmCommand.of(spec);
      byte[] export;
      try (IhsmClient hsm = root.connect();
          CryptoOfficerSession co = PartitionCommand.login(root, hsm)) {
        export = co.exportAuditLog();
      }
      Output.write(out, export);
      if (!Output.isStdout(out)) {
        spec.commandLine()
            .getOut()
            .printf(
                "wrote %s (%d bytes); check it with `ihsm audit verify %s`%n",
                out, export.length, out);
      }
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

    @Parameters(paramLabel = "FILE", description = "The file to read.")
    Path file;

    @Option(names = "--json", description = "Print JSON: intact, entries, first, last, gap.")
    boolean json;

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
      if (json) {
        spec.commandLine()
            .getOut()
            .println(
                new io.ihsm.ddi.json.Json()
                    .put("intact", true)
                    .put("entries", r.entries())
                    .put("first", r.first())
                    .put("last", r.last())
                    .put("gap", r.gap().isEmpty() ? null : r.gap()));
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
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

    @Option(
        names = "--out",
        required = true,
        paramLabel = "FILE",
        description = "Where to write it; - is standard output.")
    Path out;

    @Override
    public Integer call() throws Exception {
      try (IhsmClient hsm = IhsmCommand.of(spec).connect()) {
        Output.write(out, hsm.auditPublicKey());
      }
      Output.wrote(spec, out);
      return ExitCodes.OK;
    }
  }
}
