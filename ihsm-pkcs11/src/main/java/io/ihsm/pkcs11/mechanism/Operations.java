package io.ihsm.pkcs11.mechanism;

import static io.ihsm.pkcs11.Ck.*;

import io.ihsm.ddi.key.Algorithm;
import io.ihsm.ddi.key.HashAlgorithm;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.Operation;
import io.ihsm.pkcs11.CkException;
import io.ihsm.pkcs11.object.P11Object;
import io.ihsm.pkcs11.wire.MechanismSpec;
import io.ihsm.pkcs11.wire.Native;
import io.ihsm.sdk.PartitionClient;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.function.BooleanSupplier;

/**
 * What C_SignInit, C_VerifyInit, C_EncryptInit, C_DecryptInit and C_DigestInit start: the mechanism
 * and key are checked at init (so a wrong key or parameter fails there, as PKCS#11 expects), and
 * the returned computation sends the whole input to the device when it finishes.
 */
public final class Operations {
  private Operations() {}

  /** Sign, encrypt, decrypt or digest a whole input. */
  public interface Computation {
    byte[] apply(byte[] input);
  }

  /** Verify a whole input against a signature. */
  public interface Check {
    boolean apply(byte[] input, byte[] signature);
  }

  /**
   * The key an operation uses, and how to ask whether the device runs in approved-only mode (a
   * device call, made only for the mechanisms that mode changes: SHA-1, GCM with a caller's IV).
   */
  public record Context(PartitionClient client, P11Object key, BooleanSupplier approvedOnly) {}

  public static Computation signer(Context c, MechanismSpec m) {
    P11Object key = c.key();
    requireClass(key, CKO_PRIVATE_KEY, CKO_SECRET_KEY);
    requireFlag(key, CKA_SIGN);
    Operation template = signatureTemplate(c, m);
    int cmacLength = cmacLength(m);
    String label = key.deviceLabel();
    boolean ecdsa = template.algorithm() == Algorithm.ECDSA;
    return input -> {
      byte[] sig = Statuses.call(() -> c.client().sign(label, withData(template, input)));
      if (cmacLength > 0) {
        return Arrays.copyOf(sig, cmacLength); // CKM_AES_CMAC_GENERAL: the tag's leading bytes
      }
      return ecdsa ? EcdsaSignatures.derToRaw(sig, key.kind().bytes()) : sig;
    };
  }

  public static Check verifier(Context c, MechanismSpec m) {
    P11Object key = c.key();
    requireClass(key, CKO_PUBLIC_KEY, CKO_SECRET_KEY);
    requireFlag(key, CKA_VERIFY);
    Operation template = signatureTemplate(c, m);
    int cmacLength = cmacLength(m);
    boolean ecdsa = template.algorithm() == Algorithm.ECDSA;
    return (input, signature) -> {
      if (cmacLength > 0 && signature.length != cmacLength) {
        throw new CkException(
            CKR_SIGNATURE_LEN_RANGE, "this AES-CMAC tag is " + cmacLength + " bytes");
      }
      byte[] sig = ecdsa ? EcdsaSignatures.rawToDer(signature, key.kind().bytes()) : signature;
      Operation op = withData(template, input).withSignature(sig);
      return Statuses.call(
          () ->
              key.objectClass() == CKO_PUBLIC_KEY
                  ? verifyWithPublic(c, op)
                  : c.client().verify(key.deviceLabel(), op));
    };
  }

  public static Computation encryptor(Context c, MechanismSpec m) {
    P11Object key = c.key();
    requireClass(key, CKO_PUBLIC_KEY, CKO_SECRET_KEY);
    Operation template =
        cipherTemplate(c, m, true); // the mechanism's key type first: CKR_KEY_TYPE_INCONSISTENT
    requireFlag(key, CKA_ENCRYPT);
    AesCtr counter = m.type() == CKM_AES_CTR ? AesCtr.of(m) : null;
    return input ->
        Statuses.call(
            () -> {
              if (counter != null) {
                counter.requireRoom(input.length, CKR_DATA_LEN_RANGE);
              }
              Operation op = withData(template, input);
              return key.objectClass() == CKO_PUBLIC_KEY && !hasDeviceKey(c)
                  ? c.client()
                      .encryptWith(key.kind(), key.get(CKA_PUBLIC_KEY_INFO), op)
                      .ciphertext()
                  : c.client().encrypt(key.deviceLabel(), op).ciphertext();
            });
  }

