package io.ihsm.cli;

import io.ihsm.ddi.domain.DomainStatus;
import io.ihsm.ddi.json.Json;
import io.ihsm.host.AtomicFile;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.store.HostKeyStore;
import io.ihsm.sdk.store.KeyStoreBackup;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `ihsm backup` and `ihsm restore`: the host key store's entries (masked blobs and metadata, never
 * key material) to a file and back, on the device that made them or a member of its domain.
 */
final class BackupCommands {
  private BackupCommands() {}

  /** Where this command's device is: its serial and its domain (hex, or empty). */
  static KeyStoreBackup.Origin origin(IhsmClient hsm) {
    DomainStatus d = hsm.domainStatus();
    return new KeyStoreBackup.Origin(
        hsm.deviceInfo().serialNumber(), d.member() ? HexFormat.of().formatHex(d.domainId()) : "");
  }

  static String describe(KeyStoreBackup.Origin o) {
    return "device "
        + o.deviceSerial()
        + (o.domainId().isEmpty() ? " (in no domain)" : " (domain " + o.domainId() + ")");
  }

  @Command(
      name = "backup",
      mixinStandardHelpOptions = true,
      description = {
        "Back up this home's host key store: every partition's and key version's entry (masked",
        "blobs and metadata, never key material) and the device it belongs to. `ihsm restore`",
        "takes it back on that device or a member of its security domain."
      },
      footer = {"", "Example:", "  ihsm backup --out keystore-$(date +%F).ihsm-backup"})
  static final class Backup implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "FILE",
        description = "Where to write the backup (owner-only); - writes standard output.")
    Path out;

    @Option(names = "--json", description = "Print JSON: file, partitions, keys, device, domain.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      IhsmCommand root = IhsmCommand.of(spec);
      KeyStoreBackup.Origin origin;
      try (IhsmClient hsm = root.connect()) {
        origin = origin(hsm);
      }
      KeyStoreBackup.Contents written =
          KeyStoreBackup.of(HostKeyStore.at(root.home()), origin, Instant.now());
      byte[] file = KeyStoreBackup.write(written);
      PrintWriter stdout = spec.commandLine().getOut();
      if (out.toString().equals("-")) {
        stdout.print(new String(file, StandardCharsets.UTF_8));
        stdout.flush();
        return ExitCodes.OK;
      }
      AtomicFile.write(out, file);
      if (json) {
        stdout.println(
            new Json()
                .put("file", out.toString())
                .put("partitions", written.partitions().size())
                .put("keys", written.keys())
                .put("device", origin.deviceSerial())
                .put("domain", origin.domainId().isEmpty() ? null : origin.domainId()));
      } else {
        stdout.printf(
            "backed up %d partitions and %d key versions of %s to %s%n",
            written.partitions().size(), written.keys(), describe(origin), out);
      }
      stdout.flush();
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "restore",
      mixinStandardHelpOptions = true,
      description = {
        "Restore a host key store backup into this home, on the device that made it or a member of",
        "its security domain (which takes each partition on from its blob); refused elsewhere.",
        "Missing entries are added and equal ones kept; an entry that differs is overwritten only",
        "with --replace, otherwise nothing is written."
      },
      footer = {"", "Example:", "  ihsm restore keystore-2026-12-07.ihsm-backup"})
  static final class Restore implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The backup; - reads standard input.")
    Path file;

    @Option(names = "--replace", description = "Overwrite entries that differ from the backup's.")
    boolean replace;

    @Option(names = "--json", description = "Print JSON: partitions, keys, written, unchanged.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      KeyStoreBackup.Contents backup;
      try {
        backup = KeyStoreBackup.read(KeyCommand.readBounded(file, KeyStoreBackup.MAX_BYTES));
      } catch (IllegalArgumentException e) {
        throw new CliFailure(file + ": " + e.getMessage());
      }
      IhsmCommand root = IhsmCommand.of(spec);
      Map<String, Integer> adopted = new LinkedHashMap<>();
      try (IhsmClient hsm = root.connect()) {
        KeyStoreBackup.Origin here = origin(hsm);
        KeyStoreBackup.Origin made = backup.origin();
        boolean sameDevice = here.deviceSerial().equals(made.deviceSerial());
        boolean sameDomain = !made.domainId().isEmpty() && made.domainId().equals(here.domainId());
        if (!sameDevice && !sameDomain) {
          throw new CliFailure(
              file
                  + ": the backup is of "
                  + describe(made)
                  + ", and this is "
                  + describe(here)
                  + ": a backup restores only on the device that made it or a member of its domain");
        }
        if (!sameDevice) {
          // Another member: it takes each partition on from its blob, which it authenticates under
          // the domain's secret (a blob from elsewhere is refused here, before anything is
          // written).
          for (String name : backup.partitions()) {
            String blob =
                backup
                    .entries()
                    .get(name + "/partition.properties")
                    .getProperty("partitionBlob", "");
            adopted.put(name, hsm.adoptPartition(Base64.getDecoder().decode(blob)));
          }
        }
      }
      HostKeyStore store = HostKeyStore.at(root.home());
      KeyStoreBackup.Restored r;
      try {
        r = KeyStoreBackup.restore(store, backup, replace);
      } catch (IllegalStateException e) {
        throw new CliFailure(file + ": " + e.getMessage());
      }
      List<String> renumbered = new ArrayList<>();
      for (var a : adopted.entrySet()) {
        store
            .partition(a.getKey())
            .ifPresent(
                p -> {
                  if (p.id() != a.getValue()) {
                    store.savePartition(p.withId(a.getValue()));
                    renumbered.add(a.getKey());
                  }
                });
      }
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        out.println(
            new Json()
                .put("partitions", backup.partitions().size())
                .put("keys", backup.keys())
                .put("written", r.written())
                .put("unchanged", r.unchanged())
                .put("adopted", new ArrayList<>(adopted.keySet())));
      } else {
        out.printf(
            "restored %d partitions and %d key versions from %s: %d entries written, %d already there%s%n",
            backup.partitions().size(),
            backup.keys(),
            file,
            r.written(),
            r.unchanged(),
            adopted.isEmpty()
                ? ""
                : "; this member took on " + String.join(", ", adopted.keySet()));
      }
      out.flush();
      return ExitCodes.OK;
    }
  }
}
