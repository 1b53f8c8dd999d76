package io.ihsm.cli;

import static io.ihsm.cli.ComplianceHtml.esc;
import static io.ihsm.cli.ComplianceHtml.section;

import io.ihsm.ddi.message.DeviceInfo;
import io.ihsm.ddi.message.DeviceStatus;
import io.ihsm.ddi.message.FirmwareInfo;
import io.ihsm.sdk.CryptoOfficerSession;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.audit.AuditEntry;
import io.ihsm.sdk.audit.AuditVerifier;
import io.ihsm.sdk.store.HostKeyStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The console's pages, rendered on the server (no script): every value escaped, keys shown by
 * label, kind, version and state, never material. The overview reloads itself every 15 seconds.
 */
final class ConsolePage {
  private static final int AUDIT_SHOWN = 100;
  private static final String STYLE =
      "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:1.5em}"
          + "td,th{border:1px solid #999;padding:.3em .6em;text-align:left}.fail{color:#b00;font-weight:bold}"
          + ".bad{color:#b00;font-weight:bold}</style>";

  private ConsolePage() {}

  static String login(String message) {
    return head("ihsm console: log in", "")
        + "<h1>ihsm console</h1>\n<p>Read-only. Log in as the Crypto Officer.</p>\n"
        + (message.isEmpty() ? "" : "<p class=\"bad\" id=\"message\">" + esc(message) + "</p>\n")
        + "<form method=\"post\" action=\"/login\"><label>Crypto Officer PIN "
        + "<input type=\"password\" name=\"pin\" autocomplete=\"off\" required maxlength=\"64\"></label> "
        + "<button type=\"submit\">Log in</button></form>\n</body></html>\n";
  }

  static String error(String what) {
    return head("ihsm console", "")
        + "<h1>ihsm console</h1>\n<p class=\"bad\">The device refused: "
        + esc(what)
        + "</p>\n<p><a href=\"/\">Back</a> (log in again if your session ended).</p>\n"
        + logout()
        + "</body></html>\n";
  }

  /**
   * @param auditExport the audit log's latest export (each export is itself an audit entry, so the
   *     caller reuses one for a while rather than export at every reload)
   */
  static String overview(IhsmClient hsm, byte[] auditExport, Path home) {
    DeviceInfo info = hsm.deviceInfo();
    DeviceStatus s = hsm.deviceStatus();
    FirmwareInfo fw = hsm.firmwareInfo();
    byte[] export = auditExport;
    AuditVerifier.Result intact = AuditVerifier.verify(export, hsm.auditPublicKey());
    List<AuditEntry> audit = AuditEntry.parseExport(export);
    HostKeyStore store = HostKeyStore.at(home);
    AuditListing listing = new AuditListing(store);

    StringBuilder b = new StringBuilder(head("ihsm console: " + info.serialNumber(), "15"));
    b.append("<h1>ihsm console: device ").append(esc(info.serialNumber())).append("</h1>\n");
    b.append(logout());
    section(
        b,
        "Device",
        List.of(
            "serial number",
            "vendor / model",
            "state",
            "reason",
            "firmware",
            "SVN",
            "digest",
            "crypto engine",
            "approved-only mode",
            "uptime"),
        List.of(
            List.of(
                info.serialNumber(),
                info.vendor() + " / " + info.model(),
                s.state().name(),
                s.reason().isEmpty() ? "—" : s.reason(),
                fw.version(),
                Integer.toString(fw.svn()),
                fw.digest(),
                info.cryptoEngine(),
                s.approvedMode() ? "on" : "off",
                s.uptimeMillis() / 1000 + " s")),
        true);
    section(
        b,
        "Self-tests",
        List.of("passed", "in the suite", "last run (uptime)", "result"),
        List.of(
            List.of(
                Integer.toString(s.selfTestsPassed()),
                Integer.toString(s.selfTestsTotal()),
                s.lastSelfTestMillis() / 1000 + " s",
                s.selfTestsPassed() == s.selfTestsTotal() ? "pass" : "fail")),
        false);
    List<List<String>> tampers = new ArrayList<>();
    for (AuditEntry e : audit) {
      if (e.event().equals("TAMPER")) {
        tampers.add(List.of(e.time().toString(), Long.toString(e.sequence()), e.detail()));
      }
    }
    b.append("<h2>Tamper history</h2>\n<p>Tamper events over the device's life: ")
        .append(s.tamperCount())
        .append(".</p>\n");
    if (!tampers.isEmpty()) {
      section(b, null, List.of("time", "audit entry", "detail"), tampers, false);
    }
    List<List<String>> partitions = new ArrayList<>();
    List<List<String>> keys = new ArrayList<>();
    for (String name : store.partitions()) {
      var versions = store.allVersions(name);
      partitions.add(
          List.of(
              name,
              store.partition(name).map(p -> Integer.toString(p.id())).orElse("—"),
              Integer.toString(versions.size())));
      for (HostKeyStore.StoredKey k : versions.values()) {
        keys.add(
            List.of(
                name,
                k.label().contains("#")
                    ? k.label().substring(0, k.label().indexOf('#'))
                    : k.label(),
                Integer.toString(k.version()),
                k.kind().textName(),
                k.usage().name().toLowerCase(java.util.Locale.ROOT),
                k.state().name().toLowerCase(java.util.Locale.ROOT)));
      }
    }
    section(b, "Partitions", List.of("name", "id", "key versions"), partitions, false);
    section(
        b, "Keys", List.of("partition", "label", "version", "kind", "usage", "state"), keys, false);
    b.append("<h2>Audit trail</h2>\n<p>")
        .append(
            intact.valid()
                ? "The log verifies: hash chain and signed head (" + intact.entries() + " entries)."
                : "<span class=\"bad\">The audit log is NOT intact: "
                    + esc(intact.reason())
                    + "</span>")
        .append(" Newest first, the last ")
        .append(Math.min(AUDIT_SHOWN, audit.size()))
        .append(".</p>\n");
    List<List<String>> rows = new ArrayList<>();
    for (int i = audit.size() - 1; i >= 0 && rows.size() < AUDIT_SHOWN; i--) {
      AuditEntry e = audit.get(i);
      rows.add(
          List.of(
              e.time().toString(),
              Long.toString(e.sequence()),
              listing.who(e),
              e.event(),
              e.status().isEmpty() ? "—" : e.status(),
              e.port().isEmpty() ? e.detail() : listing.keys(e)));
    }
    section(b, null, List.of("time", "#", "who", "event", "result", "key or detail"), rows, false);
    b.append(
        "<h2>Compliance</h2>\n<p><a href=\"/compliance\">The compliance report</a>, signed by the module.</p>\n");
    return b.append("</body></html>\n").toString();
  }

  static String compliance(CryptoOfficerSession co) {
    return ComplianceHtml.render(ComplianceCommand.parse(co.complianceReport().document()));
  }

  private static String head(String title, String refreshSeconds) {
    return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        + (refreshSeconds.isEmpty()
            ? ""
            : "<meta http-equiv=\"refresh\" content=\"" + refreshSeconds + "\">")
        + "<title>"
        + esc(title)
        + "</title>"
        + STYLE
        + "</head>\n<body>\n";
  }

  private static String logout() {
    return "<form method=\"post\" action=\"/logout\"><button type=\"submit\">Log out</button></form>\n";
  }
}
