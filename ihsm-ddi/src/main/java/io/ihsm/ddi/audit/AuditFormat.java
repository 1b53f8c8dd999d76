package io.ihsm.ddi.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The exported audit log's chain rule and signed head, shared by the module that writes the log and
 * the verifier that checks it (docs/ddi.md, "Audit log").
 */
public final class AuditFormat {
  /** What the first entry chains from: 48 zero bytes. */
  public static final int HASH_BYTES = 48;

  private AuditFormat() {}

  /** An entry's hash: SHA-384(previous hash || the entry's "seq|millis|EVENT|detail" in UTF-8). */
  public static byte[] chain(byte[] previous, String body) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-384");
      d.update(previous);
      d.update(body.getBytes(StandardCharsets.UTF_8));
      return d.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-384 is missing from this JDK", e);
    }
  }

  /** What the head signature covers: "ihsm audit head|seq|hash" in UTF-8. */
  public static byte[] headMessage(String seq, String hashHex) {
    return ("ihsm audit head|" + seq + "|" + hashHex).getBytes(StandardCharsets.UTF_8);
  }
}
