package io.ihsm.ddi.key;

import java.util.EnumSet;
import java.util.Set;

/**
 * The algorithms of sign/verify/encrypt/decrypt/mac/wrap requests, with the key families they take
 * and the {@link Operation} fields they read. Wire numbers (u8) are stable.
 */
public enum Algorithm {
  /**
   * ECDSA over a message hashed with {@code hash}, or over a digest given as data when hash is
   * NONE.
   */
  ECDSA(1, EnumSet.of(KeyKind.Family.EC), EnumSet.of(Operation.Field.HASH)),
  RSA_PKCS1(2, EnumSet.of(KeyKind.Family.RSA), EnumSet.of(Operation.Field.HASH)),
  RSA_PSS(
      3,
      EnumSet.of(KeyKind.Family.RSA),
      EnumSet.of(Operation.Field.HASH, Operation.Field.MGF1_HASH, Operation.Field.SALT_LENGTH)),
  /** HMAC with the hash of the key's kind. */
  HMAC(4, EnumSet.of(KeyKind.Family.HMAC), EnumSet.noneOf(Operation.Field.class)),
  /**
   * AES-GCM, 128-bit tag; encryption IVs are chosen by the device, decryption takes the caller's.
   */
  AES_GCM(5, EnumSet.of(KeyKind.Family.AES), EnumSet.of(Operation.Field.IV, Operation.Field.AAD)),
  AES_CBC(6, EnumSet.of(KeyKind.Family.AES), EnumSet.of(Operation.Field.IV)),
  AES_CBC_PAD(7, EnumSet.of(KeyKind.Family.AES), EnumSet.of(Operation.Field.IV)),
  /** AES-XTS; the IV is the 16-byte tweak of the first data unit, incremented per unit. */
  AES_XTS(
      8,
      EnumSet.of(KeyKind.Family.AES_XTS),
      EnumSet.of(Operation.Field.IV, Operation.Field.DATA_UNIT)),
  /** RSA-OAEP; the AAD field carries the OAEP label. */
  RSA_OAEP(
      9,
      EnumSet.of(KeyKind.Family.RSA),
      EnumSet.of(Operation.Field.HASH, Operation.Field.MGF1_HASH, Operation.Field.AAD)),
  AES_KW(10, EnumSet.of(KeyKind.Family.AES), EnumSet.noneOf(Operation.Field.class)),
  AES_KWP(11, EnumSet.of(KeyKind.Family.AES), EnumSet.noneOf(Operation.Field.class)),
  /**
   * RSASSA-PSS whose data is the digest the caller computed with {@code hash} (PKCS#11
   * CKM_RSA_PKCS_PSS).
   */
  RSA_PSS_DIGEST(
      12,
      EnumSet.of(KeyKind.Family.RSA),
      EnumSet.of(Operation.Field.HASH, Operation.Field.MGF1_HASH, Operation.Field.SALT_LENGTH)),
  /**
   * Key wrapping under an RSA key (PKCS#11 CKM_RSA_AES_KEY_WRAP): RSA-OAEP (SHA-256, MGF1-SHA-256,
   * no label) of a one-time AES-256 key, then AES-KWP of the key under it.
   */
  RSA_AES_KW(13, EnumSet.of(KeyKind.Family.RSA), EnumSet.noneOf(Operation.Field.class)),
  /** AES-ECB, no padding: whole blocks, each on its own (key check values, building blocks). */
  AES_ECB(14, EnumSet.of(KeyKind.Family.AES), EnumSet.noneOf(Operation.Field.class)),
  /**
   * AES-CTR; the IV is the 16-byte initial counter block, incremented as a 128-bit big-endian
   * number.
   */
  AES_CTR(15, EnumSet.of(KeyKind.Family.AES), EnumSet.of(Operation.Field.IV)),
  /**
   * AES-CMAC (SP 800-38B), a 16-byte tag; verification takes a tag truncated to no fewer than 8
   * bytes.
   */
  AES_CMAC(16, EnumSet.of(KeyKind.Family.AES), EnumSet.noneOf(Operation.Field.class)),
  /** ML-DSA (FIPS 204), pure: the message itself is signed, with an empty context, hedged. */
  ML_DSA(17, EnumSet.of(KeyKind.Family.ML_DSA), EnumSet.noneOf(Operation.Field.class));

  private final int code;
  private final Set<KeyKind.Family> families;
  private final Set<Operation.Field> fields;

  Algorithm(int code, Set<KeyKind.Family> families, Set<Operation.Field> fields) {
    this.code = code;
    this.families = families;
    this.fields = fields;
  }

  public int code() {
    return code;
  }

  public boolean takes(KeyKind kind) {
    return families.contains(kind.family());
  }

  /** The optional fields this algorithm reads; the others must be empty or zero. */
  public Set<Operation.Field> fields() {
    return fields;
  }

  public static Algorithm fromCode(int code) {
    return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
  }

  /** Wire number to algorithm (u8): read on every operation, so an array, not a search. */
  private static final Algorithm[] BY_CODE = new Algorithm[256];

  static {
    for (Algorithm a : values()) {
      BY_CODE[a.code] = a;
    }
  }
}
