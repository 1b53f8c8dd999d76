package io.ihsm.cli;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.domain.DomainBackup;
import io.ihsm.ddi.domain.DomainStatus;
import io.ihsm.ddi.domain.JoinRequest;
import io.ihsm.ddi.domain.SealedShare;
import io.ihsm.ddi.message.BodyDecoder;
import io.ihsm.host.AtomicFile;
import io.ihsm.host.OwnerOnly;
import io.ihsm.host.store.FleetStore;
import io.ihsm.host.store.FleetStores;
import io.ihsm.sdk.CryptoOfficerSession;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.fleet.SecurityDomains;
import io.ihsm.sdk.store.HostKeyStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Disaster recovery: `ihsm domain backup`, `restore` and `custodian`. */
final class DomainBackupCommands {
  private DomainBackupCommands() {}

  /** The largest backup, request or share file read. */
  static final int MAX_FILE = 256 * 1024;

  @Command(
      name = "backup",
      mixinStandardHelpOptions = true,
      description = {
        "Back the domain's secrets up (every epoch), sealed under a fresh key split among custodians:",
        "any --threshold of them restore it into a new device; fewer learn nothing."
      })
  static final class Backup implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--custodian",
        required = true,
        paramLabel = "PUBLIC_KEY",
        description =
            "A custodian's public key (SPKI, DER or PEM, from `ihsm domain custodian keygen`); 1 to 16.")
    List<Path> custodians;

    @Option(
        names = "--threshold",
        required = true,
        paramLabel = "M",
        description = "How many custodians it takes to restore (M of N).")
    int threshold;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "FILE",
        description = "Where to write it; - is standard output.")
    Path out;

    @Override
    public Integer call() throws IOException {
      IhsmCommand root = IhsmCommand.of(spec);
      if (custodians.size() > 16 || threshold < 1 || threshold > custodians.size()) {
        throw new CliFailure.Usage("1 to 16 custodians, and --threshold from 1 to their number");
      }
      List<byte[]> keys = new ArrayList<>();
      for (Path p : custodians) {
        keys.add(custodianKey(p));
      }
      try (IhsmClient hsm = root.connect();
          CryptoOfficerSession co = PartitionCommand.login(root, hsm)) {
        DomainBackup backup = co.backupDomain(threshold, keys);
        AtomicFile.write(out, backup.toBytes());
      }
      spec.commandLine()
          .getOut()
          .printf(
              "wrote %s: %d of %d custodians restore it (ihsm domain restore)%n",
              out, threshold, custodians.size());
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "restore",
      mixinStandardHelpOptions = true,
      description = {
        "Restore a domain into this device (in no domain): writes this device's attested join request",
        "to DIR/request.bin, waits for custodians' shares (DIR/*.share, `ihsm domain custodian",
        "release`), then opens the backup inside the device."
      })
  static final class Restore implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--backup",
        required = true,
        paramLabel = "FILE",
        description = "The domain backup file.")
    Path backupFile;

    @Option(
        names = "--shares",
        required = true,
        paramLabel = "DIR",
        description = "The directory holding the custodians' released shares (*.share).")
    Path shares;

    @Option(
        names = "--store",
        paramLabel = "ADDRESS",
        description = "The fleet store the home uses from now on (where the domain's keys are).")
    String store;

    @Option(names = "--wait", paramLabel = "SECONDS", description = "default: 600")
    int waitSeconds = 600;

    @Override
    public Integer call() throws Exception {
      IhsmCommand root = IhsmCommand.of(spec);
      if (waitSeconds < 1 || waitSeconds > 86_400) {
        throw new CliFailure.Usage("--wait is 1 to 86400 seconds");
      }
      DomainBackup backup = read(backupFile, DomainBackup::read);
      int threshold = backup.custodians().threshold();
      try (IhsmClient hsm = root.connect();
          CryptoOfficerSession co = PartitionCommand.login(root, hsm)) {
        JoinRequest request = co.requestToJoin(backup.domainId());
        OwnerOnly.createDirectories(shares);
        AtomicFile.write(shares.resolve("request.bin"), request.toBytes());
        spec.commandLine()
            .getOut()
            .printf(
                "wrote %s; waiting for %d custodians' shares in %s%n",
                shares.resolve("request.bin"), threshold, shares);
        spec.commandLine().getOut().flush();
        long deadline = System.nanoTime() + waitSeconds * 1_000_000_000L;
        List<SealedShare> released = shareFiles(shares);
        while (released.size() < threshold) {
          if (System.nanoTime() > deadline) {
            throw new CliFailure(
                "only " + released.size() + " of " + threshold + " shares came in time");
          }
          Thread.sleep(200);
          released = shareFiles(shares);
        }
        DomainStatus s = co.restoreDomain(backup, released);
        if (store != null) {
          HostKeyStore.useFleetStore(root.home(), store);
        }
        spec.commandLine()
            .getOut()
            .printf(
                "restored security domain %s (epoch %d) into this device%n",
                HexFormat.of().formatHex(s.domainId()), s.epoch());
      }
      return ExitCodes.OK;
    }

    private static List<SealedShare> shareFiles(Path dir) throws IOException {
      List<SealedShare> found = new ArrayList<>();
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : files.filter(p -> p.toString().endsWith(".share")).sorted().toList()) {
          found.add(read(f, SealedShare::read));
        }
      }
      return found;
    }
  }

  @Command(
      name = "custodian",
      mixinStandardHelpOptions = true,
      description = "A backup custodian's key, and the release of its share to a restoring device.",
      subcommands = {Keygen.class, Release.class})
  static final class CustodianCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      spec.commandLine().usage(spec.commandLine().getOut());
    }
  }

  @Command(
      name = "keygen",
      mixinStandardHelpOptions = true,
      description =
          "Make a P-384 key pair: NAME.pk8 (private, owner-only; keep it offline) and NAME.pub (for the backup, or the domain's policy).")
  static final class Keygen implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "NAME",
        description = "The path prefix of the files written (NAME.pk8, NAME.pub).")
    Path out;

    @Override
    public Integer call() throws Exception {
      KeyPair k = Custodian.newKey();
      Path priv = Path.of(out + ".pk8");
      Path pub = Path.of(out + ".pub");
      if (Files.exists(priv)) {
        throw new CliFailure(priv + " exists: a custodian key is never overwritten");
      }
      AtomicFile.write(
          priv,
          Pem.encode("PRIVATE KEY", k.getPrivate().getEncoded())
              .getBytes(StandardCharsets.US_ASCII));
      OwnerOnly.restrictFile(priv);
      AtomicFile.write(
          pub,
          Pem.encode("PUBLIC KEY", k.getPublic().getEncoded()).getBytes(StandardCharsets.US_ASCII));
      spec.commandLine().getOut().printf("wrote %s and %s%n", priv, pub);
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "release",
      mixinStandardHelpOptions = true,
      description = {
        "Check a restoring device's join request against the backup's policy and release this",
        "custodian's share to it (sealed to that device's key). Needs no device."
      })
  static final class Release implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--key",
        required = true,
        paramLabel = "PKCS8",
        description = "The private key, PKCS#8 DER or PEM.")
    Path key;

    @Option(
        names = "--backup",
        required = true,
        paramLabel = "FILE",
        description = "The domain backup file.")
    Path backupFile;

    @Option(
        names = "--request",
        required = true,
        paramLabel = "FILE",
        description = "The restoring device's release request.")
    Path requestFile;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "FILE.share",
        description = "Where to write the released share.")
    Path out;

    @Override
    public Integer call() throws IOException {
      if (!out.toString().endsWith(".share")) {
        throw new CliFailure.Usage("the released share's file name ends in .share");
      }
      Custodian custodian =
          Custodian.of(Pem.derOrPem(KeyCommand.readBounded(key, 16384), "PRIVATE KEY"));
      SealedShare share =
          custodian.release(
              read(backupFile, DomainBackup::read), read(requestFile, JoinRequest::read));
      AtomicFile.write(out, share.toBytes());
      spec.commandLine().getOut().printf("released share %d to %s%n", share.x(), out);
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "approver",
      mixinStandardHelpOptions = true,
      description =
          "A join approver's key (a domain created with --approvals asks for approvers' signatures of each join).",
      subcommands = {Keygen.class, Endorse.class})
  static final class ApproverCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      spec.commandLine().usage(spec.commandLine().getOut());
    }
  }

  @Command(
      name = "endorse",
      mixinStandardHelpOptions = true,
      description =
          "Sign a waiting join with this approver's key and file the signature in the store (needs no device).")
  static final class Endorse implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin DomainCommand.StoreOption store;

    @CommandLine.Parameters(paramLabel = "TICKET", description = "32 hex digits")
    String ticket;

    @Option(
        names = "--key",
        required = true,
        paramLabel = "PKCS8",
        description = "The private key, PKCS#8 DER or PEM.")
    Path key;

    @Override
    public Integer call() throws IOException {
      if (!ticket.matches("[0-9a-f]{32}")) {
        throw new CliFailure.Usage("a join ticket is 32 hex digits");
      }
      KeyPair k =
          Custodian.p384KeyPair(Pem.derOrPem(KeyCommand.readBounded(key, 16384), "PRIVATE KEY"));
      try (FleetStore fleet = FleetStores.open(store.resolve(IhsmCommand.of(spec)))) {
        int index =
            SecurityDomains.endorse(fleet, ticket, k.getPrivate(), k.getPublic().getEncoded());
        spec.commandLine().getOut().printf("approver %d endorsed join ticket %s%n", index, ticket);
      }
      return ExitCodes.OK;
    }
  }

  /** A custodian's HPKE key: the point of the P-384 public key in {@code file}. */
  static byte[] custodianKey(Path file) {
    return Custodian.hpkePublicKey(p384PublicKey(file));
  }

  /** An EC P-384 public key from an SPKI file, DER or PEM (a custodian's or an approver's). */
  static ECPublicKey p384PublicKey(Path file) {
    try {
      var k =
          KeyFactory.getInstance("EC")
              .generatePublic(
                  new X509EncodedKeySpec(
                      Pem.derOrPem(KeyCommand.readBounded(file, 16384), "PUBLIC KEY")));
      if (!(k instanceof ECPublicKey ec)
          || ec.getParams().getCurve().getField().getFieldSize() != 384) {
        throw new CliFailure(file + " is not an EC P-384 public key");
      }
      return ec;
    } catch (GeneralSecurityException | IOException e) {
      throw new CliFailure(file + " is not a readable SPKI public key");
    }
  }

  static <T> T read(Path file, BodyDecoder<T> decoder) throws IOException {
    try {
      return decoder.read(BodyReader.of(KeyCommand.readBounded(file, MAX_FILE)));
    } catch (DdiException e) {
      throw new CliFailure(file + " does not read: " + e.getMessage());
    }
  }
}
