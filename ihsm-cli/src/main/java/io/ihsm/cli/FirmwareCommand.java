package io.ihsm.cli;

import io.ihsm.ddi.json.Json;
import io.ihsm.ddi.message.FirmwareInfo;
import io.ihsm.device.Device;
import io.ihsm.device.boot.BootRom;
import io.ihsm.device.boot.FirmwareImage;
import io.ihsm.device.boot.FirmwareKeys;
import io.ihsm.device.boot.FirmwareManifest;
import io.ihsm.device.boot.FirmwareSigner;
import io.ihsm.device.boot.LmsSigningKey;
import io.ihsm.sdk.CryptoOfficerSession;
import io.ihsm.sdk.IhsmClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `ihsm firmware ...`: what runs, checking and signing images, and updating the device. */
@Command(
    name = "firmware",
    mixinStandardHelpOptions = true,
    description = "Inspect, verify, sign and update firmware.",
    subcommands = {
      FirmwareCommand.Info.class,
      FirmwareCommand.Verify.class,
      FirmwareCommand.Measure.class,
      FirmwareCommand.Sign.class,
      FirmwareCommand.NewLmsKey.class,
      FirmwareCommand.Update.class,
      FirmwareCommand.Commit.class
    })
final class FirmwareCommand implements Runnable {
  static final int MAX_IMAGE = 64 << 20;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "info",
      mixinStandardHelpOptions = true,
      description =
          "The running firmware as the boot ROM measured it: path, version, SVN, digest, signer, fused SVN.")
  static final class Info implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--json",
        description = "Print JSON: path, version, svn, digest, signer, fusedSvn.")
    boolean json;

    @Override
    public Integer call() {
      try (IhsmClient hsm = IhsmCommand.of(spec).connect()) {
        FirmwareInfo f = hsm.firmwareInfo();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
          out.println(
              new Json()
                  .put("path", f.source())
                  .put("version", f.version())
                  .put("svn", f.svn())
                  .put("digest", f.digest())
                  .put("signer", f.signer())
                  .put("fusedSvn", f.fusedSvn()));
        } else {
          out.printf(
              "path:      %s%nversion:   %s%nSVN:       %d (fused %d)%ndigest:    sha384:%s%nsigner:    %s%n",
              f.source(), f.version(), f.svn(), f.fusedSvn(), f.digest(), f.signer());
        }
        out.flush();
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description =
          "Check an image as the boot ROM would: both signatures by the pinned keys, every digest; exit 0 when good.")
  static final class Verify implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "IMAGE", description = "The firmware image.")
    Path image;

    @Option(
        names = "--pinned-key",
        paramLabel = "SPKI",
        description =
            "The ECDSA P-384 public key to check against (default: the one this build's boot ROM pins); with --pinned-lms-key.")
    Path pinnedKey;

    @Option(
        names = "--pinned-lms-key",
        paramLabel = "SPKI",
        description =
            "The HSS/LMS public key to check against (default: the one this build's boot ROM pins); with --pinned-key.")
    Path pinnedLmsKey;

    @Option(
        names = "--fused-svn",
        defaultValue = "0",
        description = "Refuse SVNs below this (default 0).")
    int fusedSvn;

    @Override
    public Integer call() throws Exception {
      if ((pinnedKey == null) != (pinnedLmsKey == null)) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "give both --pinned-key and --pinned-lms-key, or neither");
      }
      FirmwareKeys pinned;
      try {
        pinned =
            pinnedKey == null
                ? Device.pinnedKeys()
                : FirmwareKeys.of(
                    Pem.derOrPem(KeyCommand.readBounded(pinnedKey, 16384), "PUBLIC KEY"),
                    Pem.derOrPem(KeyCommand.readBounded(pinnedLmsKey, 16384), "PUBLIC KEY"));
      } catch (GeneralSecurityException e) {
        throw new CliFailure("the pinned keys are not an ECDSA P-384 and an HSS/LMS public key");
      }
      try {
        FirmwareManifest m =
            BootRom.verify(KeyCommand.readBounded(image, MAX_IMAGE), pinned, fusedSvn);
        spec.commandLine()
            .getOut()
            .printf(
                "%s: good: version %s, SVN %d, %d files, signed by %s%n",
                image, m.version(), m.svn(), m.fileDigests().size(), m.signer());
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
      } catch (FirmwareImage.InvalidImageException e) {
        throw new CliFailure(image + ": " + e.getMessage());
      }
    }
  }

  @Command(
      name = "measure",
      mixinStandardHelpOptions = true,
      description = {
        "The FWID an image's jars would have once signed: SHA-384 of the manifest for this version,",
        "SVN and signer (each taken from the running firmware unless given). Rebuild the firmware",
        "from source, measure it, and compare with the digest a device attests (docs/attestation.md)."
      },
      footer = {
        "",
        "Example:",
        "  ihsm firmware measure ihsm-firmware/target/ihsm-firmware-image.zip --json"
      })
  static final class Measure implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "IMAGE", description = "A firmware image, signed or not.")
    Path image;

    @Option(
        names = "--image-version",
        paramLabel = "V",
        description = "The version the manifest states (default: the running firmware's).")
    String version;

    @Option(
        names = "--svn",
        paramLabel = "N",
        description = "The SVN the manifest states (default: the running firmware's).")
    Integer svn;

    @Option(
        names = "--signer",
        paramLabel = "NAME",
        description = "The signer with its key fingerprint (default: the running firmware's).")
    String signer;

    @Option(
        names = "--json",
        description = "Print JSON: fwid, version, svn, signer, files, running.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      FirmwareInfo running = null;
      if (version == null || svn == null || signer == null) {
        try (IhsmClient hsm = IhsmCommand.of(spec).connect()) {
          running = hsm.firmwareInfo();
        }
      }
      String v = version != null ? version : running.version();
      int n = svn != null ? svn : running.svn();
      String by = signer != null ? signer : running.signer();
      FirmwareManifest m;
      try {
        m = FirmwareSigner.manifestFor(KeyCommand.readBounded(image, MAX_IMAGE), v, n, by);
      } catch (FirmwareImage.InvalidImageException e) {
        throw new CliFailure(image + ": " + e.getMessage());
      }
      String fwid =
          HexFormat.of().formatHex(MessageDigest.getInstance("SHA-384").digest(m.encode()));
      Boolean same = running == null ? null : running.digest().equals(fwid);
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        out.println(
            new Json()
                .put("fwid", fwid)
                .put("version", v)
                .put("svn", n)
                .put("signer", by)
                .put("files", m.fileDigests().size())
                .put("runningMatches", same));
      } else {
        out.printf(
            "fwid: sha384:%s (version %s, SVN %d, %d files, signer %s)%n",
            fwid, v, n, m.fileDigests().size(), by);
        if (same != null) {
          out.println(
              same
                  ? "the running firmware is this build"
                  : "the running firmware is NOT this build");
        }
      }
      out.flush();
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "sign",
      mixinStandardHelpOptions = true,
      description = {
        "Sign an image's manifest with an ECDSA P-384 key and an HSS/LMS key (e.g. production keys kept",
        "off the build machine). The LMS key's file is advanced before each signature: never sign with a copy."
      })
  static final class Sign implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--key",
        required = true,
        paramLabel = "PKCS8",
        description = "The P-384 private key, PKCS#8 DER or PEM.")
    Path key;

    @Option(
        names = "--public-key",
        required = true,
        paramLabel = "SPKI",
        description = "Its public key, DER or PEM.")
    Path publicKey;

    @Option(
        names = "--lms-key",
        required = true,
        paramLabel = "FILE",
        description = "The HSS/LMS key's state file (from `ihsm firmware new-lms-key`).")
    Path lmsKey;

    @Option(
        names = "--in",
        required = true,
        paramLabel = "IMAGE",
        description = "The input file; - is standard input.")
    Path in;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "IMAGE",
        description = "Where to write it; - is standard output.")
    Path out;

    @Option(
        names = "--image-version",
        required = true,
        description = "The version the manifest states.")
    String version;

    @Option(
        names = "--svn",
        required = true,
        description = "The security version number the manifest states.")
    int svn;

    @Option(
        names = "--signer",
        defaultValue = "ihsm release key",
        description = "The signer's name (its key fingerprint is added).")
    String signer;

    @Override
    public Integer call() throws Exception {
      KeyPair kp =
          FirmwareSigner.loadP384(
              Pem.derOrPem(KeyCommand.readBounded(key, 16384), "PRIVATE KEY"),
              Pem.derOrPem(KeyCommand.readBounded(publicKey, 16384), "PUBLIC KEY"));
      LmsSigningKey lms;
      try {
        lms = LmsSigningKey.open(lmsKey, false);
      } catch (IOException e) {
        throw new CliFailure(e.getMessage());
      }
      byte[] image = KeyCommand.readBounded(in, MAX_IMAGE);
      try {
        FirmwareImage.parse(image); // a bad image is refused before a one-time key is spent
      } catch (FirmwareImage.InvalidImageException e) {
        throw new CliFailure(in + ": " + e.getMessage());
      }
      byte[] signed;
      try {
        signed = FirmwareSigner.sign(image, new FirmwareSigner.Keys(kp, lms), signer, version, svn);
      } catch (GeneralSecurityException e) {
        throw new CliFailure(e.getMessage());
      }
      Output.write(out, signed);
      if (!Output.isStdout(out)) {
        spec.commandLine()
            .getOut()
            .printf(
                "signed %s as version %s, SVN %d, by %s %s; the LMS key has %d signatures left%n",
                out,
                version,
                svn,
                signer,
                FirmwareSigner.fingerprint(kp.getPublic()),
                lms.remaining());
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "new-lms-key",
      mixinStandardHelpOptions = true,
      description = {
        "Make an HSS/LMS firmware signing key (RFC 8554, SP 800-208; 2^20 signatures): FILE holds its",
        "private state (owner-only), FILE.spki its public key for the boot ROM to pin. The state changes",
        "with every signature: keep the one file, never a copy or a restored backup (a reused one-time",
        "key can be forged). An existing FILE is never overwritten."
      },
      footer = {"", "Example:", "  ihsm firmware new-lms-key --out release.lms"})
  static final class NewLmsKey implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "FILE",
        description = "The key's state file to make (its public key goes to FILE.spki).")
    Path out;

    @Override
    public Integer call() throws Exception {
      if (Files.exists(out)) {
        throw new CliFailure(out + " exists already: an LMS key is never overwritten");
      }
      LmsSigningKey key = LmsSigningKey.generate(out);
      spec.commandLine()
          .getOut()
          .printf(
              "made the LMS key %s (%d signatures) and its public key %s%s%n",
              out, key.remaining(), out, LmsSigningKey.PUBLIC_SUFFIX);
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "update",
      mixinStandardHelpOptions = true,
      description = {
        "Send an image to the device, which verifies it as its boot ROM would, installs it and reboots",
        "into it (Crypto Officer). The fused SVN does not change until `ihsm firmware commit`."
      })
  static final class Update implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "IMAGE", description = "The firmware image.")
    Path image;

    @Override
    public Integer call() throws Exception {
      IhsmCommand root = IhsmCommand.of(spec);
      byte[] bytes = KeyCommand.readBounded(image, MAX_IMAGE);
      try (IhsmClient hsm = root.connect();
          CryptoOfficerSession co = PartitionCommand.login(root, hsm)) {
        co.updateFirmware(bytes);
        FirmwareInfo f = hsm.firmwareInfo();
        spec.commandLine()
            .getOut()
            .printf(
                "installed; the device now runs firmware %s (SVN %d); fused SVN stays %d "
                    + "until `ihsm firmware commit`%n",
                f.version(), f.svn(), f.fusedSvn());
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "commit",
      mixinStandardHelpOptions = true,
      description =
          "Raise the fused SVN to the running firmware's SVN: older firmware never boots again (Crypto Officer).")
  static final class Commit implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      IhsmCommand root = IhsmCommand.of(spec);
      try (IhsmClient hsm = root.connect();
          CryptoOfficerSession co = PartitionCommand.login(root, hsm)) {
        spec.commandLine().getOut().printf("fused SVN is now %d%n", co.commitFirmwareSvn());
      }
      return ExitCodes.OK;
    }
  }
}
