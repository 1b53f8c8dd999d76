package io.ihsm.cli;

import io.ihsm.ddi.attest.Claims;
import io.ihsm.ddi.cose.CoseSign1;
import io.ihsm.verify.AttestationException;
import io.ihsm.verify.AttestationPolicy;
import io.ihsm.verify.AttestationVerifier;
import io.ihsm.verify.VerifiedReport;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `ihsm attest verify`: checks a report offline, with nothing from the device but the files given.
 */
@Command(
    name = "attest",
    mixinStandardHelpOptions = true,
    description = "Verify attestation reports offline.",
    subcommands = {AttestCommand.Verify.class})
final class AttestCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description = {
        "Verify a key or device report: the chain up to the trusted root, the firmware policy, the "
            + "signature, then the claims.",
        "Exit 0 when it holds; otherwise exit 1 and one line saying what failed."
      })
  static final class Verify implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--root",
        required = true,
        paramLabel = "FILE",
        description = "The manufacturer root you trust (PEM or DER).")
    Path root;

    @Option(
        names = "--chain",
        required = true,
        paramLabel = "FILE",
        description = "The chain, leaf first (from `ihsm partition certs` or `ihsm device certs`).")
    Path chain;

    @Option(
        names = "--report",
        required = true,
        paramLabel = "FILE",
        description = "The report (COSE_Sign1, CBOR).")
    Path report;

    @Option(
        names = "--json",
        description =
            "Print JSON: verified, type, counter, firmwareVersion, firmwareSvn, firmwareDigest, summary.")
    boolean json;

    @Option(names = "--nonce", paramLabel = "HEX", description = "The nonce the report must carry.")
    String nonce;

    @Option(
        names = "--min-svn",
        paramLabel = "N",
        description = "The lowest firmware SVN accepted.")
    Long minSvn;

    @Option(
        names = "--firmware-digest",
        paramLabel = "HEX",
        split = ",",
        description =
            "Firmware digests (SHA-384 of the manifest) accepted; repeat or separate with commas.")
    List<String> digests = List.of();

    @Override
    public Integer call() throws Exception {
      AttestationPolicy policy = policy(root, nonce, minSvn, digests);
      try {
        VerifiedReport r =
            AttestationVerifier.verify(
                policy, certificates(chain), KeyCommand.readBounded(report, CoseSign1.MAX_BYTES));
        spec.commandLine()
            .getOut()
            .println(
                json
                    ? new io.ihsm.ddi.json.Json()
                        .put("verified", true)
                        .put("type", r instanceof VerifiedReport.KeyAttestation ? "key" : "device")
                        .put("counter", r.claims().counter())
                        .put("firmwareVersion", r.tcb().version())
                        .put("firmwareSvn", r.tcb().svn())
                        .put("firmwareDigest", r.tcb().digestHex())
                        .put("summary", describe(r))
                    : describe(r));
        return ExitCodes.OK;
      } catch (AttestationException e) {
        throw new CliFailure("attestation does not hold: " + e.reason() + ": " + e.getMessage());
      }
    }
  }

  static AttestationPolicy policy(Path root, String nonce, Long minSvn, List<String> digests)
      throws IOException {
    List<X509Certificate> roots = certificates(root);
    if (roots.size() != 1) {
      throw new CliFailure("--root must hold exactly one certificate, it holds " + roots.size());
    }
    AttestationPolicy policy = AttestationPolicy.trusting(roots.getFirst());
    if (nonce != null) {
      policy = policy.withNonce(nonce(nonce));
    }
    if (minSvn != null) {
      policy = policy.withMinSvn(minSvn);
    }
    return digests.isEmpty() ? policy : policy.withAllowedDigests(Set.copyOf(digests));
  }

  /** A nonce given in hex: at most 128 bytes. */
  static byte[] nonce(String hex) {
    try {
      byte[] n = KeyCommand.hex(hex);
      if (n.length <= Claims.MAX_NONCE) {
        return n;
      }
    } catch (CliFailure notHex) {
      // said below, with what a nonce is
    }
    throw new CliFailure("--nonce must be hex digits for at most " + Claims.MAX_NONCE + " bytes");
  }

  /** A chain of a few certificates is a few KiB. */
  static final int MAX_CERTIFICATE_FILE = 64 * 1024;

  /** Every certificate in a PEM (or DER) file, in file order. */
  static List<X509Certificate> certificates(Path file) throws IOException {
    try {
      byte[] pem = KeyCommand.readBounded(file, MAX_CERTIFICATE_FILE);
      return CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem))
          .stream()
          .map(X509Certificate.class::cast)
          .toList();
    } catch (CertificateException e) {
      throw new CliFailure(file + " does not hold X.509 certificates (PEM or DER)");
    }
  }

  private static String describe(VerifiedReport report) {
    String firmware =
        "firmware "
            + report.tcb().version()
            + " SVN "
            + report.tcb().svn()
            + " digest "
            + report.tcb().digestHex().substring(0, 16)
            + "…";
    return switch (report) {
      case VerifiedReport.KeyAttestation k ->
          "verified: key report #"
              + k.claims().counter()
              + ": "
              + k.kind()
              + " ("
              + k.usage()
              + ", "
              + k.origin()
              + ", "
              + (k.extractable() ? "extractable" : "not extractable")
              + ", "
              + (k.sessionKey() ? "session key" : "app key")
              + k.keyVersion()
                  .map(v -> ", version " + v.version() + " " + v.idText() + ", " + v.state())
                  .orElse("")
              + ") in partition "
              + k.partitionId()
              + " of device "
              + k.claims().serialNumber()
              + ", "
              + firmware
              + (k.claims().approvedMode() ? ", approved mode" : "");
      case VerifiedReport.DeviceAttestation d ->
          "verified: device report #"
              + d.claims().counter()
              + ": device "
              + d.claims().serialNumber()
              + " "
              + d.state()
              + ", self-tests "
              + d.selfTestsPassed()
              + "/"
              + d.selfTestsTotal()
              + ", tamper events "
              + d.tamperCount()
              + ", audit head "
              + d.auditSequence()
              + ", "
              + firmware;
    };
  }
}
