package io.ihsm.cli;

import io.ihsm.ddi.credential.Credential;
import io.ihsm.ddi.json.Json;
import io.ihsm.ddi.message.DeviceInfo;
import io.ihsm.ddi.message.DeviceStatus;
import io.ihsm.device.Device;
import io.ihsm.device.DeviceConfig;
import io.ihsm.sdk.CryptoOfficerSession;
import io.ihsm.sdk.DeviceAddress;
import io.ihsm.sdk.IhsmClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `ihsm device ...`: the device as a whole. */
@Command(
    name = "device",
    mixinStandardHelpOptions = true,
    description = "Inspect and manage the device.",
    subcommands = {
      DeviceCommand.Status.class,
      DeviceCommand.Info.class,
      DeviceCommand.Init.class,
      DeviceCommand.Reset.class,
      DeviceCommand.SelfTest.class,
      DeviceCommand.Tamper.class,
      DeviceCommand.Zeroize.class,
      DeviceCommand.Reinit.class,
      DeviceCommand.Recover.class,
      DeviceCommand.ApprovedMode.class,
      DeviceCommand.Manufacture.class,
      DeviceCommand.Root.class,
      DeviceCommand.Certs.class,
      DeviceCommand.Attest.class
    })
final class DeviceCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = "Show the device state (served in every state, ERROR included).")
  static final class Status implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--json",
        description =
            "Print JSON: state, reason, firmware.version, firmware.svn, apiRevision, "
                + "uptimeMillis, selfTests.passed, selfTests.total, selfTests.lastRunUptimeMillis, transport.")
    boolean json;

    @Override
    public Integer call() {
      IhsmCommand root = IhsmCommand.of(spec);
      try (IhsmClient hsm = root.connect()) {
        DeviceStatus s = hsm.deviceStatus();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
          out.println(
              new Json()
                  .put("state", s.state().name())
                  .put("reason", s.reason().isEmpty() ? null : s.reason())
                  .put(
                      "firmware",
                      new Json().put("version", s.firmwareVersion()).put("svn", s.firmwareSvn()))
                  .put("apiRevision", hsm.apiRevision().toString())
                  .put("uptimeMillis", s.uptimeMillis())
                  .put(
                      "selfTests",
                      new Json()
                          .put("passed", s.selfTestsPassed())
                          .put("total", s.selfTestsTotal())
                          .put("lastRunUptimeMillis", s.lastSelfTestMillis()))
                  .put("tamperCount", s.tamperCount())
                  .put("approvedMode", s.approvedMode())
                  .put("transport", hsm.describeTransport()));
        } else {
          out.printf(
              "state:        %s%s%n",
              s.state(), s.reason().isEmpty() ? "" : " (" + s.reason() + ")");
          out.printf(
              "firmware:     %s (SVN %d)%n",
              s.firmwareVersion().isEmpty() ? "none loaded" : s.firmwareVersion(), s.firmwareSvn());
          out.printf("API revision: %s%n", hsm.apiRevision());
          out.printf("uptime:       %d ms%n", s.uptimeMillis());
          out.printf("self-tests:   %d of %d passed%n", s.selfTestsPassed(), s.selfTestsTotal());
          out.printf(
              "mode:         %s%n",
              s.approvedMode() ? "approved-only" : "non-approved requests served (flag clear)");
          out.printf("device:       %s%n", hsm.describeTransport());
        }
        out.flush();
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "init",
      mixinStandardHelpOptions = true,
      description = {
        "Create the device's first Crypto Officer (a random id and PIN), saved under",
        "<home>/crypto-officer/<serial>.credential. The embedded device does this on first use."
      })
  static final class Init implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      IhsmCommand root = IhsmCommand.of(spec);
      try (IhsmClient hsm = root.connect()) {
        Path file = CryptoOfficerFile.init(hsm, root.home());
        spec.commandLine()
            .getOut()
            .printf(
                "created the Crypto Officer of device %s; credential saved in %s%n",
                hsm.deviceInfo().serialNumber(), file);
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "reset",
      mixinStandardHelpOptions = true,
      description = {
        "Power-cycle the device (a simulated reset or live migration): sessions, loaded keys and",
        "partition secrets are lost; clients re-establish them from the host key store."
      })
  static final class Reset implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      IhsmCommand.of(spec).asCryptoOfficer(CryptoOfficerSession::resetDevice);
      spec.commandLine().getOut().println("device reset");
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "selftest",
      mixinStandardHelpOptions = true,
      description =
          "Run every known-answer self-test now (Crypto Officer); a failure puts the device in ERROR.")
  static final class SelfTest implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      IhsmCommand root = IhsmCommand.of(spec);
      try (IhsmClient hsm = root.connect();
          CryptoOfficerSession co = PartitionCommand.login(root, hsm)) {
        co.runSelfTests();
        DeviceStatus s = hsm.deviceStatus();
        spec.commandLine()
            .getOut()
            .printf("self-tests passed: %d of %d%n", s.selfTestsPassed(), s.selfTestsTotal());
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "tamper",
      mixinStandardHelpOptions = true,
      description = {
        "Fire an emulated tamper sensor: the device zeroizes every secret, the sealing secret included,",
        "enters TAMPERED and counts the event; only the Crypto Officer can re-initialize it."
      })
  static final class Tamper implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--sensor", required = true, description = "case-open, voltage or temperature")
    String sensor;

    @Override
    public Integer call() {
      try (IhsmClient hsm = IhsmCommand.of(spec).connect()) {
        hsm.tamper(sensor);
        DeviceStatus s = hsm.deviceStatus();
        spec.commandLine()
            .getOut()
            .printf("device is %s (%s); tamper count %d%n", s.state(), s.reason(), s.tamperCount());
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "zeroize",
      mixinStandardHelpOptions = true,
      description =
          "Zeroize the module (Crypto Officer): every key, session and partition secret and the sealing secret.")
  static final class Zeroize implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      IhsmCommand.of(spec).asCryptoOfficer(CryptoOfficerSession::zeroize);
      spec.commandLine()
          .getOut()
          .println(
              "zeroized: every masked blob made before is unusable; `ihsm device reinit` to start again");
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "recover",
      mixinStandardHelpOptions = true,
      description = {
        "Recover a device whose Crypto Officer is locked out or lost, from the host that owns its state:",
        "every partition and key is destroyed, the Crypto Officer removed; then `ihsm device init` makes a new one.",
        "Works on the state directory itself, so the daemon using it must be stopped first (its lock is taken).",
        "Example: ihsm device recover --state-dir /var/lib/ihsm --destroy-all-keys"
      })
  static final class Recover implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--state-dir",
        paramLabel = "DIR",
        description =
            "The device's state directory (a daemon's --state-dir; default: the embedded device under --home).")
    Path stateDir;

    @Option(
        names = "--destroy-all-keys",
        required = true,
        description = "Required: says you know every partition and key on the device is destroyed.")
    boolean confirmed;

    @Override
    public Integer call() throws IOException {
      IhsmCommand root = IhsmCommand.of(spec);
      Path dir =
          stateDir != null ? stateDir : new DeviceAddress.Embedded(root.home()).stateDirectory();
      if (!Files.isDirectory(dir)) {
        throw new CliFailure("no device state in " + dir);
      }
      String serial;
      try (Device d = Device.powerOn(DeviceConfig.of(dir).withRecovery())) {
        if (d.bootFailure().isPresent()) {
          throw new CliFailure("the device cannot recover: " + d.bootFailure().get());
        }
        serial = d.identity().serialNumber();
      }
      // The old credential file names a Crypto Officer that no longer exists.
      Path old = CryptoOfficerFile.path(root.home(), serial);
      Files.deleteIfExists(old);
      spec.commandLine()
          .getOut()
          .printf(
              "recovered %s: every partition and key is destroyed and the Crypto Officer removed;"
                  + " run `ihsm device init` to create a new Crypto Officer%n",
              serial);
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "approved-mode",
      mixinStandardHelpOptions = true,
      description = {
        "Turn approved-only mode on (the default) or off (Crypto Officer).",
        "Off, non-approved parameters (SHA-1 signatures, caller-chosen GCM IVs) are served with the approved flag clear."
      })
  static final class ApprovedMode implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Parameters(paramLabel = "on|off", description = "on or off")
    String setting;

    @Override
    public Integer call() {
      if (!setting.equals("on") && !setting.equals("off")) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "approved-mode is on or off, not '" + setting + "'");
      }
      IhsmCommand.of(spec).asCryptoOfficer(co -> co.setApprovedMode(setting.equals("on")));
      spec.commandLine().getOut().printf("approved-only mode is %s%n", setting);
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "manufacture",
      mixinStandardHelpOptions = true,
      description = {
        "The factory step: the device makes its unique device secret, and the manufacturer CA certifies",
        "its DeviceID key. Without --ca-key/--ca-cert a development CA is made under <home>/manufacturer/ (NOT FOR PRODUCTION)."
      })
  static final class Manufacture implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--ca-key",
        paramLabel = "PKCS8",
        description = "The manufacturer CA's P-384 private key, DER or PEM.")
    Path caKey;

    @Option(
        names = "--ca-cert",
        paramLabel = "CERT",
        description = "The manufacturer CA's certificate, DER or PEM.")
    Path caCert;

    @Override
    public Integer call() {
      IhsmCommand root = IhsmCommand.of(spec);
      ManufacturerCa ca = ManufacturerCa.load(root.home(), caKey, caCert);
      try (IhsmClient hsm = root.connect()) {
        String serial = ca.manufacture(hsm);
        spec.commandLine()
            .getOut()
            .printf(
                "manufactured %s: DeviceID certified; `ihsm device certs` shows the chain%n",
                serial);
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "root",
      mixinStandardHelpOptions = true,
      description =
          "Write the manufacturer root certificate the device's identity chains to (PEM).")
  static final class Root implements Callable<Integer> {
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
        Output.write(out, Pem.encode("CERTIFICATE", hsm.certificateChain().get(0)));
      }
      Output.wrote(spec, out);
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "certs",
      mixinStandardHelpOptions = true,
      description =
          "Write the device's identity chain, leaf first: the Alias certificate (this firmware), then DeviceID (PEM).")
  static final class Certs implements Callable<Integer> {
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
        Output.write(out, Pem.chainWithoutRoot(hsm.certificateChain()));
      }
      Output.wrote(spec, out);
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "attest",
      mixinStandardHelpOptions = true,
      description = {
        "Write a device attestation report (COSE_Sign1, CBOR) signed by the Alias key.",
        "Check it with `ihsm attest verify` and the chain from `ihsm device certs`."
      })
  static final class Attest implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--nonce",
        required = true,
        paramLabel = "HEX",
        description = "Your fresh nonce, up to 128 bytes.")
    String nonce;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "FILE",
        description = "Where to write it; - is standard output.")
    Path out;

    @Override
    public Integer call() throws Exception {
      byte[] n = AttestCommand.nonce(nonce);
      try (IhsmClient hsm = IhsmCommand.of(spec).connect()) {
        Output.write(out, hsm.attestDevice(n));
      }
      Output.wrote(spec, out);
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "reinit",
      mixinStandardHelpOptions = true,
      description =
          "Re-initialize a tampered or zeroized module (Crypto Officer): a new sealing secret, self-tests, OPERATIONAL.")
  static final class Reinit implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      IhsmCommand root = IhsmCommand.of(spec);
      try (IhsmClient hsm = root.connect();
          Credential co = CryptoOfficerFile.load(hsm, root.home(), false)) {
        hsm.reinitialize(co);
        spec.commandLine().getOut().printf("device is %s%n", hsm.deviceStatus().state());
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "info",
      mixinStandardHelpOptions = true,
      description = "Show what the device is: vendor, model, serial, firmware, limits.")
  static final class Info implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
      IhsmCommand root = IhsmCommand.of(spec);
      try (IhsmClient hsm = root.connect()) {
        DeviceInfo i = hsm.deviceInfo();
        var range = hsm.deviceApiRevisions();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
          out.println(
              new Json()
                  .put("vendor", i.vendor())
                  .put("model", i.model())
                  .put("serialNumber", i.serialNumber())
                  .put("firmware", new Json().put("version", i.firmwareVersion()))
                  .put("cryptoEngine", i.cryptoEngine())
                  .put(
                      "apiRevisions",
                      new Json()
                          .put("min", range.min().toString())
                          .put("max", range.max().toString()))
                  .put("maxFrameBytes", i.maxFrameBytes()));
        } else {
          out.printf("vendor:        %s%n", i.vendor());
          out.printf("model:         %s%n", i.model());
          out.printf("serial number: %s%n", i.serialNumber());
          out.printf(
              "firmware:      %s%n",
              i.firmwareVersion().isEmpty() ? "none loaded" : i.firmwareVersion());
          out.printf("crypto engine: %s%n", i.cryptoEngine().isEmpty() ? "none" : i.cryptoEngine());
          out.printf("API revisions: %s to %s%n", range.min(), range.max());
          out.printf("max frame:     %d bytes%n", i.maxFrameBytes());
        }
        out.flush();
      }
      return ExitCodes.OK;
    }
  }
}
