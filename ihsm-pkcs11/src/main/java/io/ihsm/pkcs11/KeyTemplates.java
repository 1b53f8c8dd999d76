package io.ihsm.pkcs11;

import static io.ihsm.pkcs11.Ck.*;

import io.ihsm.ddi.key.GenerateKeyRequest;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.pkcs11.object.KeyObjects;
import io.ihsm.pkcs11.wire.Template;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Reads the templates of key generation, unwrapping and derivation, and refuses what the device
 * cannot honour rather than quietly ignoring it: a partition key has exactly one usage (sign,
 * encrypt, wrap or derive) and is always sensitive.
 */
final class KeyTemplates {
  private KeyTemplates() {}

  /** Attributes a key template may hold (values the module checks or keeps). */
  private static final Set<Long> ALLOWED =
      Set.of(
          CKA_CLASS,
          CKA_KEY_TYPE,
          CKA_TOKEN,
          CKA_PRIVATE,
          CKA_MODIFIABLE,
          CKA_COPYABLE,
          CKA_DESTROYABLE,
          CKA_LABEL,
          CKA_ID,
          CKA_SUBJECT,
          CKA_START_DATE,
          CKA_END_DATE,
          CKA_SENSITIVE,
          CKA_EXTRACTABLE,
          CKA_SIGN,
          CKA_VERIFY,
          CKA_ENCRYPT,
          CKA_DECRYPT,
          CKA_WRAP,
          CKA_UNWRAP,
          CKA_DERIVE,
          CKA_SIGN_RECOVER,
          CKA_VERIFY_RECOVER,
          CKA_ALWAYS_AUTHENTICATE,
          CKA_WRAP_WITH_TRUSTED,
          CKA_TRUSTED,
          CKA_MODULUS_BITS,
          CKA_PUBLIC_EXPONENT,
          CKA_EC_PARAMS,
          CKA_VALUE_LEN,
          CKA_PARAMETER_SET,
          CKA_ENCAPSULATE,
          CKA_DECAPSULATE);

  /** Attributes the module computes: a template may not set them. */
  private static final Set<Long> COMPUTED =
      Set.of(
          CKA_LOCAL,
          CKA_ALWAYS_SENSITIVE,
          CKA_NEVER_EXTRACTABLE,
          CKA_KEY_GEN_MECHANISM,
          CKA_MODULUS,
          CKA_EC_POINT,
          CKA_VALUE,
          CKA_PUBLIC_KEY_INFO,
          CKA_PRIVATE_EXPONENT,
          CKA_PRIME_1,
          CKA_PRIME_2,
          CKA_EXPONENT_1,
          CKA_EXPONENT_2,
          CKA_COEFFICIENT,
          CKA_UNIQUE_ID);

  /** Checks a template for a new object of class {@code cls}. */
  static void check(Template t, long cls, long keyType) {
    for (Template.Attribute a : t.attributes()) {
      if (COMPUTED.contains(a.type())) {
        throw new CkException(
            CKR_ATTRIBUTE_READ_ONLY,
            "attribute 0x" + Long.toHexString(a.type()) + " is set by the module");
      }
      if (!ALLOWED.contains(a.type())) {
        throw new CkException(
            CKR_ATTRIBUTE_TYPE_INVALID,
            "attribute 0x" + Long.toHexString(a.type()) + " is not one a key takes");
      }
    }
    Long c = t.ulong(CKA_CLASS);
    if (c != null && c != cls) {
      throw new CkException(CKR_TEMPLATE_INCONSISTENT, "CKA_CLASS does not fit this mechanism");
    }
    Long k = t.ulong(CKA_KEY_TYPE);
    if (k != null && keyType >= 0 && k != keyType) {
      throw new CkException(CKR_TEMPLATE_INCONSISTENT, "CKA_KEY_TYPE does not fit this mechanism");
    }
    boolean postQuantum =
        keyType == CKK_ML_DSA
            || keyType == CKK_ML_KEM
            || (k != null && (k == CKK_ML_DSA || k == CKK_ML_KEM));
    if (t.value(CKA_PARAMETER_SET) != null && !postQuantum) {
      throw new CkException(
          CKR_TEMPLATE_INCONSISTENT, "CKA_PARAMETER_SET belongs to ML-DSA and ML-KEM keys");
    }
    boolean secretPart = cls == CKO_PRIVATE_KEY || cls == CKO_SECRET_KEY;
    // A value the module never gives an attribute is CKR_ATTRIBUTE_VALUE_INVALID (docs/pkcs11.md,
    // "Objects").
    if (secretPart && (!t.bool(CKA_SENSITIVE, true) || !t.bool(CKA_PRIVATE, true))) {
      throw new CkException(
          CKR_ATTRIBUTE_VALUE_INVALID, "private and secret keys are always sensitive and private");
    }
    for (long never :
        new long[] {
          CKA_SIGN_RECOVER,
          CKA_VERIFY_RECOVER,
          CKA_ALWAYS_AUTHENTICATE,
          CKA_WRAP_WITH_TRUSTED,
          CKA_TRUSTED
        }) {
      if (t.bool(never, false)) {
        throw new CkException(
            CKR_ATTRIBUTE_VALUE_INVALID,
            "attribute 0x" + Long.toHexString(never) + " cannot be true here");
      }
    }
    for (long always : new long[] {CKA_MODIFIABLE, CKA_COPYABLE, CKA_DESTROYABLE}) {
      if (!t.bool(always, true)) {
        throw new CkException(
            CKR_ATTRIBUTE_VALUE_INVALID,
            "attribute 0x" + Long.toHexString(always) + " cannot be false here");
      }
    }
  }

