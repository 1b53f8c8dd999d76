package io.ihsm.cli;

import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The command line's spellings of key kinds and usages. They are the CLI's own (the SDK speaks
 * {@code KeyType} and {@code KeyPurpose}); they are chosen to read as the text form that
 * attestation reports and the key store use, so what a user types is what they later read there
 * ({@code CliNamesTest} keeps the two equal).
 */
final class CliNames {
  private static final Map<String, KeyKind> KINDS = new LinkedHashMap<>();
  private static final Map<String, KeyUsage> USAGES = new LinkedHashMap<>();

  static {
    KINDS.put("aes-128", KeyKind.AES_128);
    KINDS.put("aes-192", KeyKind.AES_192);
    KINDS.put("aes-256", KeyKind.AES_256);
    KINDS.put("aes-xts-256", KeyKind.AES_XTS_256);
    KINDS.put("hmac-sha256", KeyKind.HMAC_SHA256);
    KINDS.put("hmac-sha384", KeyKind.HMAC_SHA384);
    KINDS.put("hmac-sha512", KeyKind.HMAC_SHA512);
    KINDS.put("ec-p256", KeyKind.EC_P256);
    KINDS.put("ec-p384", KeyKind.EC_P384);
    KINDS.put("ec-p521", KeyKind.EC_P521);
    KINDS.put("rsa-2048", KeyKind.RSA_2048);
    KINDS.put("rsa-3072", KeyKind.RSA_3072);
    KINDS.put("rsa-4096", KeyKind.RSA_4096);
    KINDS.put("ml-dsa-44", KeyKind.ML_DSA_44);
    KINDS.put("ml-dsa-65", KeyKind.ML_DSA_65);
    KINDS.put("ml-dsa-87", KeyKind.ML_DSA_87);
    KINDS.put("ml-kem-512", KeyKind.ML_KEM_512);
    KINDS.put("ml-kem-768", KeyKind.ML_KEM_768);
    KINDS.put("ml-kem-1024", KeyKind.ML_KEM_1024);
    USAGES.put("sign", KeyUsage.SIGN);
    USAGES.put("encrypt", KeyUsage.ENCRYPT);
    USAGES.put("wrap", KeyUsage.WRAP);
    USAGES.put("derive", KeyUsage.DERIVE);
  }

  private CliNames() {}

  /**
   * @throws CliFailure.Usage for a name the command line does not know, listing the ones it does
   */
  static KeyKind kind(String name) {
    KeyKind k = KINDS.get(name);
    if (k == null) {
      throw new CliFailure.Usage(
          "unknown key kind " + name + "; one of " + String.join(", ", KINDS.keySet()));
    }
    return k;
  }

  /**
   * @throws CliFailure.Usage for a name the command line does not know, listing the ones it does
   */
  static KeyUsage usage(String name) {
    KeyUsage u = USAGES.get(name);
    if (u == null) {
      throw new CliFailure.Usage(
          "unknown usage " + name + "; one of " + String.join(", ", USAGES.keySet()));
    }
    return u;
  }

  static String of(KeyKind kind) {
    return KINDS.entrySet().stream()
        .filter(e -> e.getValue() == kind)
        .map(Map.Entry::getKey)
        .findFirst()
        .orElse(kind.textName()); // a generic secret, made only by derivation
  }

  static String of(KeyUsage usage) {
    return USAGES.entrySet().stream()
        .filter(e -> e.getValue() == usage)
        .map(Map.Entry::getKey)
        .findFirst()
        .orElseThrow();
  }
}
