package io.ihsm.firmware.keys;

import io.ihsm.ddi.key.HashAlgorithm;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;

/**
 * The DER DigestInfo a pre-hashed RSASSA-PKCS1-v1_5 input must be (RFC 8017, section 9.2, note 1):
 * a fixed prefix naming the hash, then the digest. Knowing the hash lets approved-only mode refuse
 * SHA-1 here as it does for a hash the device computes itself.
 */
final class DigestInfo {
  private static final Map<HashAlgorithm, byte[]> PREFIXES =
      Map.of(
          HashAlgorithm.SHA1, HexFormat.of().parseHex("3021300906052b0e03021a05000414"),
          HashAlgorithm.SHA256, HexFormat.of().parseHex("3031300d060960864801650304020105000420"),
          HashAlgorithm.SHA384, HexFormat.of().parseHex("3041300d060960864801650304020205000430"),
          HashAlgorithm.SHA512, HexFormat.of().parseHex("3051300d060960864801650304020305000440"));

  private DigestInfo() {}

  /**
   * The hash a DigestInfo names, or null when {@code input} is not exactly one for
   * SHA-1/256/384/512.
   */
  static HashAlgorithm hashOf(byte[] input) {
    for (Map.Entry<HashAlgorithm, byte[]> e : PREFIXES.entrySet()) {
      byte[] prefix = e.getValue();
      if (input.length == prefix.length + e.getKey().length()
          && Arrays.equals(input, 0, prefix.length, prefix, 0, prefix.length)) {
        return e.getKey();
      }
    }
    return null;
  }
}
