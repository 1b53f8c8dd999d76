package io.ihsm.cli;

import io.ihsm.ddi.key.Algorithm;
import io.ihsm.ddi.key.HashAlgorithm;
import io.ihsm.ddi.key.Operation;
import java.util.Locale;

/**
 * JCA algorithm names on the command line, turned into device operations. One deliberate difference
 * from SunJCE: for {@code RSA/ECB/OAEPWith<H>AndMGF1Padding} the MGF1 hash defaults to {@code <H>}
 * (as OpenSSL, PKCS#11 tools and most peers do), not SHA-1; {@code --mgf1-hash} sets it.
 */
final class JcaNames {
  private JcaNames() {}

  static HashAlgorithm hash(String name) {
    return switch (name.toUpperCase(Locale.ROOT).replace("-", "")) {
      case "SHA1" -> HashAlgorithm.SHA1;
      case "SHA256" -> HashAlgorithm.SHA256;
      case "SHA384" -> HashAlgorithm.SHA384;
      case "SHA512" -> HashAlgorithm.SHA512;
      default ->
          throw new CliFailure.Usage(
              "unknown hash " + name + " (SHA-1, SHA-256, SHA-384, SHA-512)");
    };
  }

  /** A signature or MAC algorithm; {@code pssHash} and {@code mgf1} apply to RSASSA-PSS. */
  static Operation signature(String alg, String pssHash, String mgf1, Integer saltLength) {
    String a = alg.trim();
    if (a.equals("NONEwithECDSA")) {
      return Operation.of(0, Algorithm.ECDSA, new byte[0]);
    }
    if (a.equals("RSASSA-PSS")) {
      HashAlgorithm h = hash(pssHash);
      HashAlgorithm m = mgf1 == null ? h : hash(mgf1);
      return Operation.of(0, Algorithm.RSA_PSS, new byte[0])
          .withPss(h, m, saltLength == null ? h.length() : saltLength);
    }
    if (a.equals("ML-DSA")
        || a.equals("ML-DSA-44")
        || a.equals("ML-DSA-65")
        || a.equals("ML-DSA-87")) {
      return Operation.of(0, Algorithm.ML_DSA, new byte[0]); // the key's kind is the parameter set
    }
    if (a.equals("AESCMAC") || a.equals("AES-CMAC")) {
      return Operation.of(0, Algorithm.AES_CMAC, new byte[0]);
    }
    if (a.startsWith("Hmac")) {
      hash(a.substring(4)); // validates the name; the key's kind fixes the hash
      return Operation.of(0, Algorithm.HMAC, new byte[0]);
    }
    int with = a.indexOf("with");
    if (with > 0) {
      HashAlgorithm h = hash(a.substring(0, with));
      String scheme = a.substring(with + 4);
      if (scheme.equals("ECDSA")) {
        return Operation.of(0, Algorithm.ECDSA, new byte[0]).withHash(h);
      }
      if (scheme.equals("RSA")) {
        return Operation.of(0, Algorithm.RSA_PKCS1, new byte[0]).withHash(h);
      }
      if (scheme.equals("RSA/PSS") || scheme.equals("RSAandMGF1")) {
        return Operation.of(0, Algorithm.RSA_PSS, new byte[0])
            .withPss(
                h, mgf1 == null ? h : hash(mgf1), saltLength == null ? h.length() : saltLength);
      }
    }
    throw new CliFailure.Usage(
        "unsupported signature algorithm "
            + alg
            + " (SHA256withECDSA, NONEwithECDSA, SHA256withRSA, RSASSA-PSS, HmacSHA256, AESCMAC,"
            + " ML-DSA, ...)");
  }

  /** A cipher transformation. */
  static Operation cipher(String transformation, String mgf1) {
    String t = transformation.trim();
    switch (t) {
      case "AES/GCM/NoPadding":
        return Operation.of(0, Algorithm.AES_GCM, new byte[0]);
      case "AES/CBC/PKCS5Padding", "AES/CBC/PKCS7Padding":
        return Operation.of(0, Algorithm.AES_CBC_PAD, new byte[0]);
      case "AES/CBC/NoPadding":
        return Operation.of(0, Algorithm.AES_CBC, new byte[0]);
      case "AES/XTS/NoPadding":
        return Operation.of(0, Algorithm.AES_XTS, new byte[0]);
      case "AES/ECB/NoPadding":
        return Operation.of(0, Algorithm.AES_ECB, new byte[0]);
      case "AES/CTR/NoPadding":
        return Operation.of(0, Algorithm.AES_CTR, new byte[0]);
      default:
        break;
    }
    String prefix = "RSA/ECB/OAEPWith";
    String suffix = "AndMGF1Padding";
    if (t.startsWith(prefix) && t.endsWith(suffix)) {
      HashAlgorithm h = hash(t.substring(prefix.length(), t.length() - suffix.length()));
      return Operation.of(0, Algorithm.RSA_OAEP, new byte[0])
          .withOaep(h, mgf1 == null ? h : hash(mgf1), new byte[0]);
    }
    if (t.equals("RSA/ECB/OAEPPadding")) {
      HashAlgorithm m = mgf1 == null ? HashAlgorithm.SHA1 : hash(mgf1);
      return Operation.of(0, Algorithm.RSA_OAEP, new byte[0])
          .withOaep(HashAlgorithm.SHA1, m, new byte[0]);
    }
    throw new CliFailure.Usage(
        "unsupported cipher "
            + transformation
            + " (AES/GCM/NoPadding, AES/CBC/PKCS5Padding, AES/CBC/NoPadding, AES/CTR/NoPadding, AES/ECB/NoPadding,"
            + " AES/XTS/NoPadding,"
            + " RSA/ECB/OAEPWithSHA-256AndMGF1Padding, ...)");
  }
}
