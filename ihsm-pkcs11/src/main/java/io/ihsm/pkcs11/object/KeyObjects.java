package io.ihsm.pkcs11.object;

import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyLifecycle;
import io.ihsm.ddi.key.KeyOrigin;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.ddi.key.PostQuantumKeys;
import io.ihsm.ddi.key.UnsignedBytes;
import io.ihsm.pkcs11.Ck;
import io.ihsm.pkcs11.CkException;
import io.ihsm.pkcs11.wire.Native;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The attributes of key objects, made from what the partition says about a key (kind, usage,
 * origin, extractability, public key). One partition key gives a private (or secret) key object
 * and, when asymmetric, a public key object; their usage flags follow the key's one usage.
 */
public final class KeyObjects {
  private KeyObjects() {}

  /** Named curves by their DER OID, as CKA_EC_PARAMS holds them. */
  public static final Map<KeyKind, byte[]> EC_PARAMS =
      Map.of(
          KeyKind.EC_P256, HexFormat.of().parseHex("06082a8648ce3d030107"),
          KeyKind.EC_P384, HexFormat.of().parseHex("06052b81040022"),
          KeyKind.EC_P521, HexFormat.of().parseHex("06052b81040023"));

  /** What a new key object's template says besides the key itself. */
  public record Naming(byte[] label, byte[] id, byte[] subject, boolean token) {}

  public static Map<Long, byte[]> privateKey(
      KeyKind kind, KeyUsage usage, KeyOrigin origin, boolean extractable, byte[] spki, Naming n) {
    Map<Long, byte[]> a = common(Ck.CKO_PRIVATE_KEY, kind, origin, n, true);
    a.put(Ck.CKA_DERIVE, Native.bool(derives(kind, usage)));
    if (kind.family() == KeyKind.Family.ML_KEM) {
      a.put(Ck.CKA_DECAPSULATE, Native.bool(usage == KeyUsage.DERIVE));
    }
    a.put(Ck.CKA_SUBJECT, n.subject());
    a.put(Ck.CKA_SENSITIVE, Native.bool(true));
    a.put(Ck.CKA_SIGN, Native.bool(usage == KeyUsage.SIGN));
    a.put(Ck.CKA_DECRYPT, Native.bool(usage == KeyUsage.ENCRYPT));
    a.put(Ck.CKA_UNWRAP, Native.bool(usage == KeyUsage.WRAP));
    a.put(Ck.CKA_SIGN_RECOVER, Native.bool(false));
    a.put(Ck.CKA_WRAP_WITH_TRUSTED, Native.bool(false));
    a.put(Ck.CKA_ALWAYS_AUTHENTICATE, Native.bool(false));
    sensitivity(a, origin, extractable);
    publicParts(a, kind, spki, false);
    return a;
  }

  public static Map<Long, byte[]> publicKey(
      KeyKind kind, KeyUsage usage, KeyOrigin origin, byte[] spki, Naming n) {
    Map<Long, byte[]> a = common(Ck.CKO_PUBLIC_KEY, kind, origin, n, false);
    a.put(Ck.CKA_DERIVE, Native.bool(derives(kind, usage)));
    if (kind.family() == KeyKind.Family.ML_KEM) {
      a.put(Ck.CKA_ENCAPSULATE, Native.bool(usage == KeyUsage.DERIVE));
    }
    a.put(Ck.CKA_SUBJECT, n.subject());
    a.put(Ck.CKA_VERIFY, Native.bool(usage == KeyUsage.SIGN));
    a.put(Ck.CKA_ENCRYPT, Native.bool(usage == KeyUsage.ENCRYPT));
    a.put(Ck.CKA_WRAP, Native.bool(usage == KeyUsage.WRAP));
    a.put(Ck.CKA_VERIFY_RECOVER, Native.bool(false));
    a.put(Ck.CKA_TRUSTED, Native.bool(false));
    publicParts(a, kind, spki, true);
    return a;
  }

  /**
   * @param valueLength the key's length in bytes (a generic secret's length is not in its kind)
   */
  public static Map<Long, byte[]> secretKey(
      KeyKind kind,
      KeyUsage usage,
      KeyOrigin origin,
      boolean extractable,
      int valueLength,
      Naming n) {
    Map<Long, byte[]> a = common(Ck.CKO_SECRET_KEY, kind, origin, n, true);
    a.put(Ck.CKA_DERIVE, Native.bool(usage == KeyUsage.DERIVE));
    boolean sign = usage == KeyUsage.SIGN;
    boolean encrypt = usage == KeyUsage.ENCRYPT;
    boolean wrap = usage == KeyUsage.WRAP;
    a.put(Ck.CKA_SENSITIVE, Native.bool(true));
    a.put(Ck.CKA_SIGN, Native.bool(sign));
    a.put(Ck.CKA_VERIFY, Native.bool(sign));
    a.put(Ck.CKA_ENCRYPT, Native.bool(encrypt));
    a.put(Ck.CKA_DECRYPT, Native.bool(encrypt));
    a.put(Ck.CKA_WRAP, Native.bool(wrap));
    a.put(Ck.CKA_UNWRAP, Native.bool(wrap));
    a.put(Ck.CKA_WRAP_WITH_TRUSTED, Native.bool(false));
    a.put(Ck.CKA_TRUSTED, Native.bool(false));
    a.put(Ck.CKA_VALUE_LEN, Native.ulong(valueLength));
    sensitivity(a, origin, extractable);
    return a;
  }

