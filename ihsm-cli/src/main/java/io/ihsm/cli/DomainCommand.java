package io.ihsm.cli;

import io.ihsm.ddi.domain.DomainPolicy;
import io.ihsm.ddi.domain.DomainStatus;
import io.ihsm.ddi.json.Json;
import io.ihsm.host.store.FleetStore;
import io.ihsm.host.store.FleetStores;
import io.ihsm.sdk.CryptoOfficerSession;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.fleet.DomainRecords;
import io.ihsm.sdk.fleet.Remasker;
import io.ihsm.sdk.fleet.SecurityDomains;
import io.ihsm.sdk.store.HostKeyStore;
import io.ihsm.verify.AttestationException;
import io.ihsm.verify.TcbInfo;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `ihsm domain`: the security domain a fleet's devices share, and the store it lives in. */
@Command(
    name = "domain",
    mixinStandardHelpOptions = true,
    description = {
      "The security domain: devices that share a secret, so a partition's keys open on every member.",
      "Its records live in the fleet store (--store etcd://host:port[,…] or file:/path); the home",
      "remembers the store once the device is a member, and the key store then lives there too."
    },
    subcommands = {
      DomainCommand.Create.class,
      DomainCommand.Join.class,
      DomainCommand.Approve.class,
      DomainCommand.Members.class,
      DomainCommand.Rotate.class,
      DomainCommand.Remask.class,
      DomainCommand.Retire.class,
      DomainCommand.Revoke.class,
      DomainBackupCommands.Backup.class,
      DomainBackupCommands.Restore.class,
      DomainBackupCommands.CustodianCommand.class,
      DomainBackupCommands.ApproverCommand.class,
      DomainCommand.StatusCommand.class
    })
final class DomainCommand {
  private DomainCommand() {}

  /** The store to use: --store, else the one the home remembers. */
  static final class StoreOption {
    @Option(
        names = "--store",
        paramLabel = "ADDRESS",
        description =
            "The fleet store: etcd://host:port[,host:port…] or file:/path (default: the home's, once it is a member).")
    String address;

    String resolve(IhsmCommand root) {
      if (address != null) {
        return address;
      }
      return HostKeyStore.fleetStoreAddress(root.home())
          .orElseThrow(
              () ->
                  new CliFailure.Usage(
                      "name the fleet store with --store (this home is in no domain yet)"));
    }
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = {
        "Genesis: this device creates a security domain in the store and becomes its first member.",
        "Devices may join if their DICE chain ends at this device's manufacturer root, their firmware",
        "SVN is at least --min-svn and their firmware digest is allowed (default: this device's)."
      })
  static final class Create implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin StoreOption store;

    @Option(
        names = "--min-svn",
        paramLabel = "N",
        description = "The lowest firmware SVN a member may run (default: this device's).")
    int minSvn;

    @Option(
        names = "--approver",
        paramLabel = "PUBLIC_KEY",
        description =
            "An approver's P-384 public key (SPKI, DER or PEM, from `ihsm domain approver keygen`); repeatable, up to 16.")
    List<Path> approvers = new ArrayList<>();

    @Option(
        names = "--approvals",
        paramLabel = "M",
        description = "How many approvers must endorse each join (default: 0, none).")
    int approvals;

    @Option(
        names = "--max-members",
        paramLabel = "N",
        description =
            "The most members the domain will have, 1-256 (default: 3); each member allows a partition 1/N of its PIN failures.")
    int maxMembers;

    @Option(
        names = "--allow-firmware",
        paramLabel = "SHA384",
        description =
            "A firmware digest (hex SHA-384 of the image manifest) members may run; repeat for more (default: this device's).")
    List<String> firmware = new ArrayList<>();

