package io.ihsm.pkcs11;

import static io.ihsm.pkcs11.Ck.*;

import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyOrigin;
import io.ihsm.pkcs11.object.KeyObjects;
import io.ihsm.pkcs11.object.P11Object;
import io.ihsm.pkcs11.wire.Native;
import io.ihsm.pkcs11.wire.Template;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Objects made with C_CreateObject: data objects, X.509 certificates and public keys, all kept in
 * the host store (nothing secret). Private and secret keys are not created from plaintext: they
 * come in wrapped (C_UnwrapKey), so key material never crosses the host in clear.
 */
final class StorageObjects {
  private StorageObjects() {}

  private static final Set<Long> COMMON =
      Set.of(
          CKA_CLASS,
          CKA_TOKEN,
          CKA_PRIVATE,
          CKA_MODIFIABLE,
          CKA_COPYABLE,
          CKA_DESTROYABLE,
          CKA_LABEL);

  /** Attributes C_SetAttributeValue may change (others are fixed once made). */
  private static final Set<Long> SETTABLE =
      Set.of(
          CKA_LABEL,
          CKA_ID,
          CKA_SUBJECT,
          CKA_START_DATE,
          CKA_END_DATE,
          CKA_APPLICATION,
          CKA_OBJECT_ID);

  static P11Object create(long cls, Template t, String recordId, long owner) {
    Map<Long, byte[]> a = new TreeMap<>();
    a.put(CKA_CLASS, Native.ulong(cls));
    a.put(CKA_TOKEN, Native.bool(t.bool(CKA_TOKEN, false)));
    a.put(CKA_MODIFIABLE, Native.bool(t.bool(CKA_MODIFIABLE, true)));
    a.put(CKA_COPYABLE, Native.bool(t.bool(CKA_COPYABLE, true)));
    a.put(CKA_DESTROYABLE, Native.bool(t.bool(CKA_DESTROYABLE, true)));
    a.put(CKA_LABEL, KeyTemplates.orEmpty(t.value(CKA_LABEL)));
    if (cls == CKO_DATA) {
      only(t, Set.of(CKA_APPLICATION, CKA_OBJECT_ID, CKA_VALUE));
      a.put(CKA_PRIVATE, Native.bool(t.bool(CKA_PRIVATE, true)));
      a.put(CKA_APPLICATION, KeyTemplates.orEmpty(t.value(CKA_APPLICATION)));
      a.put(CKA_OBJECT_ID, KeyTemplates.orEmpty(t.value(CKA_OBJECT_ID)));
      a.put(CKA_VALUE, KeyTemplates.orEmpty(t.value(CKA_VALUE)));
      return new P11Object(recordId, owner, null, null, a);
    }
    if (cls == CKO_CERTIFICATE) {
      only(
          t,
          Set.of(
              CKA_CERTIFICATE_TYPE,
              CKA_VALUE,
              CKA_ID,
              CKA_SUBJECT,
              CKA_ISSUER,
              CKA_SERIAL_NUMBER,
              CKA_TRUSTED,
              CKA_CERTIFICATE_CATEGORY,
              CKA_START_DATE,
              CKA_END_DATE));
      Long type = t.ulong(CKA_CERTIFICATE_TYPE);
      if (type == null || t.value(CKA_VALUE) == null) {
        throw new CkException(
            CKR_TEMPLATE_INCOMPLETE, "a certificate needs CKA_CERTIFICATE_TYPE and CKA_VALUE");
      }
      if (type != CKC_X_509) {
        throw new CkException(
            CKR_TEMPLATE_INCONSISTENT,
            "certificates here are X.509 (CKA_CERTIFICATE_TYPE CKC_X_509)");
      }
      if (t.bool(CKA_TRUSTED, false)) {
        throw new CkException(
            CKR_ATTRIBUTE_READ_ONLY, "only the security officer marks certificates trusted");
      }
      byte[] der = t.value(CKA_VALUE);
      X509Certificate cert = certificate(der);
      a.put(CKA_PRIVATE, Native.bool(t.bool(CKA_PRIVATE, false)));
      a.put(CKA_CERTIFICATE_TYPE, Native.ulong(CKC_X_509));
      a.put(CKA_VALUE, der);
      a.put(CKA_ID, KeyTemplates.orEmpty(t.value(CKA_ID)));
      a.put(CKA_SUBJECT, or(t.value(CKA_SUBJECT), cert.getSubjectX500Principal().getEncoded()));
      a.put(CKA_ISSUER, or(t.value(CKA_ISSUER), cert.getIssuerX500Principal().getEncoded()));
      a.put(CKA_SERIAL_NUMBER, or(t.value(CKA_SERIAL_NUMBER), derInteger(cert.getSerialNumber())));
      a.put(CKA_TRUSTED, Native.bool(false));
      Long category = t.ulong(CKA_CERTIFICATE_CATEGORY);
      a.put(CKA_CERTIFICATE_CATEGORY, Native.ulong(category == null ? 0 : category));
      a.put(CKA_START_DATE, KeyTemplates.orEmpty(t.value(CKA_START_DATE)));
      a.put(CKA_END_DATE, KeyTemplates.orEmpty(t.value(CKA_END_DATE)));
      a.put(CKA_PUBLIC_KEY_INFO, cert.getPublicKey().getEncoded());
      return new P11Object(recordId, owner, null, null, a);
    }
    if (cls == CKO_PUBLIC_KEY) {
      return publicKey(t, recordId, owner);
    }
    throw new CkException(
        CKR_TEMPLATE_INCONSISTENT,
        cls == CKO_PRIVATE_KEY || cls == CKO_SECRET_KEY
            ? "keys come in wrapped, never in clear: C_UnwrapKey (CKM_RSA_AES_KEY_WRAP under "
                + Token.UNWRAPPING_KEY_LABEL
                + ")"
            : "objects made here are data, certificates and public keys");
  }

