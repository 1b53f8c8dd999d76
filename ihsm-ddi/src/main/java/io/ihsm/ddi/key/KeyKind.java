package io.ihsm.ddi.key;

/** Every kind of key the device holds, with its stable wire number (u8) and its CLI name. */
public enum KeyKind {
  AES_128(1, "aes-128", Family.AES, 16),
  AES_192(2, "aes-192", Family.AES, 24),
  AES_256(3, "aes-256", Family.AES, 32),
  /** Two AES-256 halves: data key and tweak key. */
  AES_XTS_256(4, "aes-xts-256", Family.AES_XTS, 64),
  HMAC_SHA256(5, "hmac-sha256", Family.HMAC, 32),
  HMAC_SHA384(6, "hmac-sha384", Family.HMAC, 48),
  HMAC_SHA512(7, "hmac-sha512", Family.HMAC, 64),
  EC_P256(8, "ec-p256", Family.EC, 32),
  EC_P384(9, "ec-p384", Family.EC, 48),
  EC_P521(10, "ec-p521", Family.EC, 66),
  RSA_2048(11, "rsa-2048", Family.RSA, 256),
  RSA_3072(12, "rsa-3072", Family.RSA, 384),
  RSA_4096(13, "rsa-4096", Family.RSA, 512),
  /** A generic secret (an ECDH shared secret, a KDF output): usable only to derive. */
  SECRET(14, "secret", Family.SECRET, 0),
  /** ML-DSA (FIPS 204) at NIST security category 2, 3 and 5; sign only. */
  ML_DSA_44(15, "ml-dsa-44", Family.ML_DSA, 1312),
  ML_DSA_65(16, "ml-dsa-65", Family.ML_DSA, 1952),
  ML_DSA_87(17, "ml-dsa-87", Family.ML_DSA, 2592),
  /** ML-KEM (FIPS 203) at category 1, 3 and 5: decapsulation derives a secret inside the device. */
  ML_KEM_512(18, "ml-kem-512", Family.ML_KEM, 800),
  ML_KEM_768(19, "ml-kem-768", Family.ML_KEM, 1184),
  ML_KEM_1024(20, "ml-kem-1024", Family.ML_KEM, 1568);

  /** What a kind is, for the checks that do not care about its size. */
  public enum Family {
    AES,
    AES_XTS,
    HMAC,
    EC,
    RSA,
    SECRET,
    ML_DSA,
    ML_KEM
  }

  private final int code;
  private final String textName;
  private final Family family;
  private final int bytes;

  KeyKind(int code, String textName, Family family, int bytes) {
    this.code = code;
    this.textName = textName;
    this.family = family;
    this.bytes = bytes;
  }

  public int code() {
    return code;
  }

  /**
   * The stable text form ("ec-p256", "sign"), part of the formats: attestation claims, the host key
   * store's records and the device's reasons use it. Front ends parse their own spellings (the CLI
   * happens to use these; the SDK has {@code KeyType} and {@code KeyPurpose}).
   */
  public String textName() {
    return textName;
  }

  public Family family() {
    return family;
  }

  /**
   * Secret key length for symmetric kinds; field (EC) or modulus (RSA) size in bytes; the encoded
   * public key's size for ML-DSA and ML-KEM; 0 for SECRET.
   */
  public int bytes() {
    return bytes;
  }

  /**
   * The usages a key of this kind may have: the device's rule (docs/ddi.md "Keys"), which every
   * front end also reads, so none restates it.
   */
  public java.util.Set<KeyUsage> usages() {
    return switch (family) {
      case AES -> java.util.EnumSet.of(KeyUsage.SIGN, KeyUsage.ENCRYPT, KeyUsage.WRAP);
      case AES_XTS -> java.util.EnumSet.of(KeyUsage.ENCRYPT);
      case HMAC, EC -> java.util.EnumSet.of(KeyUsage.SIGN, KeyUsage.DERIVE);
      case RSA -> java.util.EnumSet.of(KeyUsage.SIGN, KeyUsage.ENCRYPT, KeyUsage.WRAP);
      case ML_DSA -> java.util.EnumSet.of(KeyUsage.SIGN);
      // An ML-KEM key decapsulates: it derives a shared secret from a ciphertext.
      case SECRET, ML_KEM -> java.util.EnumSet.of(KeyUsage.DERIVE);
    };
  }

  public boolean isAsymmetric() {
    return family == Family.EC
        || family == Family.RSA
        || family == Family.ML_DSA
        || family == Family.ML_KEM;
  }

  /** The JCA key algorithm of an asymmetric kind: "EC", "RSA", "ML-DSA" or "ML-KEM". */
  public String keyAlgorithm() {
    return switch (family) {
      case EC -> "EC";
      case RSA -> "RSA";
      case ML_DSA -> "ML-DSA";
      case ML_KEM -> "ML-KEM";
      default -> throw new IllegalStateException(this + " is not asymmetric");
    };
  }

  /** The ML-DSA or ML-KEM kind of a parameter set's JCA name ("ML-DSA-65"), if there is one. */
  public static java.util.Optional<KeyKind> ofParameterSet(String name) {
    for (KeyKind k : values()) {
      if ((k.family == Family.ML_DSA || k.family == Family.ML_KEM)
          && k.parameterSet().equals(name)) {
        return java.util.Optional.of(k);
      }
    }
    return java.util.Optional.empty();
  }

  /** The FIPS 203/204 parameter set of an ML-DSA or ML-KEM kind, as the JCA names it. */
  public String parameterSet() {
    return switch (this) {
      case ML_DSA_44 -> "ML-DSA-44";
      case ML_DSA_65 -> "ML-DSA-65";
      case ML_DSA_87 -> "ML-DSA-87";
      case ML_KEM_512 -> "ML-KEM-512";
      case ML_KEM_768 -> "ML-KEM-768";
      case ML_KEM_1024 -> "ML-KEM-1024";
      default -> throw new IllegalStateException(this + " is not an ML-DSA or ML-KEM kind");
    };
  }

  /** The size of an ML-KEM kind's ciphertext (FIPS 203 table 3), which every front end checks. */
  public int ciphertextBytes() {
    return switch (this) {
      case ML_KEM_512 -> 768;
      case ML_KEM_768 -> 1088;
      case ML_KEM_1024 -> 1568;
      default -> throw new IllegalStateException(this + " is not an ML-KEM kind");
    };
  }

  /** The JCA curve name of an EC kind. */
  public String curve() {
    return switch (this) {
      case EC_P256 -> "secp256r1";
      case EC_P384 -> "secp384r1";
      case EC_P521 -> "secp521r1";
      default -> throw new IllegalStateException(this + " is not an EC kind");
    };
  }

  public static KeyKind fromCode(int code) {
    for (KeyKind k : values()) {
      if (k.code == code) {
        return k;
      }
    }
    return null;
  }

  public static KeyKind fromTextName(String name) {
    for (KeyKind k : values()) {
      if (k.textName.equals(name)) {
        return k;
      }
    }
    return null;
  }
}
