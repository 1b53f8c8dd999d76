package io.ihsm.cli;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/** PEM (RFC 7468) blocks: written for keys and certificates, accepted wherever DER is. */
final class Pem {
  private Pem() {}

  /** One PEM block of {@code type} ("PUBLIC KEY", "CERTIFICATE", ...) around {@code der}. */
  static String encode(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  /** A chain given root first, written leaf first without the root (which is pinned separately). */
  static String chainWithoutRoot(List<byte[]> rootFirst) {
    StringBuilder pem = new StringBuilder();
    for (int i = rootFirst.size() - 1; i >= 1; i--) {
      pem.append(encode("CERTIFICATE", rootFirst.get(i)));
    }
    return pem.toString();
  }

  /**
   * The DER inside a PEM block of this type, or the bytes themselves when they are not PEM. A PEM
   * block of another type, an unterminated block or bad base64 is refused, never passed on as
   * bytes.
   */
  static byte[] derOrPem(byte[] bytes, String type) {
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    int any = text.indexOf("-----BEGIN ");
    if (any < 0) {
      return bytes;
    }
    String begin = "-----BEGIN " + type + "-----";
    int at = text.indexOf(begin);
    if (at < 0) {
      int typeEnd = text.indexOf("-----", any + 11);
      String found =
          typeEnd < 0
              ? "an unterminated header"
              : "'" + text.substring(any + 11, Math.min(typeEnd, any + 60)) + "'";
      throw new CliFailure("expected a PEM '" + type + "', found " + found);
    }
    // The END line is searched after the BEGIN line: they may share dashes ("...KEY-----END PRIVATE
    // KEY-----").
    int end = text.indexOf("-----END " + type + "-----", at + begin.length());
    if (end < 0) {
      throw new CliFailure("unterminated PEM block " + type);
    }
    String body = text.substring(at + begin.length(), end).replaceAll("[\\r\\n\\t ]", "");
    try {
      return Base64.getDecoder().decode(body);
    } catch (IllegalArgumentException e) {
      throw new CliFailure("the PEM " + type + " block is not valid base64");
    }
  }
}
