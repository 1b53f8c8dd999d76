package io.ihsm.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * An example for every command that does not carry its own in its annotation, shown at the end of
 * its --help (and so in its man page). Kept in one table so that they read alike; {@code
 * CliHelpTest} checks that every command has one.
 */
final class CommandExamples {
  private CommandExamples() {}

  static final Map<String, String> EXAMPLES =
      Map.ofEntries(
          Map.entry(
              "ihsm attest verify",
              "ihsm attest verify --root root.pem --chain chain.pem --report report.cbor --nonce 0a1b2c3d --min-svn 1"),
          Map.entry("ihsm audit export", "ihsm audit export --out audit-$(date +%F).log"),
          Map.entry("ihsm audit key", "ihsm audit key --out audit-key.der"),
          Map.entry(
              "ihsm audit verify",
              "ihsm audit verify audit-2026-12-07.log --public-key audit-key.der"),
          Map.entry(
              "ihsm bench",
              "ihsm bench --workloads ec-sign --threads 1,2 --seconds 3 --json bench.json"),
          Map.entry("ihsm compliance report", "ihsm compliance report --out compliance"),
          Map.entry("ihsm compliance verify", "ihsm compliance verify compliance --root root.pem"),
          Map.entry(
              "ihsm decrypt",
              "ihsm decrypt --partition app --key data --alg AES/GCM/NoPadding --in doc.enc --out doc.txt"),
          Map.entry("ihsm demo", "IHSM_HOME=$(mktemp -d) ihsm demo"),
          Map.entry("ihsm device approved-mode", "ihsm device approved-mode on"),
          Map.entry("ihsm device attest", "ihsm device attest --nonce 0a1b2c3d --out device.cbor"),
          Map.entry("ihsm device certs", "ihsm device certs --out chain.pem"),
          Map.entry("ihsm device info", "ihsm device info --json"),
          Map.entry("ihsm device init", "ihsm --socket-dir /run/ihsm device init"),
          Map.entry("ihsm device manufacture", "ihsm device manufacture"),
          Map.entry(
              "ihsm device recover",
              "ihsm device recover --state-dir /var/lib/ihsm/device --destroy-all-keys"),
          Map.entry("ihsm device reinit", "ihsm device reinit"),
          Map.entry("ihsm device reset", "ihsm device reset"),
          Map.entry("ihsm device root", "ihsm device root --out root.pem"),
          Map.entry("ihsm device selftest", "ihsm device selftest"),
          Map.entry("ihsm device status", "ihsm --socket-dir /run/ihsm device status --json"),
          Map.entry("ihsm device tamper", "ihsm device tamper --sensor case-open"),
          Map.entry("ihsm device zeroize", "ihsm device zeroize"),
          Map.entry("ihsm domain approve", "ihsm domain approve 3f2a9c0e1b7d4a6f8e5c2b1a0d9f8e7c"),
          Map.entry(
              "ihsm domain approver endorse",
              "ihsm domain approver endorse 3f2a9c0e1b7d4a6f8e5c2b1a0d9f8e7c --key olga.pk8"),
          Map.entry("ihsm domain approver keygen", "ihsm domain approver keygen --out olga"),
          Map.entry(
              "ihsm domain backup",
              "ihsm domain backup --threshold 2 --custodian ann.pub --custodian bob.pub --custodian cy.pub --out domain.backup"),
          Map.entry(
              "ihsm domain create", "ihsm domain create --store etcd://10.0.0.5:2379 --min-svn 1"),
          Map.entry("ihsm domain custodian keygen", "ihsm domain custodian keygen --out ann"),
          Map.entry(
              "ihsm domain custodian release",
              "ihsm domain custodian release --key ann.pk8 --backup domain.backup --request restore.request --out ann.share"),
          Map.entry("ihsm domain join", "ihsm domain join --store etcd://10.0.0.5:2379 --wait 600"),
          Map.entry("ihsm domain members", "ihsm domain members --json"),
          Map.entry("ihsm domain remask", "ihsm domain remask"),
          Map.entry(
              "ihsm domain restore",
              "ihsm domain restore --backup domain.backup --shares released-shares"),
          Map.entry("ihsm domain retire", "ihsm domain retire 1"),
          Map.entry("ihsm domain revoke", "ihsm domain revoke 5d41402abc4b2a76b9719d911017c592"),
          Map.entry("ihsm domain rotate", "ihsm domain rotate"),
          Map.entry("ihsm domain status", "ihsm domain status --json"),
          Map.entry(
              "ihsm encrypt",
              "ihsm encrypt --partition app --key data --alg AES/GCM/NoPadding --in doc.txt --out doc.enc"),
          Map.entry("ihsm firmware commit", "ihsm firmware commit"),
          Map.entry("ihsm firmware info", "ihsm firmware info --json"),
          Map.entry(
              "ihsm firmware sign",
              "ihsm firmware sign --key release.pk8 --public-key release.spki --lms-key release.lms --in image.zip --out image.signed --image-version 0.2.0 --svn 2"),
          Map.entry("ihsm firmware update", "ihsm firmware update image.signed"),
          Map.entry("ihsm firmware verify", "ihsm firmware verify image.signed --fused-svn 1"),
          Map.entry("ihsm help", "ihsm help key generate"),
          Map.entry(
              "ihsm jca classpath",
              "keytool -J-cp -J\"$(ihsm jca classpath)\" -list -storetype IHSM -providerclass io.ihsm.jca.IhsmProvider"),
          Map.entry("ihsm jca config", "ihsm jca config --partition app --out ihsm-jca.conf"),
          Map.entry(
              "ihsm key attest",
              "ihsm key attest --partition app --label signer --nonce 0a1b2c3d --out report.cbor"),
          Map.entry("ihsm key delete", "ihsm key delete --partition app --label old-key"),
          Map.entry(
              "ihsm key generate",
              "ihsm key generate --partition app --kind ec-p256 --usage sign --label signer"),
          Map.entry(
              "ihsm key import",
              "ihsm key import --partition app --label imported --kind ec-p256 --usage sign --wrapped key.wrapped"),
          Map.entry("ihsm key list", "ihsm key list --partition app --versions --json"),
          Map.entry(
              "ihsm key public",
              "ihsm key public --partition app --label signer --pem --out signer.pem"),
          Map.entry("ihsm key rotate", "ihsm key rotate --partition app --label kek"),
          Map.entry(
              "ihsm key state", "ihsm key state --partition app --label kek#1 --to compromised"),
          Map.entry(
              "ihsm key unwrapping-key",
              "ihsm key unwrapping-key --partition app --pem --out unwrapping.pem"),
          Map.entry(
              "ihsm key wrap-for-import",
              "ihsm key wrap-for-import --unwrapping-key unwrapping.pem --in key.pk8 --out key.wrapped"),
          Map.entry(
              "ihsm kmip",
              "ihsm kmip --listen 127.0.0.1:5696 --tls-cert server.pem --tls-key server.key --client-ca ca.pem --clients clients.properties"),
          Map.entry(
              "ihsm kms-plugin",
              "ihsm kms-plugin --listen unix:///run/ihsm-kms/kms.sock --partition kube --key kek"),
          Map.entry(
              "ihsm mac",
              "ihsm mac --partition app --key mac-key --alg HmacSHA256 --in doc.txt --out doc.mac"),
          Map.entry("ihsm partition certs", "ihsm partition certs --partition app --out chain.pem"),
          Map.entry(
              "ihsm partition create", "ihsm partition create payments --pin-file payments.pin"),
          Map.entry("ihsm partition delete", "ihsm partition delete payments"),
          Map.entry("ihsm partition forget", "ihsm partition forget payments"),
          Map.entry("ihsm partition list", "ihsm partition list --json"),
          Map.entry("ihsm partition unlock", "ihsm partition unlock payments"),
          Map.entry(
              "ihsm pkcs11 config",
              "ihsm --socket-dir /run/ihsm pkcs11 config --out ihsm-pkcs11.conf"),
          Map.entry(
              "ihsm pkcs11 module-path",
              "pkcs11-tool --module \"$(ihsm pkcs11 module-path)\" --list-slots"),
          Map.entry(
              "ihsm sign",
              "ihsm sign --partition app --key signer --alg SHA256withECDSA --in doc.txt --out doc.sig"),
          Map.entry(
              "ihsm verify",
              "ihsm verify --partition app --key signer --alg SHA256withECDSA --in doc.txt --signature doc.sig"));

  /** Adds the table's example to every command of the tree that has none of its own. */
  static void apply(CommandLine tree) {
    CommandSpec spec = tree.getCommandSpec();
    String example = EXAMPLES.get(spec.qualifiedName());
    List<String> footer = new ArrayList<>(List.of(spec.usageMessage().footer()));
    if (example != null && !String.join("\n", footer).contains("Example")) {
      footer.addAll(List.of("", "Example:", "  " + example));
      spec.usageMessage().footer(footer.toArray(String[]::new));
    }
    for (CommandLine sub : spec.subcommands().values()) {
      if (sub.getCommandSpec().parent() == spec) {
        apply(sub);
      }
    }
  }
}