  /**
   * The attributes a set or copy template changes; read-only ones may only be given their current
   * value.
   */
  static Map<Long, byte[]> changes(P11Object o, Template t, boolean copying) {
    Map<Long, byte[]> changes = new TreeMap<>();
    boolean data = o.objectClass() == CKO_DATA;
    for (Template.Attribute a : t.attributes()) {
      byte[] current = o.get(a.type());
      byte[] v = KeyTemplates.orEmpty(a.value());
      if (current != null && Arrays.equals(current, v)) {
        continue;
      }
      if (current == null && !o.isSensitive(a.type())) {
        throw new CkException(
            CKR_ATTRIBUTE_TYPE_INVALID,
            "this object has no attribute 0x" + Long.toHexString(a.type()));
      }
      boolean settable =
          SETTABLE.contains(a.type())
              || (data && a.type() == CKA_VALUE)
              || (copying && a.type() == CKA_TOKEN)
              || (a.type() == CKA_MODIFIABLE && copying && v.length == 1 && v[0] == 0);
      if (!settable) {
        throw new CkException(
            CKR_ATTRIBUTE_READ_ONLY,
            "attribute 0x" + Long.toHexString(a.type()) + " cannot change");
      }
      changes.put(a.type(), v);
    }
    return changes;
  }

