package io.ihsm.sdk.audit;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One entry of an exported audit log, read for people and SIEMs: who (the port: the Crypto
 * Officer's management port or a partition's), what (the event), which key (version, id, state,
 * label), and the result (the device's status). The raw detail is kept as the device wrote it.
 * Parsing reads only; check the export with {@link AuditVerifier} first (docs/ddi.md, "Audit log").
 *
 * @param partitionId the partition whose port made the request, or -1 (management port, or an event
 *     of the module itself)
 * @param session the session id in hex, or empty
 * @param status the device's status for a request, or empty for events of the module
 * @param keys the keys the entry names, in order (a rotation names the old version, then the new)
 * @param label the key's label, or empty
 */
public record AuditEntry(
    long sequence,
    Instant time,
    String event,
    String port,
    int partitionId,
    String session,
    String status,
    List<KeyMention> keys,
    String label,
    String detail) {

  /** A key as an entry names it: version, 16-byte id in hex, and the state it is left in. */
  public record KeyMention(int version, String id, String state) {}

  private static final Pattern PORT = Pattern.compile("^(management|partition-(\\d+)) ");
  private static final Pattern SESSION = Pattern.compile("\\bsession=([0-9a-f]+)\\b");
  private static final Pattern STATUS = Pattern.compile("\\bstatus=([A-Z_]+)\\b");
  private static final Pattern KEY =
      Pattern.compile("\\b(?:key|next)=v(\\d{1,9}) ([0-9a-f]{32}) ([a-z-]+)");
  private static final Pattern LABEL = Pattern.compile("\\blabel=([A-Za-z0-9._-]{1,64})\\b");

  public AuditEntry {
    keys = List.copyOf(keys);
  }

  /** Whether a partition's port made this request. */
  public boolean byPartition() {
    return partitionId >= 0;
  }

  /** Whether the Crypto Officer's management port made this request. */
  public boolean byCryptoOfficer() {
    return "management".equals(port);
  }

  /**
   * The entries of an export, oldest first (the anchor and the signed head are not entries).
   *
   * @throws IllegalArgumentException naming the first line that is not an entry
   */
  public static List<AuditEntry> parseExport(byte[] export) {
    List<AuditEntry> entries = new ArrayList<>();
    String[] lines = new String(export, StandardCharsets.UTF_8).split("\n");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.isEmpty() || line.startsWith("anchor|") || line.startsWith("head|")) {
        continue;
      }
      Optional<AuditEntry> e = parse(line);
      if (e.isEmpty()) {
        throw new IllegalArgumentException("line " + (i + 1) + " is not an audit entry");
      }
      entries.add(e.get());
    }
    return entries;
  }

  /** One line {@code seq|millis|EVENT|detail|hash}, or empty when it is not one. */
  public static Optional<AuditEntry> parse(String line) {
    String[] f = line.split("\\|", -1);
    if (f.length != 5 || !f[0].matches("\\d{1,18}") || !f[1].matches("\\d{1,18}")) {
      return Optional.empty();
    }
    String detail = f[3];
    Matcher port = PORT.matcher(detail);
    String portName = "";
    int partition = -1;
    if (port.find()) {
      portName = port.group(1);
      if (port.group(2) != null) {
        try {
          partition = Integer.parseInt(port.group(2));
        } catch (NumberFormatException tooLong) {
          return Optional.empty();
        }
      }
    }
    List<KeyMention> keys = new ArrayList<>();
    Matcher k = KEY.matcher(detail);
    while (k.find()) {
      keys.add(new KeyMention(Integer.parseInt(k.group(1)), k.group(2), k.group(3)));
    }
    return Optional.of(
        new AuditEntry(
            Long.parseLong(f[0]),
            Instant.ofEpochMilli(Long.parseLong(f[1])),
            f[2],
            portName,
            partition,
            group(SESSION, detail),
            group(STATUS, detail),
            keys,
            group(LABEL, detail),
            detail));
  }

  private static String group(Pattern p, String s) {
    Matcher m = p.matcher(s);
    return m.find() ? m.group(1) : "";
  }
}