  public static Computation decryptor(Context c, MechanismSpec m) {
    P11Object key = c.key();
    requireClass(key, CKO_PRIVATE_KEY, CKO_SECRET_KEY);
    Operation template = cipherTemplate(c, m, false);
    requireFlag(key, CKA_DECRYPT);
    AesCtr counter = m.type() == CKM_AES_CTR ? AesCtr.of(m) : null;
    return input ->
        Statuses.call(
            () -> {
              if (counter != null) {
                counter.requireRoom(input.length, CKR_ENCRYPTED_DATA_LEN_RANGE);
              }
              return c.client().decrypt(key.deviceLabel(), withData(template, input));
            });
  }

  public static Computation digest(MechanismSpec m) {
    m.noParameter();
    String name =
        switch ((int) m.type()) {
          case (int) CKM_SHA256 -> "SHA-256";
          case (int) CKM_SHA384 -> "SHA-384";
          case (int) CKM_SHA512 -> "SHA-512";
          default ->
              throw new CkException(
                  CKR_MECHANISM_INVALID, "no digest 0x" + Long.toHexString(m.type()));
        };
    return input -> {
      try {
        return MessageDigest.getInstance(name).digest(input);
      } catch (NoSuchAlgorithmException e) {
        throw new CkException(CKR_GENERAL_ERROR, name + " is missing from the JDK");
      }
    };
  }

  private static Operation signatureTemplate(Context c, MechanismSpec m) {
    KeyKind kind = c.key().kind();
    long t = m.type();
    if (t == CKM_ECDSA
        || t == CKM_ECDSA_SHA1
        || t == CKM_ECDSA_SHA256
        || t == CKM_ECDSA_SHA384
        || t == CKM_ECDSA_SHA512) {
      m.noParameter();
      requireFamily(kind, KeyKind.Family.EC);
      HashAlgorithm h =
          t == CKM_ECDSA
              ? HashAlgorithm.NONE
              : t == CKM_ECDSA_SHA1
                  ? HashAlgorithm.SHA1
                  : t == CKM_ECDSA_SHA256
                      ? HashAlgorithm.SHA256
                      : t == CKM_ECDSA_SHA384 ? HashAlgorithm.SHA384 : HashAlgorithm.SHA512;
      refuseSha1(c, h);
      return Operation.of(0, Algorithm.ECDSA, new byte[0]).withHash(h);
    }
    if (t == CKM_RSA_PKCS
        || t == CKM_SHA256_RSA_PKCS
        || t == CKM_SHA384_RSA_PKCS
        || t == CKM_SHA512_RSA_PKCS) {
      m.noParameter();
      requireFamily(kind, KeyKind.Family.RSA);
      HashAlgorithm h =
          t == CKM_RSA_PKCS
              ? HashAlgorithm.NONE
              : t == CKM_SHA256_RSA_PKCS
                  ? HashAlgorithm.SHA256
                  : t == CKM_SHA384_RSA_PKCS ? HashAlgorithm.SHA384 : HashAlgorithm.SHA512;
      return Operation.of(0, Algorithm.RSA_PKCS1, new byte[0]).withHash(h);
    }
    if (t == CKM_RSA_PKCS_PSS
        || t == CKM_SHA256_RSA_PKCS_PSS
        || t == CKM_SHA384_RSA_PKCS_PSS
        || t == CKM_SHA512_RSA_PKCS_PSS) {
      requireFamily(kind, KeyKind.Family.RSA);
      long[] p = Native.ulongs(m.parameter(MechanismSpec.Raw.class).bytes(), 3);
      HashAlgorithm h = hash(p[0]);
      HashAlgorithm named =
          t == CKM_RSA_PKCS_PSS
              ? h
              : t == CKM_SHA256_RSA_PKCS_PSS
                  ? HashAlgorithm.SHA256
                  : t == CKM_SHA384_RSA_PKCS_PSS ? HashAlgorithm.SHA384 : HashAlgorithm.SHA512;
      if (h != named) {
        throw new CkException(
            CKR_MECHANISM_PARAM_INVALID, "the PSS hashAlg must be the mechanism's hash");
      }
      HashAlgorithm mgf1 = mgf1(p[1]);
      refuseSha1(c, h);
      refuseSha1(c, mgf1);
      if (p[2] < 0 || p[2] > 1024) {
        throw new CkException(CKR_MECHANISM_PARAM_INVALID, "a PSS salt length of " + p[2]);
      }
      // CKM_RSA_PKCS_PSS signs a digest the caller computed; the hashed variants hash the data in
      // the device.
      Algorithm a = t == CKM_RSA_PKCS_PSS ? Algorithm.RSA_PSS_DIGEST : Algorithm.RSA_PSS;
      return Operation.of(0, a, new byte[0]).withPss(h, mgf1, (int) p[2]);
    }
    if (t == CKM_SHA256_HMAC || t == CKM_SHA384_HMAC || t == CKM_SHA512_HMAC) {
      m.noParameter();
      KeyKind needed =
          t == CKM_SHA256_HMAC
              ? KeyKind.HMAC_SHA256
              : t == CKM_SHA384_HMAC ? KeyKind.HMAC_SHA384 : KeyKind.HMAC_SHA512;
      if (kind != needed) {
        throw new CkException(
            CKR_KEY_TYPE_INCONSISTENT, "this HMAC needs a " + needed.textName() + " key");
      }
      return Operation.of(0, Algorithm.HMAC, new byte[0]);
    }
    if (t == CKM_ML_DSA) {
      requireFamily(kind, KeyKind.Family.ML_DSA);
      mlDsaParameter(m);
      return Operation.of(0, Algorithm.ML_DSA, new byte[0]);
    }
    if (t == CKM_AES_CMAC || t == CKM_AES_CMAC_GENERAL) {
      requireFamily(kind, KeyKind.Family.AES);
      return Operation.of(0, Algorithm.AES_CMAC, new byte[0]);
    }
    throw new CkException(
        CKR_MECHANISM_INVALID, "mechanism 0x" + Long.toHexString(t) + " does not sign");
  }