  private static P11Object publicKey(Template t, String recordId, long owner) {
    only(
        t,
        Set.of(
            CKA_KEY_TYPE,
            CKA_ID,
            CKA_SUBJECT,
            CKA_START_DATE,
            CKA_END_DATE,
            CKA_VERIFY,
            CKA_ENCRYPT,
            CKA_WRAP,
            CKA_DERIVE,
            CKA_VERIFY_RECOVER,
            CKA_TRUSTED,
            CKA_MODULUS,
            CKA_PUBLIC_EXPONENT,
            CKA_EC_PARAMS,
            CKA_EC_POINT,
            CKA_MODULUS_BITS,
            CKA_VALUE,
            CKA_PARAMETER_SET,
            CKA_ENCAPSULATE));
    Long type = t.ulong(CKA_KEY_TYPE);
    byte[] spki;
    KeyKind kind;
    try {
      if (type != null && type == CKK_RSA) {
        byte[] n = t.value(CKA_MODULUS);
        byte[] e = t.value(CKA_PUBLIC_EXPONENT);
        if (n == null || e == null) {
          throw new CkException(
              CKR_TEMPLATE_INCOMPLETE,
              "an RSA public key needs CKA_MODULUS and CKA_PUBLIC_EXPONENT");
        }
        BigInteger modulus = new BigInteger(1, n);
        kind = KeyTemplates.rsaKind((long) modulus.bitLength());
        spki =
            KeyFactory.getInstance("RSA")
                .generatePublic(new RSAPublicKeySpec(modulus, new BigInteger(1, e)))
                .getEncoded();
      } else if (type != null && type == CKK_EC) {
        kind = KeyTemplates.ecKind(t.value(CKA_EC_PARAMS));
        byte[] point = t.value(CKA_EC_POINT);
        if (point == null) {
          throw new CkException(CKR_TEMPLATE_INCOMPLETE, "an EC public key needs CKA_EC_POINT");
        }
        spki = EcPoints.spki(kind, point);
      } else if (type != null && (type == CKK_ML_DSA || type == CKK_ML_KEM)) {
        Long set = t.ulong(CKA_PARAMETER_SET);
        if (set == null || t.value(CKA_VALUE) == null) {
          throw new CkException(
              CKR_TEMPLATE_INCOMPLETE,
              "an ML-DSA or ML-KEM public key needs CKA_PARAMETER_SET and CKA_VALUE");
        }
        kind =
            KeyObjects.ofParameterSet(
                type == CKK_ML_DSA ? KeyKind.Family.ML_DSA : KeyKind.Family.ML_KEM, set);
        spki = KeyObjects.postQuantumSpki(kind, t.value(CKA_VALUE));
        // The JDK parses it as the standard says, or the key is refused here, not at first use.
        KeyFactory.getInstance(kind.keyAlgorithm()).generatePublic(new X509EncodedKeySpec(spki));
      } else {
        throw new CkException(
            CKR_TEMPLATE_INCONSISTENT, "public keys here are RSA, EC, ML-DSA or ML-KEM");
      }
    } catch (GeneralSecurityException e) {
      throw new CkException(CKR_ATTRIBUTE_VALUE_INVALID, "the public key does not parse");
    }
    var usage = KeyTemplates.usage(kind, t);
    KeyObjects.Naming n = KeyTemplates.naming(t);
    Map<Long, byte[]> a = KeyObjects.publicKey(kind, usage, KeyOrigin.IMPORTED, spki, n);
    a.put(CKA_LABEL, KeyTemplates.orEmpty(t.value(CKA_LABEL)));
    return new P11Object(recordId, owner, null, kind, a);
  }

  private static void only(Template t, Set<Long> allowed) {
    for (Template.Attribute a : t.attributes()) {
      if (!COMMON.contains(a.type()) && !allowed.contains(a.type())) {
        throw new CkException(
            CKR_ATTRIBUTE_TYPE_INVALID,
            "attribute 0x" + Long.toHexString(a.type()) + " does not belong here");
      }
    }
  }

  private static X509Certificate certificate(byte[] der) {
    if (der == null || der.length == 0) {
      throw new CkException(CKR_TEMPLATE_INCOMPLETE, "a certificate needs CKA_VALUE (its DER)");
    }
    try {
      return (X509Certificate)
          CertificateFactory.getInstance("X.509")
              .generateCertificate(new ByteArrayInputStream(der));
    } catch (CertificateException e) {
      throw new CkException(
          CKR_ATTRIBUTE_VALUE_INVALID, "CKA_VALUE is not a DER X.509 certificate");
    }
  }

  private static byte[] or(byte[] given, byte[] computed) {
    return given != null ? given : computed;
  }

  /** DER INTEGER of a serial number, as CKA_SERIAL_NUMBER holds it. */
  private static byte[] derInteger(BigInteger v) {
    byte[] b = v.toByteArray();
    byte[] out = new byte[2 + b.length];
    out[0] = 2;
    out[1] = (byte) b.length;
    System.arraycopy(b, 0, out, 2, b.length);
    return out;
  }
}
