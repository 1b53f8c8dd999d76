package io.ihsm.cli;

import io.ihsm.ddi.json.Json;
import io.ihsm.sdk.audit.AuditEntry;
import io.ihsm.sdk.store.HostKeyStore;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Audit entries as `ihsm audit list` and the console show them: a partition's port named by the
 * partition's name from the host key store, keys as label#version, one line or one JSON object.
 */
final class AuditListing {
  private final Map<Integer, String> partitionNames = new HashMap<>();

  AuditListing(HostKeyStore store) {
    for (String name : store.partitions()) {
      store.partition(name).ifPresent(p -> partitionNames.put(p.id(), name));
    }
  }

  /** The device id of a partition this home knows, or a failure naming it. */
  int partitionId(String name) {
    for (var e : partitionNames.entrySet()) {
      if (e.getValue().equals(name)) {
        return e.getKey();
      }
    }
    throw new CliFailure("no partition named " + name + " in this home's key store");
  }

  /** Who made the request: device (the module itself), crypto-officer, or partition NAME. */
  String who(AuditEntry e) {
    if (e.byPartition()) {
      return "partition " + partitionNames.getOrDefault(e.partitionId(), "#" + e.partitionId());
    }
    return e.byCryptoOfficer() ? "crypto-officer" : "device";
  }

  /** The keys an entry names, as {@code label#version state (id ID)}, comma-separated, or "—". */
  String keys(AuditEntry e) {
    if (e.keys().isEmpty()) {
      return "—";
    }
    StringBuilder b = new StringBuilder();
    for (AuditEntry.KeyMention k : e.keys()) {
      if (b.length() > 0) {
        b.append(", ");
      }
      b.append(e.label().isEmpty() ? "(no label)" : e.label())
          .append('#')
          .append(k.version())
          .append(' ')
          .append(k.state())
          .append(" (id ")
          .append(k.id())
          .append(')');
    }
    return b.toString();
  }

  String line(AuditEntry e) {
    StringBuilder b =
        new StringBuilder()
            .append(e.time())
            .append("  #")
            .append(e.sequence())
            .append("  ")
            .append(who(e))
            .append("  ")
            .append(e.event());
    if (!e.status().isEmpty()) {
      b.append("  ").append(e.status());
    }
    if (!e.keys().isEmpty()) {
      b.append("  key ").append(keys(e));
    } else if (e.port().isEmpty()) {
      b.append("  ").append(e.detail());
    }
    return b.toString();
  }

  String json(AuditEntry e) {
    List<Json> keys =
        e.keys().stream()
            .map(
                k ->
                    new Json()
                        .put("label", e.label().isEmpty() ? null : e.label())
                        .put("version", k.version())
                        .put("id", k.id())
                        .put("state", k.state()))
            .toList();
    return new Json()
        .put("seq", e.sequence())
        .put("time", e.time().toString())
        .put("event", e.event())
        .put(
            "who",
            e.byPartition() ? "partition" : e.byCryptoOfficer() ? "crypto-officer" : "device")
        .put("partition", e.byPartition() ? partitionNames.get(e.partitionId()) : null)
        .put("partitionId", e.byPartition() ? e.partitionId() : null)
        .put("session", e.session().isEmpty() ? null : e.session())
        .put("result", e.status().isEmpty() ? null : e.status())
        .put("keys", keys)
        .put("detail", e.detail())
        .toString();
  }

  /** --since: an instant, a date (midnight UTC) or an age before {@code now}; else exit 2. */
  static Instant since(String text, Instant now) {
    try {
      if (text.matches("\\d{1,6}[smhd]")) {
        long n = Long.parseLong(text.substring(0, text.length() - 1));
        Duration age =
            switch (text.charAt(text.length() - 1)) {
              case 's' -> Duration.ofSeconds(n);
              case 'm' -> Duration.ofMinutes(n);
              case 'h' -> Duration.ofHours(n);
              default -> Duration.ofDays(n);
            };
        return now.minus(age);
      }
      if (text.matches("\\d{4}-\\d{2}-\\d{2}")) {
        return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
      }
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new CliFailure.Usage(
          "--since takes an instant (2026-12-07T08:00:00Z), a date (2026-12-07) or an age (30m, 2h, 7d): "
              + text);
    }
  }

  /** --type: event names, upper case; a name that cannot be an event exits 2. */
  static Set<String> events(List<String> types) {
    Set<String> events = new LinkedHashSet<>();
    for (String t : types) {
      String name = t.strip().toUpperCase(Locale.ROOT);
      if (!name.matches("[A-Z][A-Z0-9_]{0,63}")) {
        throw new CliFailure.Usage("--type takes event names such as GENERATE_KEY or STATE: " + t);
      }
      events.add(name);
    }
    return events;
  }
}