  /**
   * The one usage the templates ask for; none asked gives the kind's default (sign for EC, RSA and
   * HMAC; encrypt for AES; derive for a generic secret).
   */
  static KeyUsage usage(KeyKind kind, Template... templates) {
    EnumSet<KeyUsage> asked = EnumSet.noneOf(KeyUsage.class);
    EnumSet<KeyUsage> refused = EnumSet.noneOf(KeyUsage.class);
    Map<KeyUsage, long[]> flags =
        Map.of(
            KeyUsage.SIGN,
            new long[] {CKA_SIGN, CKA_VERIFY},
            KeyUsage.ENCRYPT,
            new long[] {CKA_ENCRYPT, CKA_DECRYPT},
            KeyUsage.WRAP,
            new long[] {CKA_WRAP, CKA_UNWRAP},
            KeyUsage.DERIVE,
            new long[] {CKA_DERIVE});
    for (Template t : templates) {
      flags.forEach(
          (usage, attrs) ->
              Arrays.stream(attrs)
                  .forEach(
                      a -> {
                        Boolean b = t.bool(a);
                        if (b != null) {
                          (b ? asked : refused).add(usage);
                        }
                      }));
    }
    // An ML-KEM key's one usage, decapsulation, is its derive usage; no other key encapsulates.
    for (Template t : templates) {
      for (long a : new long[] {CKA_ENCAPSULATE, CKA_DECAPSULATE}) {
        Boolean b = t.bool(a);
        if (b != null && kind.family() != KeyKind.Family.ML_KEM) {
          if (b) {
            throw new CkException(
                CKR_TEMPLATE_INCONSISTENT, "only ML-KEM keys encapsulate and decapsulate");
          }
        } else if (b != null) {
          (b ? asked : refused).add(KeyUsage.DERIVE);
        }
      }
    }
    if (asked.size() > 1) {
      throw new CkException(
          CKR_TEMPLATE_INCONSISTENT,
          "a partition key has one usage (sign, encrypt, wrap or derive); this template asks for "
              + asked);
    }
    KeyUsage u = asked.isEmpty() ? defaultUsage(kind) : asked.iterator().next();
    if (refused.contains(u) || !allowed(kind).contains(u)) {
      throw new CkException(
          CKR_TEMPLATE_INCONSISTENT,
          "a " + kind.textName() + " key cannot have usage " + u.textName());
    }
    return u;
  }

  static KeyObjects.Naming naming(Template t) {
    return new KeyObjects.Naming(
        orEmpty(t.value(CKA_LABEL)),
        orEmpty(t.value(CKA_ID)),
        orEmpty(t.value(CKA_SUBJECT)),
        t.bool(CKA_TOKEN, false));
  }

  static byte[] orEmpty(byte[] b) {
    return b == null ? new byte[0] : b;
  }

  private static KeyUsage defaultUsage(KeyKind kind) {
    return switch (kind.family()) {
      case AES, AES_XTS -> KeyUsage.ENCRYPT;
      case SECRET, ML_KEM -> KeyUsage.DERIVE;
      default -> KeyUsage.SIGN;
    };
  }