  private static Operation cipherTemplate(Context c, MechanismSpec m, boolean encrypting) {
    KeyKind kind = c.key().kind();
    long t = m.type();
    if (t == CKM_AES_CBC || t == CKM_AES_CBC_PAD) {
      requireFamily(kind, KeyKind.Family.AES);
      byte[] iv = m.parameter(MechanismSpec.Raw.class).bytes();
      if (iv.length != 16) {
        throw new CkException(CKR_MECHANISM_PARAM_INVALID, "AES-CBC takes a 16-byte IV");
      }
      return Operation.of(
              0, t == CKM_AES_CBC ? Algorithm.AES_CBC : Algorithm.AES_CBC_PAD, new byte[0])
          .withIv(iv);
    }
    if (t == CKM_AES_ECB) {
      requireFamily(kind, KeyKind.Family.AES);
      m.noParameter();
      return Operation.of(0, Algorithm.AES_ECB, new byte[0]);
    }
    if (t == CKM_AES_CTR) {
      requireFamily(kind, KeyKind.Family.AES);
      return Operation.of(0, Algorithm.AES_CTR, new byte[0]).withIv(AesCtr.of(m).counterBlock());
    }
    if (t == CKM_AES_GCM) {
      requireFamily(kind, KeyKind.Family.AES);
      MechanismSpec.Gcm p = m.parameter(MechanismSpec.Gcm.class);
      if (p.iv() == null || p.iv().length != 12 || p.tagBits() != 128) {
        throw new CkException(
            CKR_MECHANISM_PARAM_INVALID, "AES-GCM here takes a 12-byte IV and a 128-bit tag");
      }
      if (encrypting && c.approvedOnly().getAsBoolean()) {
        // The device chooses GCM IVs in approved-only mode (SP 800-38D 8.2); a caller's IV is
        // refused.
        throw new CkException(
            CKR_MECHANISM_PARAM_INVALID,
            "approved-only mode: the device chooses AES-GCM IVs, so C_Encrypt with a caller's IV is refused");
      }
      return Operation.of(0, Algorithm.AES_GCM, new byte[0])
          .withIv(p.iv())
          .withAad(p.aad() == null ? new byte[0] : p.aad());
    }
    if (t == CKM_RSA_PKCS_OAEP) {
      requireFamily(kind, KeyKind.Family.RSA);
      MechanismSpec.Oaep p = m.parameter(MechanismSpec.Oaep.class);
      return oaep(p);
    }
    throw new CkException(
        CKR_MECHANISM_INVALID,
        "mechanism 0x"
            + Long.toHexString(t)
            + (encrypting ? " does not encrypt" : " does not decrypt"));
  }

