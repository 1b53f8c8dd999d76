package io.ihsm.sdk.audit;

import io.ihsm.ddi.audit.AuditFormat;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;

/**
 * Checks an exported audit log offline: every entry chains from the one before (SHA-384), the
 * sequence numbers run without a gap, and the signed head matches the last entry and verifies with
 * the device's audit key. Any edited, deleted, reordered or hand-appended entry fails, with the
 * first problem named. An export that begins after entry 0 (older entries were exported before and
 * rotated out) is valid, and says so: {@link Result#gap()} names what it does not hold. Uses only
 * the JDK.
 */
public final class AuditVerifier {
  /**
   * The outcome: valid, or the reason it is not; how many entries were checked, and the sequence
   * numbers of the first and last (-1 when none).
   */
  public record Result(boolean valid, String reason, int entries, long first, long last) {
    Result(boolean valid, String reason, int entries) {
      this(valid, reason, entries, -1, -1);
    }

    /**
     * What this export does not hold, in words, or empty: entries before its first one were rotated
     * out of the device after an earlier export, which must be kept to have them.
     */
    public String gap() {
      return first > 0
          ? "entries 0-"
              + (first - 1)
              + " are not in this export (rotated out after an earlier export)"
          : "";
    }
  }

  private AuditVerifier() {}

  /**
   * @param deviceKey the device's audit public key (SPKI DER) to pin
   */
  public static Result verify(byte[] export, byte[] deviceKey) {
    String[] lines = new String(export, StandardCharsets.UTF_8).split("\n");
    if (lines.length == 0 || !lines[lines.length - 1].startsWith("head|")) {
      return new Result(false, "the export has no signed head (truncated?)", 0);
    }
    byte[] prev = new byte[AuditFormat.HASH_BYTES];
    long expected = 0;
    long first = 0;
    int entries = 0;
    for (int i = 0; i < lines.length - 1; i++) {
      String[] f = lines[i].split("\\|", -1);
      if (i == 0 && f[0].equals("anchor") && f.length == 3) {
        expected = parse(f[1]) + 1;
        first = expected;
        prev = hex(f[2]);
        continue;
      }
      if (f.length != 5 || prev == null) {
        return new Result(false, "line " + (i + 1) + ": not an audit entry", entries);
      }
      if (parse(f[0]) != expected) {
        return new Result(
            false,
            "line "
                + (i + 1)
                + ": sequence "
                + f[0]
                + " where "
                + expected
                + " was due (an entry was deleted, reordered or inserted)",
            entries);
      }
      byte[] hash = AuditFormat.chain(prev, f[0] + "|" + f[1] + "|" + f[2] + "|" + f[3]);
      if (!MessageDigest.isEqual(hash, hex(f[4]))) {
        return new Result(
            false, "line " + (i + 1) + ": the hash does not chain (the entry was edited)", entries);
      }
      prev = hash;
      expected++;
      entries++;
    }
    String[] head = lines[lines.length - 1].split("\\|", -1);
    if (head.length != 5
        || parse(head[1]) != expected - 1
        || !MessageDigest.isEqual(hex(head[2]), prev)) {
      return new Result(
          false,
          "the signed head does not match the last entry (entries appended or cut)",
          entries);
    }
    if (!MessageDigest.isEqual(hex(head[4]), deviceKey)) {
      return new Result(false, "the export is not signed by this device's audit key", entries);
    }
    try {
      PublicKey key =
          KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(deviceKey));
      Signature s = Signature.getInstance("SHA384withECDSA");
      s.initVerify(key);
      s.update(AuditFormat.headMessage(head[1], head[2]));
      if (!s.verify(hex(head[3]))) {
        return new Result(false, "the head signature does not verify", entries);
      }
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return new Result(false, "the head signature does not verify", entries);
    }
    return new Result(true, "", entries, entries == 0 ? -1 : first, expected - 1);
  }

  private static long parse(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static byte[] hex(String s) {
    try {
      return HexFormat.of().parseHex(s);
    } catch (IllegalArgumentException e) {
      return new byte[0];
    }
  }
}