  private static Set<KeyUsage> allowed(KeyKind kind) {
    return kind.usages();
  }

  /** The EC kind a CKA_EC_PARAMS names (a named curve's OID). */
  static KeyKind ecKind(byte[] params) {
    if (params == null) {
      throw new CkException(CKR_TEMPLATE_INCOMPLETE, "an EC key needs CKA_EC_PARAMS");
    }
    return KeyObjects.EC_PARAMS.entrySet().stream()
        .filter(e -> Arrays.equals(e.getValue(), params))
        .map(Map.Entry::getKey)
        .findFirst()
        .orElseThrow(
            () ->
                new CkException(
                    CKR_ATTRIBUTE_VALUE_INVALID, "curves are P-256, P-384 and P-521 (named)"));
  }

  /**
   * The ML-DSA or ML-KEM kind CKA_PARAMETER_SET names in either template (PKCS#11 3.2 puts it in
   * the public one); both may give it, but then the same.
   */
  static KeyKind postQuantumKind(KeyKind.Family family, Template pub, Template priv) {
    Long p = pub.ulong(CKA_PARAMETER_SET);
    Long k = priv.ulong(CKA_PARAMETER_SET);
    if (p != null && k != null && !p.equals(k)) {
      throw new CkException(
          CKR_TEMPLATE_INCONSISTENT, "the two templates name different parameter sets");
    }
    Long set = p != null ? p : k;
    if (set == null) {
      throw new CkException(
          CKR_TEMPLATE_INCOMPLETE, "an " + family + " key pair needs CKA_PARAMETER_SET");
    }
    return KeyObjects.ofParameterSet(family, set);
  }

  static KeyKind rsaKind(Long bits) {
    if (bits == null) {
      throw new CkException(CKR_TEMPLATE_INCOMPLETE, "an RSA key needs CKA_MODULUS_BITS");
    }
    return switch (bits.intValue()) {
      case 2048 -> KeyKind.RSA_2048;
      case 3072 -> KeyKind.RSA_3072;
      case 4096 -> KeyKind.RSA_4096;
      default -> throw new CkException(CKR_KEY_SIZE_RANGE, "RSA keys are 2048, 3072 or 4096 bits");
    };
  }

  static KeyKind aesKind(Long bytes) {
    if (bytes == null) {
      throw new CkException(CKR_TEMPLATE_INCOMPLETE, "an AES key needs CKA_VALUE_LEN");
    }
    return switch (bytes.intValue()) {
      case 16 -> KeyKind.AES_128;
      case 24 -> KeyKind.AES_192;
      case 32 -> KeyKind.AES_256;
      default -> throw new CkException(CKR_KEY_SIZE_RANGE, "AES keys are 16, 24 or 32 bytes");
    };
  }

  /** The secret kind a template's CKA_KEY_TYPE (and CKA_VALUE_LEN) names. */
  static KeyKind secretKind(Template t) {
    Long type = t.ulong(CKA_KEY_TYPE);
    if (type == null) {
      throw new CkException(CKR_TEMPLATE_INCOMPLETE, "a secret key needs CKA_KEY_TYPE");
    }
    Long len = t.ulong(CKA_VALUE_LEN);
    KeyKind k;
    if (type == CKK_AES) {
      return aesKind(len);
    } else if (type == CKK_SHA256_HMAC) {
      k = KeyKind.HMAC_SHA256;
    } else if (type == CKK_SHA384_HMAC) {
      k = KeyKind.HMAC_SHA384;
    } else if (type == CKK_SHA512_HMAC) {
      k = KeyKind.HMAC_SHA512;
    } else if (type == CKK_GENERIC_SECRET) {
      return KeyKind.SECRET;
    } else {
      throw new CkException(
          CKR_TEMPLATE_INCONSISTENT, "secret keys here are AES, HMAC-SHA-2 or generic secrets");
    }
    if (len != null
        && (len < GenerateKeyRequest.MIN_HMAC_BYTES || len > GenerateKeyRequest.MAX_HMAC_BYTES)) {
      throw new CkException(
          CKR_KEY_SIZE_RANGE, "an HMAC key is 14 to 128 bytes (112 to 1024 bits)");
    }
    return k;
  }
}