  /** CKK_* of a partition key kind. */
  public static long keyType(KeyKind kind) {
    return switch (kind.family()) {
      case EC -> Ck.CKK_EC;
      case RSA -> Ck.CKK_RSA;
      case AES -> Ck.CKK_AES;
      // PKCS#11 3.2's key types
      case ML_DSA -> Ck.CKK_ML_DSA;
      case ML_KEM -> Ck.CKK_ML_KEM;
      case HMAC ->
          switch (kind) {
            case HMAC_SHA256 -> Ck.CKK_SHA256_HMAC;
            case HMAC_SHA384 -> Ck.CKK_SHA384_HMAC;
            default -> Ck.CKK_SHA512_HMAC;
          };
      default -> Ck.CKK_GENERIC_SECRET;
    };
  }

  /**
   * CKA_START_DATE and CKA_END_DATE (CK_DATE, "YYYYMMDD" in UTC) from a key version's activation
   * and deactivation dates; empty for none (and for an entry filed before keys had versions).
   */
  public static Map<Long, byte[]> dates(KeyLifecycle lifecycle) {
    Map<Long, byte[]> a = new TreeMap<>();
    a.put(Ck.CKA_START_DATE, ckDate(lifecycle == null ? 0 : lifecycle.activationDate()));
    a.put(Ck.CKA_END_DATE, ckDate(lifecycle == null ? 0 : lifecycle.deactivationDate()));
    return a;
  }

  private static byte[] ckDate(long millis) {
    if (millis == 0) {
      return new byte[0];
    }
    return DateTimeFormatter.BASIC_ISO_DATE
        .format(Instant.ofEpochMilli(millis).atZone(ZoneOffset.UTC).toLocalDate())
        .getBytes(StandardCharsets.US_ASCII);
  }

  private static Map<Long, byte[]> common(
      long cls, KeyKind kind, KeyOrigin origin, Naming n, boolean isPrivate) {
    Map<Long, byte[]> a = new TreeMap<>();
    a.put(Ck.CKA_CLASS, Native.ulong(cls));
    a.put(Ck.CKA_TOKEN, Native.bool(n.token()));
    a.put(Ck.CKA_PRIVATE, Native.bool(isPrivate));
    a.put(Ck.CKA_MODIFIABLE, Native.bool(true));
    a.put(Ck.CKA_COPYABLE, Native.bool(true));
    a.put(Ck.CKA_DESTROYABLE, Native.bool(true));
    a.put(Ck.CKA_LABEL, n.label());
    a.put(Ck.CKA_ID, n.id());
    a.put(Ck.CKA_KEY_TYPE, Native.ulong(keyType(kind)));
    if (isPostQuantum(kind)) {
      a.put(Ck.CKA_PARAMETER_SET, Native.ulong(parameterSet(kind)));
    }
    a.put(Ck.CKA_START_DATE, new byte[0]);
    a.put(Ck.CKA_END_DATE, new byte[0]);
    boolean local = origin == KeyOrigin.GENERATED;
    a.put(Ck.CKA_LOCAL, Native.bool(local));
    a.put(
        Ck.CKA_KEY_GEN_MECHANISM, Native.ulong(local ? generationMechanism(kind) : Ck.UNAVAILABLE));
    return a;
  }

  private static long generationMechanism(KeyKind kind) {
    return switch (kind.family()) {
      case EC -> Ck.CKM_EC_KEY_PAIR_GEN;
      case RSA -> Ck.CKM_RSA_PKCS_KEY_PAIR_GEN;
      case AES -> Ck.CKM_AES_KEY_GEN;
      case ML_DSA -> Ck.CKM_ML_DSA_KEY_PAIR_GEN;
      case ML_KEM -> Ck.CKM_ML_KEM_KEY_PAIR_GEN;
      default -> Ck.CKM_GENERIC_SECRET_KEY_GEN;
    };
  }

  /** Whether a kind is ML-DSA or ML-KEM, whose objects carry CKA_PARAMETER_SET. */
  public static boolean isPostQuantum(KeyKind kind) {
    return kind.family() == KeyKind.Family.ML_DSA || kind.family() == KeyKind.Family.ML_KEM;
  }