  /**
   * CKM_ML_DSA's optional CK_SIGN_ADDITIONAL_CONTEXT: the device signs pure ML-DSA, hedged with its
   * DRBG (FIPS 204 algorithm 2), with the empty context string; a deterministic signature or a
   * context is refused rather than quietly not given.
   */
  private static void mlDsaParameter(MechanismSpec m) {
    if (m.parameter() == null) {
      return;
    }
    MechanismSpec.SignContext p = m.parameter(MechanismSpec.SignContext.class);
    if (p.hedge() != CKH_HEDGE_PREFERRED && p.hedge() != CKH_HEDGE_REQUIRED) {
      throw new CkException(
          CKR_MECHANISM_PARAM_INVALID, "ML-DSA signatures here are hedged, never deterministic");
    }
    if (p.context() != null && p.context().length > 0) {
      throw new CkException(
          CKR_MECHANISM_PARAM_INVALID, "ML-DSA here signs with the empty context string");
    }
  }

  /**
   * The tag length an AES-CMAC mechanism gives: 16 bytes for CKM_AES_CMAC, the parameter's 8 to 16
   * for CKM_AES_CMAC_GENERAL (the device verifies no tag shorter than 64 bits, SP 800-38B appendix
   * A); 0 for every other mechanism.
   */
  static int cmacLength(MechanismSpec m) {
    if (m.type() == CKM_AES_CMAC) {
      m.noParameter();
      return 16;
    }
    if (m.type() != CKM_AES_CMAC_GENERAL) {
      return 0;
    }
    long n = Native.ulongs(m.parameter(MechanismSpec.Raw.class).bytes(), 1)[0];
    if (n < 8 || n > 16) {
      throw new CkException(
          CKR_MECHANISM_PARAM_INVALID, "an AES-CMAC tag here is 8 to 16 bytes, not " + n);
    }
    return (int) n;
  }

  static Operation oaep(MechanismSpec.Oaep p) {
    byte[] label;
    if (p.source() == 0) {
      label = new byte[0];
    } else if (p.source() == CKZ_DATA_SPECIFIED) {
      label = p.label() == null ? new byte[0] : p.label();
    } else {
      throw new CkException(
          CKR_MECHANISM_PARAM_INVALID, "the OAEP label source is CKZ_DATA_SPECIFIED or none");
    }
    return Operation.of(0, Algorithm.RSA_OAEP, new byte[0])
        .withOaep(hash(p.hash()), mgf1(p.mgf()), label);
  }

  static HashAlgorithm hash(long ckm) {
    return Hashes.of(Hashes.DIGESTS, ckm, "a SHA-1/256/384/512 hash mechanism");
  }

  static HashAlgorithm mgf1(long ckg) {
    return Hashes.of(Hashes.MGF1, ckg, "MGF1 with SHA-1/256/384/512");
  }

  /**
   * SHA-1 in a signature is not approved: approved-only mode refuses it at init, with the
   * mechanism.
   */
  private static void refuseSha1(Context c, HashAlgorithm h) {
    if (h == HashAlgorithm.SHA1 && c.approvedOnly().getAsBoolean()) {
      throw new CkException(
          CKR_MECHANISM_INVALID, "approved-only mode: SHA-1 signatures are refused");
    }
  }

  private static boolean verifyWithPublic(Context c, Operation op) {
    P11Object key = c.key();
    return hasDeviceKey(c)
        ? c.client().verify(key.deviceLabel(), op)
        : c.client().verifyWith(key.kind(), key.get(CKA_PUBLIC_KEY_INFO), op);
  }

  /**
   * A public key object whose key pair is still in the partition uses it (already loaded, one
   * call).
   */
  private static boolean hasDeviceKey(Context c) {
    String label = c.key().deviceLabel();
    return label != null && c.client().hasKey(label);
  }

  private static Operation withData(Operation t, byte[] data) {
    return new Operation(
        t.handle(),
        t.algorithm(),
        t.hash(),
        t.mgf1Hash(),
        t.saltLength(),
        t.iv(),
        t.aad(),
        t.dataUnitSize(),
        data,
        t.signature());
  }

  static void requireClass(P11Object key, long... classes) {
    long c = key.objectClass();
    if (Arrays.stream(classes).noneMatch(x -> x == c)) {
      throw new CkException(CKR_KEY_TYPE_INCONSISTENT, "this object cannot be used here");
    }
  }

  static void requireFlag(P11Object key, long attribute) {
    if (!key.bool(attribute)) {
      throw new CkException(
          CKR_KEY_FUNCTION_NOT_PERMITTED,
          "the key's attribute 0x" + Long.toHexString(attribute) + " is false");
    }
  }

  static void requireFamily(KeyKind kind, KeyKind.Family family) {
    if (kind == null || kind.family() != family) {
      throw new CkException(CKR_KEY_TYPE_INCONSISTENT, "this mechanism needs a " + family + " key");
    }
  }
}
