package io.ihsm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ihsm.ddi.attest.Claims;
import io.ihsm.ddi.cose.CoseSign1;
import io.ihsm.ddi.message.SignedDocument;
import io.ihsm.sdk.CryptoOfficerSession;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.verify.AttestationException;
import io.ihsm.verify.AttestationPolicy;
import io.ihsm.verify.AttestationVerifier;
import io.ihsm.verify.TcbInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `ihsm compliance report|verify`: the module's own signed compliance report, and its offline
 * check.
 */
@Command(
    name = "compliance",
    mixinStandardHelpOptions = true,
    description = "Write the module's signed compliance report, or check one offline.",
    subcommands = {ComplianceCommand.Report.class, ComplianceCommand.Verify.class})
final class ComplianceCommand implements Runnable {
  static final String JSON = "report.json";
  static final String SIGNATURE = "report.json.cose";
  static final String HTML = "report.html";
  static final String CHAIN = "chain.pem";
  static final String ROOT = "root.pem";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "report",
      mixinStandardHelpOptions = true,
      description = {
        "Write the compliance report (Crypto Officer): report.json, made and signed by the module "
            + "(detached COSE_Sign1 by the Alias key in report.json.cose), report.html to read, and the chain.pem "
            + "and root.pem that `ihsm compliance verify` checks it with."
      })
  static final class Report implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "DIR",
        description = "The directory to write the report into.")
    Path out;

    @Override
    public Integer call() throws Exception {
      IhsmCommand root = IhsmCommand.of(spec);
      SignedDocument report;
      List<byte[]> chain;
      try (IhsmClient hsm = root.connect();
          CryptoOfficerSession co = PartitionCommand.login(root, hsm)) {
        chain = hsm.certificateChain();
        report = co.complianceReport();
      }
      Files.createDirectories(out);
      Files.write(out.resolve(JSON), report.document());
      Files.write(out.resolve(SIGNATURE), report.signature());
      Files.writeString(out.resolve(CHAIN), Pem.chainWithoutRoot(chain));
      Files.writeString(out.resolve(ROOT), Pem.encode("CERTIFICATE", chain.getFirst()));
      Files.writeString(out.resolve(HTML), ComplianceHtml.render(parse(report.document())));
      spec.commandLine()
          .getOut()
          .printf("wrote %s (%s, %s, %s, %s, %s)%n", out, JSON, SIGNATURE, HTML, CHAIN, ROOT);
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description = {
        "Check a compliance report offline: the signature over report.json by the Alias key, the chain "
            + "to the root, the firmware it names, and that report.html is report.json's page.",
        "Exit 0 when it holds; otherwise exit 1 and one line saying what failed."
      })
  static final class Verify implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(
        paramLabel = "DIR",
        description = "A directory written by `ihsm compliance report`.")
    Path dir;

    @Option(
        names = "--root",
        paramLabel = "FILE",
        description =
            "The manufacturer root you trust (default: DIR/root.pem, which only shows the report is intact).")
    Path root;

    @Option(
        names = "--min-svn",
        paramLabel = "N",
        description = "The lowest firmware SVN accepted.")
    Long minSvn;

    @Option(
        names = "--firmware-digest",
        paramLabel = "HEX",
        split = ",",
        description = "Firmware digests accepted.")
    List<String> digests = List.of();

    @Override
    public Integer call() throws Exception {
      AttestationPolicy policy =
          AttestCommand.policy(root != null ? root : dir.resolve(ROOT), null, minSvn, digests);
      byte[] document = KeyCommand.readBounded(dir.resolve(JSON), SignedDocument.MAX_DOCUMENT);
      TcbInfo tcb;
      try {
        tcb =
            AttestationVerifier.verifyDetached(
                policy,
                AttestCommand.certificates(dir.resolve(CHAIN)),
                document,
                KeyCommand.readBounded(dir.resolve(SIGNATURE), CoseSign1.MAX_BYTES));
      } catch (AttestationException e) {
        throw new CliFailure(
            "the compliance report does not hold: " + e.reason() + ": " + e.getMessage());
      }
      JsonNode report = parse(document);
      JsonNode firmware = report.path("firmware");
      if (!Claims.COMPLIANCE_REPORT.equals(report.path("format").asText())
          || !tcb.digestHex().equals(firmware.path("digest").asText())
          || tcb.svn() != firmware.path("svn").asLong(-1)) {
        throw new CliFailure(
            "the compliance report does not hold: its format or firmware differs from what the chain certifies");
      }
      byte[] page = KeyCommand.readBounded(dir.resolve(HTML), SignedDocument.MAX_DOCUMENT * 4);
      if (!ComplianceHtml.render(report).equals(new String(page, StandardCharsets.UTF_8))) {
        throw new CliFailure(
            "the compliance report does not hold: report.html is not the page of report.json");
      }
      spec.commandLine()
          .getOut()
          .printf(
              "verified: compliance report of device %s generated %s, firmware %s SVN %d, %s%n",
              report.path("module").path("serialNumber").asText(),
              report.path("generated").asText(),
              tcb.version(),
              tcb.svn(),
              root != null
                  ? "root " + root
                  : "root from the report directory (pin yours with --root)");
      return ExitCodes.OK;
    }
  }

  static JsonNode parse(byte[] document) {
    try {
      return new ObjectMapper().readTree(document);
    } catch (IOException e) {
      throw new CliFailure("report.json is not JSON");
    }
  }
}