    @Override
    public Integer call() {
      IhsmCommand root = IhsmCommand.of(spec);
      if (minSvn < 0) {
        throw new CliFailure.Usage("--min-svn is not negative");
      }
      if (maxMembers < 0 || maxMembers > DomainPolicy.MAX_MEMBERS) {
        throw new CliFailure.Usage("--max-members is 1 to " + DomainPolicy.MAX_MEMBERS);
      }
      List<byte[]> digests = new ArrayList<>();
      for (String f : firmware) {
        if (!f.matches("[0-9a-fA-F]{96}")) {
          throw new CliFailure.Usage("--allow-firmware takes 96 hex digits (SHA-384)");
        }
        digests.add(HexFormat.of().parseHex(f));
      }
      if (digests.size() > DomainPolicy.MAX_DIGESTS) {
        throw new CliFailure.Usage("at most " + DomainPolicy.MAX_DIGESTS + " firmware digests");
      }
      if (approvers.size() > DomainPolicy.MAX_APPROVERS
          || approvals < 0
          || approvals > approvers.size()) {
        throw new CliFailure.Usage("up to 16 --approver keys, and --approvals up to their number");
      }
      List<byte[]> approverKeys = new ArrayList<>();
      for (Path p : approvers) {
        approverKeys.add(DomainBackupCommands.p384PublicKey(p).getEncoded());
      }
      String address = store.resolve(root);
      FleetStore fleet = FleetStores.open(address);
      try (IhsmClient hsm = root.connect();
          CryptoOfficerSession co = PartitionCommand.login(root, hsm)) {
        DomainStatus s =
            SecurityDomains.create(
                hsm,
                co,
                fleet,
                new DomainPolicy(
                    new byte[0], minSvn, digests, maxMembers, List.of(), approvals, approverKeys));
        HostKeyStore.useFleetStore(root.home(), address);
        spec.commandLine()
            .getOut()
            .printf(
                "created security domain %s (epoch %d) in %s; this device is its first member%n",
                HexFormat.of().formatHex(s.domainId()), s.epoch(), address);
      } finally {
        fleet.close();
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "join",
      mixinStandardHelpOptions = true,
      description = {
        "Join the store's security domain: files this device's attested request and waits for a",
        "member to approve it (`ihsm domain approve TICKET` there)."
      })
  static final class Join implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin StoreOption store;

    @Option(
        names = "--wait",
        paramLabel = "SECONDS",
        description = "How long to wait for a member's approval (default: 600).")
    int waitSeconds = 600;

    @Override
    public Integer call() {
      IhsmCommand root = IhsmCommand.of(spec);
      if (waitSeconds < 1 || waitSeconds > 86_400) {
        throw new CliFailure.Usage("--wait is 1 to 86400 seconds");
      }
      String address = store.resolve(root);
      PrintWriter out = spec.commandLine().getOut();
      FleetStore fleet = FleetStores.open(address);
      try (IhsmClient hsm = root.connect();
          CryptoOfficerSession co = PartitionCommand.login(root, hsm)) {
        DomainStatus s =
            SecurityDomains.join(
                hsm,
                co,
                fleet,
                Duration.ofSeconds(waitSeconds),
                ticket -> {
                  out.printf(
                      "join ticket %s filed; on a member: ihsm domain approve %s%n",
                      ticket, ticket);
                  out.flush();
                });
        HostKeyStore.useFleetStore(root.home(), address);
        out.printf(
            "joined security domain %s (epoch %d)%n",
            HexFormat.of().formatHex(s.domainId()), s.epoch());
      } finally {
        fleet.close();
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "approve",
      mixinStandardHelpOptions = true,
      description = {
        "On a member: admit the device of a join ticket (this device checks its chain, firmware and",
        "signature, then seals the domain secret to it), wait for its proof, record it. Without a",
        "ticket, list the joins waiting."
      })
  static final class Approve implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin StoreOption store;

    @Parameters(arity = "0..1", paramLabel = "TICKET", description = "32 hex digits")
    String ticket;

    @Option(
        names = "--wait",
        paramLabel = "SECONDS",
        description = "How long to wait for the joining device's proof (default: 120).")
    int waitSeconds = 120;

    @Override
    public Integer call() {
      IhsmCommand root = IhsmCommand.of(spec);
      if (waitSeconds < 1 || waitSeconds > 86_400) {
        throw new CliFailure.Usage("--wait is 1 to 86400 seconds");
      }
      if (ticket != null && !ticket.matches("[0-9a-f]{32}")) {
        throw new CliFailure.Usage("a join ticket is 32 hex digits");
      }
      PrintWriter out = spec.commandLine().getOut();
      try (FleetStore fleet = FleetStores.open(store.resolve(root))) {
        if (ticket == null) {
          List<DomainRecords.Ticket> pending = new DomainRecords(fleet).pendingJoins();
          for (DomainRecords.Ticket t : pending) {
            out.printf("%s  %s%n", t.id(), describe(t.request().chain()));
          }
          if (pending.isEmpty()) {
            out.println("no joins waiting");
          }
          return ExitCodes.OK;
        }
        try (IhsmClient hsm = root.connect();
            CryptoOfficerSession co = PartitionCommand.login(root, hsm)) {
          DomainRecords.Member m =
              SecurityDomains.approve(hsm, co, fleet, ticket, Duration.ofSeconds(waitSeconds));
          out.printf(
              "admitted %s: %s%n",
              m.id(),
              describe(List.of(new byte[0], m.deviceIdCertificate(), m.aliasCertificate())));
        }
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "members", mixinStandardHelpOptions = true, description = "List the members.")
  static final class Members implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin StoreOption store;

    @Option(
        names = "--json",
        description =
            "Print JSON: an array of {id, device, firmwareVersion, firmwareSvn, firmwareDigest}.")
    boolean json;

    @Override
    public Integer call() {
      IhsmCommand root = IhsmCommand.of(spec);
      PrintWriter out = spec.commandLine().getOut();
      try (FleetStore fleet = FleetStores.open(store.resolve(root))) {
        List<Json> rows = new ArrayList<>();
        for (DomainRecords.Member m : new DomainRecords(fleet).members()) {
          X509Certificate deviceId = certificate(m.deviceIdCertificate());
          TcbInfo tcb = tcb(m.aliasCertificate());
          if (json) {
            rows.add(
                new Json()
                    .put("id", m.id())
                    .put("device", deviceId.getSubjectX500Principal().getName())
                    .put("firmwareVersion", tcb.version())
                    .put("firmwareSvn", tcb.svn())
                    .put("firmwareDigest", tcb.digestHex()));
          } else {
            out.printf(
                "%s  %s  firmware %s (SVN %d)%n",
                m.id(), deviceId.getSubjectX500Principal().getName(), tcb.version(), tcb.svn());
          }
        }
        if (json) {
          out.println(Json.array(rows));
        }
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "rotate",
      mixinStandardHelpOptions = true,
      description = {
        "Start the domain's next epoch on this member. Then: every other member runs `ihsm domain",
        "join` (approved here) to get it, one member runs `ihsm domain remask`, and every member runs",
        "`ihsm domain retire` for the old epoch."
      })
  static final class Rotate implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin StoreOption store;

    @Override
    public Integer call() {
      IhsmCommand root = IhsmCommand.of(spec);
      try (FleetStore fleet = FleetStores.open(store.resolve(root));
          IhsmClient hsm = root.connect();
          CryptoOfficerSession co = PartitionCommand.login(root, hsm)) {
        DomainStatus s = SecurityDomains.rotate(co, fleet);
        spec.commandLine().getOut().printf("epoch %d started on this member%n", s.epoch());
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "remask",
      mixinStandardHelpOptions = true,
      description = {
        "Move every blob of the fleet's key store to the domain's current epoch, through this member's",
        "device; each blob is replaced by compare-and-swap, and a stopped run is finished by running again."
      })
  static final class Remask implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      IhsmCommand root = IhsmCommand.of(spec);
      HostKeyStore keys = HostKeyStore.at(root.home());
      try (IhsmClient hsm = root.connect()) {
        Remasker.Result r = Remasker.run(hsm, keys);
        spec.commandLine()
            .getOut()
            .printf(
                "epoch %d: %d blob(s) re-masked, %d already current%n",
                r.epoch(), r.remasked(), r.current());
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "retire",
      mixinStandardHelpOptions = true,
      description =
          "Destroy an old epoch's secret on this member, once no blob of the fleet is masked under it.")
  static final class Retire implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "EPOCH", description = "The domain epoch to retire.")
    int epoch;

    @Override
    public Integer call() {
      IhsmCommand root = IhsmCommand.of(spec);
      if (epoch < 1) {
        throw new CliFailure.Usage("an epoch is 1 or more");
      }
      HostKeyStore keys = HostKeyStore.at(root.home());
      try (IhsmClient hsm = root.connect();
          CryptoOfficerSession co = PartitionCommand.login(root, hsm)) {
        SecurityDomains.retire(co, keys, epoch);
      }
      spec.commandLine().getOut().printf("epoch %d destroyed on this member%n", epoch);
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "revoke",
      mixinStandardHelpOptions = true,
      description = {
        "Remove a member: no member admits it again, and this member starts the next epoch, which the",
        "removed device is never given (continue as after `ihsm domain rotate`)."
      })
  static final class Revoke implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin StoreOption store;

    @Parameters(paramLabel = "MEMBER", description = "the member's id (`ihsm domain members`)")
    String member;

    @Override
    public Integer call() {
      IhsmCommand root = IhsmCommand.of(spec);
      if (!member.matches("[0-9a-f]{32}")) {
        throw new CliFailure.Usage("a member id is 32 hex digits");
      }
      try (FleetStore fleet = FleetStores.open(store.resolve(root));
          IhsmClient hsm = root.connect();
          CryptoOfficerSession co = PartitionCommand.login(root, hsm)) {
        DomainStatus s = SecurityDomains.revoke(co, fleet, member);
        spec.commandLine()
            .getOut()
            .printf("revoked %s; epoch %d started on this member%n", member, s.epoch());
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = "This device's security domain, and the store the home uses.")
  static final class StatusCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--json",
        description = "Print JSON: member, domainId, epoch, minSvn, firmwareDigests, keyStore.")
    boolean json;

    @Override
    public Integer call() {
      IhsmCommand root = IhsmCommand.of(spec);
      PrintWriter out = spec.commandLine().getOut();
      try (IhsmClient hsm = root.connect()) {
        DomainStatus s = hsm.domainStatus();
        if (json) {
          out.println(
              new io.ihsm.ddi.json.Json()
                  .put("member", s.member())
                  .put("domainId", s.member() ? HexFormat.of().formatHex(s.domainId()) : null)
                  .put("epoch", s.member() ? s.epoch() : null)
                  .put("minSvn", s.member() ? s.policy().minSvn() : null)
                  .put("firmwareDigests", s.member() ? s.policy().firmwareDigests().size() : null)
                  .put("keyStore", HostKeyStore.fleetStoreAddress(root.home()).orElse(null)));
          out.flush();
          return ExitCodes.OK;
        }
        if (!s.member()) {
          out.println("this device is in no security domain");
        } else {
          out.printf(
              "security domain %s, epoch %d; members run firmware SVN %d or later, %d firmware digest(s) allowed%n",
              HexFormat.of().formatHex(s.domainId()),
              s.epoch(),
              s.policy().minSvn(),
              s.policy().firmwareDigests().size());
        }
      }
      out.println(
          "key store: "
              + HostKeyStore.fleetStoreAddress(root.home())
                  .map(a -> "the fleet store " + a)
                  .orElse("this home's files"));
      return ExitCodes.OK;
    }
  }

  /** The device a chain names and the firmware its Alias certificate certifies. */
  private static String describe(List<byte[]> chain) {
    X509Certificate deviceId = certificate(chain.get(1));
    TcbInfo tcb = tcb(chain.get(2));
    return deviceId.getSubjectX500Principal().getName()
        + ", firmware "
        + tcb.version()
        + " (SVN "
        + tcb.svn()
        + ", "
        + tcb.digestHex().substring(0, 16)
        + "…)";
  }

  private static TcbInfo tcb(byte[] alias) {
    try {
      return TcbInfo.of(certificate(alias));
    } catch (AttestationException e) {
      throw new CliFailure("a member's Alias certificate has no readable TcbInfo");
    }
  }

  private static X509Certificate certificate(byte[] der) {
    try {
      return (X509Certificate)
          CertificateFactory.getInstance("X.509")
              .generateCertificate(new ByteArrayInputStream(der));
    } catch (CertificateException e) {
      throw new CliFailure("a certificate in the store does not parse");
    }
  }
}
