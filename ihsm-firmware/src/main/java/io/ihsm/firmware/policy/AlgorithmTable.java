package io.ihsm.firmware.policy;

import java.util.List;

/**
 * The module's algorithms and their approval status, as the compliance report lists them. The same
 * table is in docs/compliance.md ("Algorithms and parameters"); a test keeps the two equal. The
 * rule that enforces it is {@code KeyOperations.approved} and {@link ApprovedMode}.
 */
public final class AlgorithmTable {
  private AlgorithmTable() {}

  /**
   * {@code status}: "approved", "non-approved" (served only outside approved-only mode), "not
   * offered", or a note.
   */
  public record Row(String algorithm, String parameters, String status) {}

  public static final List<Row> ROWS =
      List.of(
          new Row("AES (FIPS 197)", "128, 192, 256-bit keys", "approved"),
          new Row(
              "AES-GCM (SP 800-38D)",
              "96-bit IV chosen by the module's DRBG, 128-bit tag",
              "approved"),
          new Row("AES-GCM encryption", "IV chosen by the caller", "non-approved"),
          new Row(
              "AES-CBC, AES-CBC with PKCS#7 padding (SP 800-38A)",
              "128-bit IV, the caller's or random",
              "approved"),
          new Row("AES-ECB (SP 800-38A)", "whole blocks, no padding", "approved"),
          new Row(
              "AES-CTR (SP 800-38A)",
              "128-bit initial counter block, the caller's or random",
              "approved"),
          new Row(
              "AES-CMAC (SP 800-38B)",
              "128, 192, 256-bit keys; verify takes tags of ≥ 8 bytes",
              "approved"),
          new Row(
              "AES-XTS (SP 800-38E)",
              "256-bit keys (two different halves), data units of whole blocks",
              "approved"),
          new Row("AES-KW, AES-KWP (SP 800-38F)", "key wrapping only", "approved"),
          new Row(
              "HMAC (FIPS 198-1)",
              "SHA-256, SHA-384, SHA-512; verify takes tags of ≥ 10 bytes",
              "approved"),
          new Row("SHA-2 (FIPS 180-4)", "SHA-256, SHA-384, SHA-512", "approved"),
          new Row(
              "ECDSA (FIPS 186-5)",
              "P-256, P-384, P-521; SHA-256/384/512 or a pre-hashed digest of that size",
              "approved"),
          new Row(
              "RSASSA-PKCS1-v1_5, RSASSA-PSS (FIPS 186-5)",
              "2048, 3072, 4096-bit moduli; SHA-256/384/512 (PSS: MGF1 with SHA-256/384/512)",
              "approved"),
          new Row(
              "ECDSA, RSASSA-PKCS1-v1_5, RSASSA-PSS",
              "SHA-1 as hash (or as MGF1 hash)",
              "non-approved"),
          new Row(
              "RSA-OAEP (SP 800-56B)",
              "2048, 3072, 4096 bits; SHA-1/256/384/512 and MGF1; optional label",
              "approved"),
          new Row("RSA below 2048 bits", "any", "not offered"),
          new Row(
              "ECDH (SP 800-56A)",
              "P-256, P-384, P-521, peer on the same curve and valid",
              "approved"),
          new Row("HKDF (SP 800-56C)", "SHA-256, SHA-384, SHA-512", "approved"),
          new Row(
              "ML-DSA (FIPS 204)",
              "ML-DSA-44, ML-DSA-65, ML-DSA-87; pure, hedged, empty context",
              "approved"),
          new Row(
              "ML-KEM (FIPS 203)",
              "ML-KEM-512, ML-KEM-768, ML-KEM-1024; decapsulation into a key that stays inside",
              "approved"),
          new Row("KBKDF counter mode, HMAC (SP 800-108)", "SHA-256, SHA-384, SHA-512", "approved"),
          new Row("CTR_DRBG (SP 800-90A)", "AES-256 with derivation function", "approved"),
          new Row(
              "Entropy source (SP 800-90B)",
              "claimed 1 bit of min-entropy per sample; RCT and APT",
              "see threat-model.md: the emulated noise source has no hardware behind it"),
          new Row(
              "MD5, SHA-1 hashing on its own, DES, 3DES, RSA PKCS#1 v1.5 encryption, curves other than the NIST P curves",
              "—",
              "not offered"));
}