  /** CKP_* of an ML-DSA or ML-KEM kind: 1, 2, 3 in the order of each family's three sets. */
  public static long parameterSet(KeyKind kind) {
    return switch (kind) {
      case ML_DSA_44 -> Ck.CKP_ML_DSA_44;
      case ML_DSA_65 -> Ck.CKP_ML_DSA_65;
      case ML_DSA_87 -> Ck.CKP_ML_DSA_87;
      case ML_KEM_512 -> Ck.CKP_ML_KEM_512;
      case ML_KEM_768 -> Ck.CKP_ML_KEM_768;
      case ML_KEM_1024 -> Ck.CKP_ML_KEM_1024;
      default -> throw new IllegalArgumentException(kind + " has no parameter set");
    };
  }

  /** The ML-DSA or ML-KEM kind of a family and CKP_* value. */
  public static KeyKind ofParameterSet(KeyKind.Family family, long parameterSet) {
    for (KeyKind k : KeyKind.values()) {
      if (k.family() == family && parameterSet(k) == parameterSet) {
        return k;
      }
    }
    throw new CkException(
        Ck.CKR_ATTRIBUTE_VALUE_INVALID,
        "CKA_PARAMETER_SET " + parameterSet + " is not a parameter set of " + family);
  }

  /** The SPKI of an encoded ML public key (CKA_VALUE), or CKR_ATTRIBUTE_VALUE_INVALID. */
  public static byte[] postQuantumSpki(KeyKind kind, byte[] raw) {
    try {
      return PostQuantumKeys.spki(kind, raw);
    } catch (IllegalArgumentException e) {
      throw new CkException(Ck.CKR_ATTRIBUTE_VALUE_INVALID, e.getMessage());
    }
  }

  /** CKA_DERIVE: an ML-KEM key's derive usage is decapsulation, shown as CKA_(EN|DE)CAPSULATE. */
  private static boolean derives(KeyKind kind, KeyUsage usage) {
    return usage == KeyUsage.DERIVE && kind.family() != KeyKind.Family.ML_KEM;
  }

  /**
   * Made inside and never extractable: always sensitive and never extractable; imported keys were
   * once outside.
   */
  private static void sensitivity(Map<Long, byte[]> a, KeyOrigin origin, boolean extractable) {
    boolean bornInside = origin != KeyOrigin.IMPORTED;
    a.put(Ck.CKA_EXTRACTABLE, Native.bool(extractable));
    a.put(Ck.CKA_ALWAYS_SENSITIVE, Native.bool(bornInside));
    a.put(Ck.CKA_NEVER_EXTRACTABLE, Native.bool(bornInside && !extractable));
  }

  private static void publicParts(
      Map<Long, byte[]> a, KeyKind kind, byte[] spki, boolean isPublicObject) {
    a.put(Ck.CKA_PUBLIC_KEY_INFO, spki);
    try {
      if (isPostQuantum(kind) && isPublicObject) {
        a.put(Ck.CKA_VALUE, PostQuantumKeys.raw(kind, spki));
      }
      if (kind.family() == KeyKind.Family.RSA) {
        RSAPublicKey k =
            (RSAPublicKey)
                KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(spki));
        a.put(Ck.CKA_MODULUS, UnsignedBytes.of(k.getModulus()));
        a.put(Ck.CKA_PUBLIC_EXPONENT, UnsignedBytes.of(k.getPublicExponent()));
        a.put(Ck.CKA_MODULUS_BITS, Native.ulong(k.getModulus().bitLength()));
      } else if (kind.family() == KeyKind.Family.EC) {
        a.put(Ck.CKA_EC_PARAMS, EC_PARAMS.get(kind));
        if (isPublicObject) {
          ECPublicKey k =
              (ECPublicKey)
                  KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(spki));
          a.put(Ck.CKA_EC_POINT, octetString(uncompressedPoint(k, kind.bytes())));
        }
      }
    } catch (GeneralSecurityException | ClassCastException | IllegalArgumentException e) {
      throw new CkException(
          Ck.CKR_GENERAL_ERROR, "the partition's public key does not parse as " + kind.textName());
    }
  }

  static byte[] uncompressedPoint(ECPublicKey k, int size) {
    byte[] p = new byte[1 + 2 * size];
    p[0] = 4;
    System.arraycopy(UnsignedBytes.fixed(k.getW().getAffineX(), size), 0, p, 1, size);
    System.arraycopy(UnsignedBytes.fixed(k.getW().getAffineY(), size), 0, p, 1 + size, size);
    return p;
  }

  /** DER OCTET STRING around a point, as CKA_EC_POINT is by the standard. */
  static byte[] octetString(byte[] content) {
    int n = content.length;
    byte[] header = n < 128 ? new byte[] {4, (byte) n} : new byte[] {4, (byte) 0x81, (byte) n};
    byte[] out = new byte[header.length + n];
    System.arraycopy(header, 0, out, 0, header.length);
    System.arraycopy(content, 0, out, header.length, n);
    return out;
  }
}
