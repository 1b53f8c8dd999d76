package io.ihsm.cli;

import io.ihsm.ddi.Status;
import io.ihsm.ddi.credential.Credential;
import io.ihsm.ddi.json.Json;
import io.ihsm.ddi.message.PartitionLimits;
import io.ihsm.ddi.message.PartitionList;
import io.ihsm.sdk.CryptoOfficerSession;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.IhsmException;
import io.ihsm.sdk.PartitionClient;
import io.ihsm.sdk.PartitionConnection;
import io.ihsm.sdk.store.DamagedEntryException;
import io.ihsm.sdk.store.HostKeyStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `ihsm partition ...`: the Crypto Officer's partition management, recorded in the host key store.
 */
@Command(
    name = "partition",
    mixinStandardHelpOptions = true,
    description = "Create, list and delete partitions.",
    subcommands = {
      PartitionCommand.Create.class,
      PartitionCommand.ListPartitions.class,
      PartitionCommand.Delete.class,
      PartitionCommand.Forget.class,
      PartitionCommand.Unlock.class,
      PartitionCommand.ChangePin.class,
      PartitionCommand.Certs.class
    })
final class PartitionCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The device's id of the partition with this name. */
  static int idOf(CryptoOfficerSession co, HostKeyStore store, String name) {
    return co.listPartitions().stream()
        .filter(p -> p.name().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new IhsmException(
                    Status.PARTITION_NOT_FOUND,
                    "the device has no partition "
                        + name
                        + (inStoreOnly(store, name)
                            ? "; the key store still has an entry for it (the device was zeroized or"
                                + " re-initialized since, or it was deleted elsewhere): `ihsm partition forget "
                                + name
                                + "` removes it"
                            : "")))
        .id();
  }

  private static boolean inStoreOnly(HostKeyStore store, String name) {
    try {
      return store.partition(name).isPresent();
    } catch (DamagedEntryException damaged) {
      return true;
    }
  }

  static CryptoOfficerSession login(IhsmCommand root, IhsmClient hsm) {
    try (Credential co = CryptoOfficerFile.load(hsm, root.home(), root.embedded())) {
      return hsm.loginCryptoOfficer(co);
    }
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = "Create and provision a partition; its blobs go to the host key store.")
  static final class Create implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "1-32 of [a-z0-9-], starting with a letter")
    String name;

    @CommandLine.Mixin PinOptions pin;

    @Option(
        names = "--owner-anchor",
        paramLabel = "FILE",
        description =
            "The owner's ECDSA P-384 public key, SPKI DER (default: a development owner key under <home>/owner).")
    Path ownerAnchor;

    @Option(
        names = "--max-sessions",
        defaultValue = "0",
        description = "Sessions at once (default 8).")
    int maxSessions;

    @Option(
        names = "--max-keys",
        defaultValue = "0",
        description = "Keys loaded at once (default 256).")
    int maxKeys;

    @Option(
        names = "--max-key-bytes",
        defaultValue = "0",
        description = "Key bytes loaded at once (default 16384).")
    int maxKeyBytes;

    @Option(
        names = "--max-pin-failures",
        defaultValue = "0",
        description = "Failures before the PIN locks (default 10).")
    int maxPinFailures;

    @Override
    public Integer call() {
      IhsmCommand root = IhsmCommand.of(spec);
      String appPin = pin.pin("PIN for the new partition " + name);
      HostKeyStore store = HostKeyStore.at(root.home());
      try (IhsmClient hsm = root.connect();
          CryptoOfficerSession co = login(root, hsm)) {
        if (store.partition(name).isPresent()
            && co.listPartitions().stream().noneMatch(p -> p.name().equals(name))) {
          throw new CliFailure(
              "the key store has an entry for partition "
                  + name
                  + " that the device no longer has"
                  + " (zeroized, re-initialized or deleted elsewhere): `ihsm partition forget "
                  + name
                  + "` removes it first");
        }
        var e =
            PartitionClient.create(
                hsm,
                co,
                store,
                name,
                new PartitionLimits(maxSessions, maxKeys, maxKeyBytes, maxPinFailures, 0),
                OwnerKey.anchor(root.home(), ownerAnchor),
                appPin);
        spec.commandLine()
            .getOut()
            .printf(
                "created partition %s (id %d); its blobs are in %s%n",
                name, e.id(), root.home().resolve("partitions").resolve(name));
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List the device's partitions.")
  static final class ListPartitions implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--json",
        description =
            "Print JSON: an array of {id, name, provisioned, established, locked, inKeyStore, onDevice}.")
    boolean json;

    @Override
    public Integer call() {
      IhsmCommand root = IhsmCommand.of(spec);
      HostKeyStore store = HostKeyStore.at(root.home());
      try (IhsmClient hsm = root.connect();
          CryptoOfficerSession co = login(root, hsm)) {
        PrintWriter out = spec.commandLine().getOut();
        List<Json> rows = new ArrayList<>();
        List<PartitionList.Entry> onDevice = co.listPartitions();
        for (PartitionList.Entry p : onDevice) {
          boolean known;
          try {
            known = store.partition(p.name()).map(e -> e.id() == p.id()).orElse(false);
          } catch (DamagedEntryException d) {
            // One damaged entry is named and the listing goes on.
            spec.commandLine().getErr().println("ihsm: " + d.getMessage());
            known = false;
          }
          if (json) {
            rows.add(
                new Json()
                    .put("id", p.id())
                    .put("name", p.name())
                    .put("provisioned", p.provisioned())
                    .put("established", p.established())
                    .put("locked", p.locked())
                    .put("inKeyStore", known)
                    .put("onDevice", true));
          } else {
            out.printf(
                "%-4d %-32s %s%s%s%n",
                p.id(),
                p.name(),
                p.provisioned() ? "provisioned" : "not provisioned",
                p.locked() ? ", PIN locked" : "",
                known ? "" : ", not in this key store");
          }
        }
        // Entries of this key store that the device no longer has: say so, and how to clear them.
        for (String name : store.partitions()) {
          if (onDevice.stream().anyMatch(p -> p.name().equals(name))) {
            continue;
          }
          if (json) {
            rows.add(
                new Json()
                    .put("id", null)
                    .put("name", name)
                    .put("provisioned", false)
                    .put("established", false)
                    .put("locked", false)
                    .put("inKeyStore", true)
                    .put("onDevice", false));
          } else {
            out.printf(
                "-    %-32s in this key store only: the device no longer has it (`ihsm partition forget %s`)%n",
                name, name);
          }
        }
        if (json) {
          out.println(Json.array(rows));
        }
        out.flush();
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "forget",
      mixinStandardHelpOptions = true,
      description = {
        "Remove a partition's entry (its blobs and keys) from this key store when the device no longer has",
        "the partition (after a zeroization or re-initialization, or a delete elsewhere). Refused while the device has it:",
        "`ihsm partition delete` deletes both. Example: ihsm partition forget payments"
      })
  static final class Forget implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "The partition's name.")
    String name;

    @Override
    public Integer call() {
      IhsmCommand root = IhsmCommand.of(spec);
      HostKeyStore store = HostKeyStore.at(root.home());
      if (!inStoreOnly(store, name)) {
        throw new CliFailure("no partition " + name + " in the key store at " + root.home());
      }
      try (IhsmClient hsm = root.connect();
          CryptoOfficerSession co = login(root, hsm)) {
        if (co.listPartitions().stream().anyMatch(p -> p.name().equals(name))) {
          throw new CliFailure(
              "the device still has partition "
                  + name
                  + ": `ihsm partition delete "
                  + name
                  + "` deletes it on the device and in the key store");
        }
      }
      store.deletePartition(name);
      spec.commandLine()
          .getOut()
          .printf(
              "forgot partition %s: its entry and key blobs are gone from %s%n",
              name, root.home().resolve("partitions"));
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      description =
          "Delete a partition, its keys on the device and its entry in the host key store.")
  static final class Delete implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "The partition's name.")
    String name;

    @Override
    public Integer call() {
      IhsmCommand root = IhsmCommand.of(spec);
      HostKeyStore store = HostKeyStore.at(root.home());
      try (IhsmClient hsm = root.connect();
          CryptoOfficerSession co = login(root, hsm)) {
        int id = idOf(co, store, name);
        co.deletePartition(id);
        if (store.partition(name).isPresent()) {
          store.deletePartition(name);
        }
        spec.commandLine().getOut().printf("deleted partition %s%n", name);
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "certs",
      mixinStandardHelpOptions = true,
      description =
          "Write a partition's identity chain, leaf first: partition identity, Alias, DeviceID (PEM).")
  static final class Certs implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--partition",
        required = true,
        paramLabel = "P",
        description = "The partition's name.")
    String partition;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "FILE",
        description = "Where to write it; - is standard output.")
    Path out;

    @Override
    public Integer call() throws Exception {
      IhsmCommand root = IhsmCommand.of(spec);
      int id =
          HostKeyStore.at(root.home())
              .partition(partition)
              .orElseThrow(
                  () ->
                      new CliFailure(
                          "no partition '" + partition + "' in the key store under " + root.home()))
              .id();
      List<byte[]> chain;
      try (IhsmClient hsm = root.connect();
          PartitionConnection p = hsm.partition(id)) {
        chain = p.certificates();
      }
      Output.write(out, Pem.chainWithoutRoot(chain));
      Output.wrote(spec, out);
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "unlock",
      mixinStandardHelpOptions = true,
      description = "Unlock a partition's PIN after too many failures (Crypto Officer).")
  static final class Unlock implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "The partition's name.")
    String name;

    @Override
    public Integer call() {
      IhsmCommand root = IhsmCommand.of(spec);
      HostKeyStore store = HostKeyStore.at(root.home());
      try (IhsmClient hsm = root.connect();
          CryptoOfficerSession co = login(root, hsm)) {
        int id = idOf(co, store, name);
        co.unlockCredential(id);
        spec.commandLine().getOut().printf("unlocked the PIN of partition %s%n", name);
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "change-pin",
      mixinStandardHelpOptions = true,
      description = {
        "Change a partition's PIN. The current PIN comes as every PIN does (--pin-file, --pin-fd,",
        "$IHSM_PIN or the prompt); the new one from --new-pin-file, $IHSM_NEW_PIN or a prompt."
      },
      footer = {
        "",
        "Example:",
        "  ihsm partition change-pin --partition app --pin-file old.pin --new-pin-file new.pin"
      })
  static final class ChangePin implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin KeyCommand.PartitionOptions p = new KeyCommand.PartitionOptions();

    @Option(
        names = "--new-pin-file",
        paramLabel = "FILE",
        description = "Read the new PIN from the first line of FILE.")
    Path newPinFile;

    @Override
    public Integer call() {
      PinOptions next = new PinOptions();
      next.pinFile = newPinFile;
      String newPin =
          next.pin("new PIN of partition " + p.partition, System.getenv("IHSM_NEW_PIN"));
      IhsmCommand root = IhsmCommand.of(spec);
      try (IhsmClient hsm = root.connect();
          PartitionClient c = p.open(root, hsm)) {
        c.changePin(newPin);
      }
      spec.commandLine().getOut().printf("changed the PIN of partition %s%n", p.partition);
      spec.commandLine().getOut().flush();
      return ExitCodes.OK;
    }
  }
}
