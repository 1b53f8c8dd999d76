package io.ihsm.pkcs11;

import static io.ihsm.pkcs11.Ck.*;

import io.ihsm.ddi.key.Algorithm;
import io.ihsm.ddi.key.DeriveKeyRequest;
import io.ihsm.ddi.key.HashAlgorithm;
import io.ihsm.ddi.key.KeyAttributes;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.pkcs11.mechanism.Statuses;
import io.ihsm.pkcs11.object.KeyObjects;
import io.ihsm.pkcs11.object.P11Object;
import io.ihsm.pkcs11.wire.MechanismSpec;
import io.ihsm.pkcs11.wire.Request;
import io.ihsm.pkcs11.wire.Response;
import io.ihsm.pkcs11.wire.Template;
import io.ihsm.sdk.IhsmException;
import io.ihsm.sdk.KeyImport;
import io.ihsm.sdk.store.HostKeyStore.StoredKey;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.function.Supplier;
import javax.crypto.KEM;

/**
 * C_GenerateKey, C_GenerateKeyPair, C_WrapKey, C_UnwrapKey and C_DeriveKey: templates are read and
 * checked here, the key is made, moved or derived by the device, and its objects are filed.
 */
final class KeyFunctions {
  private static final SecureRandom LABELS = new SecureRandom();
  private final ObjectHandles handles;

  KeyFunctions(ObjectHandles handles) {
    this.handles = handles;
  }

  Response generateKey(Session s, MechanismSpec m, Template t) {
    m.noParameter();
    KeyKind kind;
    if (m.type() == CKM_AES_KEY_GEN) {
      KeyTemplates.check(t, CKO_SECRET_KEY, CKK_AES);
      kind = KeyTemplates.aesKind(t.ulong(CKA_VALUE_LEN));
    } else if (m.type() == CKM_GENERIC_SECRET_KEY_GEN) {
      KeyTemplates.check(t, CKO_SECRET_KEY, -1);
      kind = KeyTemplates.secretKind(t);
      if (kind.family() != KeyKind.Family.HMAC) {
        throw new CkException(
            CKR_TEMPLATE_INCONSISTENT,
            "generated secrets are HMAC keys: give CKA_KEY_TYPE CKK_SHA*_HMAC");
      }
    } else {
      throw new CkException(
          CKR_MECHANISM_INVALID,
          "mechanism 0x" + Long.toHexString(m.type()) + " does not make keys");
    }
    KeyUsage usage = KeyTemplates.usage(kind, t);
    boolean extractable = t.bool(CKA_EXTRACTABLE, false);
    KeyObjects.Naming n = KeyTemplates.naming(t);
    s.requireWritable(n.token());
    String label = deviceLabel(s, n);
    // An HMAC key takes CKA_VALUE_LEN, from 14 bytes (112 bits) to 128; by default its hash's size.
    int length =
        kind.family() == KeyKind.Family.HMAC && t.ulong(CKA_VALUE_LEN) != null
            ? t.ulong(CKA_VALUE_LEN).intValue()
            : kind.bytes();
    StoredKey k =
        Statuses.call(
            () ->
                s.token
                    .client()
                    .generate(
                        label, kind, usage, extractable, length == kind.bytes() ? 0 : length));
    return Response.ok().ulong(handles.keep(s, secretObject(s, n, k, length)));
  }

  Response generateKeyPair(Session s, MechanismSpec m, Template pub, Template priv) {
    m.noParameter();
    KeyKind kind;
    if (m.type() == CKM_RSA_PKCS_KEY_PAIR_GEN) {
      KeyTemplates.check(pub, CKO_PUBLIC_KEY, CKK_RSA);
      KeyTemplates.check(priv, CKO_PRIVATE_KEY, CKK_RSA);
      kind = KeyTemplates.rsaKind(pub.ulong(CKA_MODULUS_BITS));
      byte[] e = pub.value(CKA_PUBLIC_EXPONENT);
      if (e != null && !new BigInteger(1, e).equals(BigInteger.valueOf(65537))) {
        throw new CkException(CKR_ATTRIBUTE_VALUE_INVALID, "the public exponent is 65537");
      }
    } else if (m.type() == CKM_EC_KEY_PAIR_GEN) {
      KeyTemplates.check(pub, CKO_PUBLIC_KEY, CKK_EC);
      KeyTemplates.check(priv, CKO_PRIVATE_KEY, CKK_EC);
      byte[] params = pub.value(CKA_EC_PARAMS);
      kind = KeyTemplates.ecKind(params != null ? params : priv.value(CKA_EC_PARAMS));
    } else if (m.type() == CKM_ML_DSA_KEY_PAIR_GEN || m.type() == CKM_ML_KEM_KEY_PAIR_GEN) {
      boolean dsa = m.type() == CKM_ML_DSA_KEY_PAIR_GEN;
      KeyTemplates.check(pub, CKO_PUBLIC_KEY, dsa ? CKK_ML_DSA : CKK_ML_KEM);
      KeyTemplates.check(priv, CKO_PRIVATE_KEY, dsa ? CKK_ML_DSA : CKK_ML_KEM);
      kind =
          KeyTemplates.postQuantumKind(
              dsa ? KeyKind.Family.ML_DSA : KeyKind.Family.ML_KEM, pub, priv);
    } else {
      throw new CkException(
          CKR_MECHANISM_INVALID,
          "mechanism 0x" + Long.toHexString(m.type()) + " does not make key pairs");
    }
    KeyUsage usage = KeyTemplates.usage(kind, pub, priv);
    boolean extractable = priv.bool(CKA_EXTRACTABLE, false);
    KeyObjects.Naming pn = KeyTemplates.naming(pub);
    KeyObjects.Naming kn = KeyTemplates.naming(priv);
    s.requireWritable(pn.token() || kn.token());
    String label = deviceLabel(s, kn.label() != null && kn.label().length > 0 ? kn : pn);
    StoredKey k = Statuses.call(() -> s.token.client().generate(label, kind, usage, extractable));
    P11Object publicObject =
        new P11Object(
            ObjectHandles.newRecordId(),
            pn.token() ? 0 : s.handle,
            label,
            kind,
            KeyObjects.publicKey(kind, usage, k.origin(), k.publicKey(), pn));
    P11Object privateObject =
        new P11Object(
            ObjectHandles.newRecordId(),
            kn.token() ? 0 : s.handle,
            label,
            kind,
            KeyObjects.privateKey(kind, usage, k.origin(), extractable, k.publicKey(), kn));
    return Response.ok().ulong(handles.keep(s, publicObject)).ulong(handles.keep(s, privateObject));
  }

  Response wrapKey(
      Session s, MechanismSpec m, long wrappingHandle, long keyHandle, Request.OutputBuffer out) {
    P11Object wrapping = handles.key(s, wrappingHandle);
    P11Object target = handles.key(s, keyHandle);
    if (target.deviceLabel() == null || target.objectClass() == CKO_PUBLIC_KEY) {
      throw new CkException(CKR_KEY_NOT_WRAPPABLE, "only private and secret keys are wrapped");
    }
    if (!target.bool(CKA_EXTRACTABLE)) {
      throw new CkException(CKR_KEY_UNEXTRACTABLE, "the key's CKA_EXTRACTABLE is false");
    }
    if (!wrapping.bool(CKA_WRAP)) {
      throw new CkException(CKR_KEY_FUNCTION_NOT_PERMITTED, "the wrapping key's CKA_WRAP is false");
    }
    byte[] wrapped;
    if (m.type() == CKM_RSA_AES_KEY_WRAP) {
      rsaAesParameters(m);
      if (wrapping.objectClass() != CKO_PUBLIC_KEY
          || wrapping.kind().family() != KeyKind.Family.RSA) {
        throw new CkException(
            CKR_WRAPPING_KEY_TYPE_INCONSISTENT, "RSA-AES key wrap wraps to an RSA public key");
      }
      boolean pairInPartition =
          wrapping.deviceLabel() != null && s.token.client().hasKey(wrapping.deviceLabel());
      wrapped =
          Statuses.call(
              () ->
                  pairInPartition
                      ? s.token
                          .client()
                          .wrap(wrapping.deviceLabel(), target.deviceLabel(), Algorithm.RSA_AES_KW)
                      : s.token
                          .client()
                          .wrapFor(
                              wrapping.kind(),
                              wrapping.get(CKA_PUBLIC_KEY_INFO),
                              target.deviceLabel()));
    } else {
      Algorithm alg = aesWrap(m);
      if (wrapping.objectClass() != CKO_SECRET_KEY
          || wrapping.kind().family() != KeyKind.Family.AES) {
        throw new CkException(
            CKR_WRAPPING_KEY_TYPE_INCONSISTENT, "AES key wrap needs an AES wrapping key");
      }
      wrapped =
          Statuses.call(
              () -> s.token.client().wrap(wrapping.deviceLabel(), target.deviceLabel(), alg));
    }
    return Response.output(wrapped, out);
  }

  /** The one RSA-AES shape the device speaks (the format of its key import). */
  private static void rsaAesParameters(MechanismSpec m) {
    MechanismSpec.RsaAesWrap p = m.parameter(MechanismSpec.RsaAesWrap.class);
    if (p.aesKeyBits() != 256
        || p.oaep() == null
        || p.oaep().hash() != CKM_SHA256
        || p.oaep().mgf() != CKG_MGF1_SHA256
        || (p.oaep().label() != null && p.oaep().label().length > 0)) {
      throw new CkException(
          CKR_MECHANISM_PARAM_INVALID,
          "RSA-AES key wrap here is AES-256 with OAEP SHA-256, MGF1-SHA-256 and no label");
    }
  }

  Response unwrapKey(
      Session s, MechanismSpec m, long unwrappingHandle, byte[] wrapped, Template t) {
    if (wrapped == null) {
      throw new CkException(CKR_ARGUMENTS_BAD, "pWrappedKey is NULL");
    }
    P11Object unwrapping = handles.key(s, unwrappingHandle);
    Long cls = t.ulong(CKA_CLASS);
    if (cls == null || (cls != CKO_SECRET_KEY && cls != CKO_PRIVATE_KEY)) {
      throw new CkException(
          CKR_TEMPLATE_INCOMPLETE,
          "an unwrapped key's template gives CKA_CLASS (secret or private key)");
    }
    KeyTemplates.check(t, cls, -1);
    KeyKind kind = unwrappedKind(cls, t);
    KeyUsage usage = KeyTemplates.usage(kind, t);
    boolean extractable = t.bool(CKA_EXTRACTABLE, false);
    KeyObjects.Naming n = KeyTemplates.naming(t);
    s.requireWritable(n.token());
    String label = newDeviceLabel();
    StoredKey k;
    if (m.type() == CKM_RSA_AES_KEY_WRAP) {
      rsaAesParameters(m);
      if (Token.UNWRAPPING_KEY_LABEL.equals(unwrapping.recordId())) {
        k = unwrapCall(() -> s.token.client().importKey(label, kind, usage, extractable, wrapped));
      } else {
        if (unwrapping.objectClass() != CKO_PRIVATE_KEY
            || unwrapping.kind().family() != KeyKind.Family.RSA) {
          throw new CkException(
              CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT, "RSA-AES key unwrap needs an RSA private key");
        }
        if (!unwrapping.bool(CKA_UNWRAP)) {
          throw new CkException(
              CKR_KEY_FUNCTION_NOT_PERMITTED, "the unwrapping key's CKA_UNWRAP is false");
        }
        k =
            unwrapCall(
                () ->
                    s.token
                        .client()
                        .unwrap(
                            unwrapping.deviceLabel(),
                            Algorithm.RSA_AES_KW,
                            label,
                            kind,
                            usage,
                            extractable,
                            wrapped));
      }
    } else {
      Algorithm alg = aesWrap(m);
      if (unwrapping.objectClass() != CKO_SECRET_KEY
          || unwrapping.kind().family() != KeyKind.Family.AES) {
        throw new CkException(
            CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT, "AES key unwrap needs an AES unwrapping key");
      }
      if (!unwrapping.bool(CKA_UNWRAP)) {
        throw new CkException(
            CKR_KEY_FUNCTION_NOT_PERMITTED, "the unwrapping key's CKA_UNWRAP is false");
      }
      k =
          unwrapCall(
              () ->
                  s.token
                      .client()
                      .unwrap(
                          unwrapping.deviceLabel(), alg, label, kind, usage, extractable, wrapped));
    }
    P11Object o =
        cls == CKO_SECRET_KEY
            ? secretObject(s, n, k, kind.bytes())
            : new P11Object(
                ObjectHandles.newRecordId(),
                n.token() ? 0 : s.handle,
                label,
                kind,
                KeyObjects.privateKey(kind, usage, k.origin(), extractable, k.publicKey(), n));
    return Response.ok().ulong(handles.keep(s, o));
  }

  Response deriveKey(Session s, MechanismSpec m, long baseHandle, Template t) {
    P11Object base = handles.key(s, baseHandle);
    if (base.objectClass() == CKO_PUBLIC_KEY || base.deviceLabel() == null) {
      throw new CkException(
          CKR_KEY_TYPE_INCONSISTENT, "derivation starts from a private or secret key");
    }
    if (!base.bool(CKA_DERIVE)) {
      throw new CkException(CKR_KEY_FUNCTION_NOT_PERMITTED, "the base key's CKA_DERIVE is false");
    }
    KeyTemplates.check(t, CKO_SECRET_KEY, -1);
    KeyObjects.Naming n = KeyTemplates.naming(t);
    s.requireWritable(n.token());
    String label = newDeviceLabel();
    DeriveKeyRequest request;
    KeyKind kind;
    int length;
    if (m.type() == CKM_ECDH1_DERIVE) {
      MechanismSpec.Ecdh p = m.parameter(MechanismSpec.Ecdh.class);
      if (p.kdf() != CKD_NULL || (p.sharedData() != null && p.sharedData().length > 0)) {
        throw new CkException(
            CKR_MECHANISM_PARAM_INVALID,
            "ECDH here is CKD_NULL with no shared data: derive from the secret");
      }
      Long type = t.ulong(CKA_KEY_TYPE);
      if (type != null && type != CKK_GENERIC_SECRET) {
        throw new CkException(
            CKR_TEMPLATE_INCONSISTENT, "ECDH makes a generic secret; derive other keys from it");
      }
      if (base.kind().family() != KeyKind.Family.EC) {
        throw new CkException(CKR_KEY_TYPE_INCONSISTENT, "ECDH needs an EC private key");
      }
      kind = KeyKind.SECRET;
      length = base.kind().bytes();
      Long asked = t.ulong(CKA_VALUE_LEN);
      if (asked != null && asked != length) {
        throw new CkException(
            CKR_TEMPLATE_INCONSISTENT, "an ECDH secret is " + length + " bytes on this curve");
      }
      byte[] peer = EcPoints.spki(base.kind(), p.publicData());
      request =
          new DeriveKeyRequest(
              0,
              DeriveKeyRequest.Method.ECDH,
              HashAlgorithm.NONE,
              peer,
              new byte[0],
              new byte[0],
              length,
              new KeyAttributes(
                  kind, KeyTemplates.usage(kind, t), false, t.bool(CKA_EXTRACTABLE, false), label));
    } else if (m.type() == CKM_HKDF_DERIVE || m.type() == CKM_SP800_108_COUNTER_KDF) {
      kind = KeyTemplates.secretKind(t);
      Long len = t.ulong(CKA_VALUE_LEN);
      if (kind == KeyKind.SECRET && len == null) {
        throw new CkException(
            CKR_TEMPLATE_INCOMPLETE, "a derived generic secret needs CKA_VALUE_LEN");
      }
      length = kind == KeyKind.SECRET ? len.intValue() : kind.bytes();
      KeyAttributes attrs =
          new KeyAttributes(
              kind, KeyTemplates.usage(kind, t), false, t.bool(CKA_EXTRACTABLE, false), label);
      request =
          m.type() == CKM_HKDF_DERIVE
              ? Kdfs.hkdf(m, length, attrs)
              : Kdfs.counterKdf(m, length, attrs);
    } else {
      throw new CkException(
          CKR_MECHANISM_INVALID, "mechanism 0x" + Long.toHexString(m.type()) + " does not derive");
    }
    StoredKey k = Statuses.call(() -> s.token.client().derive(base.deviceLabel(), request));
    return Response.ok().ulong(handles.keep(s, secretObject(s, n, k, length)));
  }

  /**
   * C_EncapsulateKey (PKCS#11 3.2) with CKM_ML_KEM: encapsulation needs only the public key, so the
   * bridge runs it with the JDK (FIPS 203 ML-KEM.Encaps), then moves the 32-byte shared secret into
   * the partition by the wrapped import every key takes, and wipes its copy. The new key is
   * therefore not CKA_LOCAL and not CKA_ALWAYS_SENSITIVE. A length query or a short buffer makes no
   * key.
   */
  Response encapsulateKey(
      Session s, MechanismSpec m, long publicHandle, Template t, Request.OutputBuffer out) {
    requireMlKem(m);
    P11Object key = handles.key(s, publicHandle);
    if (key.objectClass() != CKO_PUBLIC_KEY || key.kind().family() != KeyKind.Family.ML_KEM) {
      throw new CkException(
          CKR_KEY_TYPE_INCONSISTENT, "ML-KEM encapsulates to an ML-KEM public key");
    }
    if (!key.bool(CKA_ENCAPSULATE)) {
      throw new CkException(CKR_KEY_FUNCTION_NOT_PERMITTED, "the key's CKA_ENCAPSULATE is false");
    }
    KeyTemplates.check(t, CKO_SECRET_KEY, -1);
    KeyKind kind = sharedSecretKind(t);
    KeyUsage usage = KeyTemplates.usage(kind, t);
    KeyObjects.Naming n = KeyTemplates.naming(t);
    int length = key.kind().ciphertextBytes();
    if (!out.present() || Long.compareUnsigned(out.capacity(), length) < 0) {
      return new Response(out.present() ? CKR_BUFFER_TOO_SMALL : CKR_OK).ulong(length).bytes(null);
    }
    s.requireWritable(n.token());
    byte[] secret = null;
    try {
      PublicKey publicKey =
          KeyFactory.getInstance("ML-KEM")
              .generatePublic(new X509EncodedKeySpec(key.get(CKA_PUBLIC_KEY_INFO)));
      KEM.Encapsulated e = KEM.getInstance("ML-KEM").newEncapsulator(publicKey).encapsulate();
      secret = e.key().getEncoded();
      byte[] wrapped = KeyImport.wrapForImport(s.token.client().unwrappingKey(), secret);
      String label = newDeviceLabel();
      boolean extractable = t.bool(CKA_EXTRACTABLE, false);
      StoredKey k =
          Statuses.call(() -> s.token.client().importKey(label, kind, usage, extractable, wrapped));
      long handle = handles.keep(s, secretObject(s, n, k, SHARED_SECRET_BYTES));
      return Response.ok().ulong(length).bytes(e.encapsulation()).ulong(handle);
    } catch (GeneralSecurityException e) {
      throw new CkException(CKR_GENERAL_ERROR, "ML-KEM encapsulation failed: " + e.getMessage());
    } finally {
      if (secret != null) {
        Arrays.fill(secret, (byte) 0);
      }
    }
  }

  /**
   * C_DecapsulateKey (PKCS#11 3.2) with CKM_ML_KEM: the device decapsulates with the private key
   * and keeps the shared secret as a new key; the host never sees it.
   */
  Response decapsulateKey(
      Session s, MechanismSpec m, long privateHandle, byte[] ciphertext, Template t) {
    requireMlKem(m);
    if (ciphertext == null) {
      throw new CkException(CKR_ARGUMENTS_BAD, "pCiphertext is NULL");
    }
    P11Object key = handles.key(s, privateHandle);
    if (key.objectClass() != CKO_PRIVATE_KEY || key.kind().family() != KeyKind.Family.ML_KEM) {
      throw new CkException(
          CKR_KEY_TYPE_INCONSISTENT, "ML-KEM decapsulates with an ML-KEM private key");
    }
    if (!key.bool(CKA_DECAPSULATE)) {
      throw new CkException(CKR_KEY_FUNCTION_NOT_PERMITTED, "the key's CKA_DECAPSULATE is false");
    }
    if (ciphertext.length != key.kind().ciphertextBytes()) {
      throw new CkException(
          CKR_ENCRYPTED_DATA_LEN_RANGE,
          "a "
              + key.kind().textName()
              + " ciphertext is "
              + key.kind().ciphertextBytes()
              + " bytes");
    }
    KeyTemplates.check(t, CKO_SECRET_KEY, -1);
    KeyKind kind = sharedSecretKind(t);
    KeyUsage usage = KeyTemplates.usage(kind, t);
    KeyObjects.Naming n = KeyTemplates.naming(t);
    s.requireWritable(n.token());
    String label = newDeviceLabel();
    boolean extractable = t.bool(CKA_EXTRACTABLE, false);
    StoredKey k =
        Statuses.call(
            () ->
                s.token
                    .client()
                    .decapsulate(key.deviceLabel(), ciphertext, label, kind, usage, extractable));
    return Response.ok().ulong(handles.keep(s, secretObject(s, n, k, SHARED_SECRET_BYTES)));
  }

  /** ML-KEM's shared secret, whichever parameter set (FIPS 203). */
  private static final int SHARED_SECRET_BYTES = 32;

  private static void requireMlKem(MechanismSpec m) {
    if (m.type() != CKM_ML_KEM) {
      throw new CkException(
          CKR_MECHANISM_INVALID,
          "mechanism 0x" + Long.toHexString(m.type()) + " does not encapsulate");
    }
    m.noParameter();
  }

  /**
   * The key a shared secret becomes: a generic secret (the default), an AES-256 key or an
   * HMAC-SHA256 key, each 32 bytes like the secret itself.
   */
  private static KeyKind sharedSecretKind(Template t) {
    Long len = t.ulong(CKA_VALUE_LEN);
    if (len != null && len != SHARED_SECRET_BYTES) {
      throw new CkException(
          CKR_TEMPLATE_INCONSISTENT,
          "an ML-KEM shared secret is " + SHARED_SECRET_BYTES + " bytes");
    }
    Long type = t.ulong(CKA_KEY_TYPE);
    KeyKind kind =
        type == null
            ? KeyKind.SECRET
            : type == CKK_AES && len == null ? KeyKind.AES_256 : KeyTemplates.secretKind(t);
    if (kind != KeyKind.SECRET && kind != KeyKind.AES_256 && kind != KeyKind.HMAC_SHA256) {
      throw new CkException(
          CKR_TEMPLATE_INCONSISTENT,
          "an ML-KEM shared secret becomes a generic secret, an AES-256 or an HMAC-SHA256 key");
    }
    return kind;
  }

  private static Algorithm aesWrap(MechanismSpec m) {
    if (m.type() != CKM_AES_KEY_WRAP && m.type() != CKM_AES_KEY_WRAP_KWP) {
      throw new CkException(
          CKR_MECHANISM_INVALID,
          "mechanism 0x" + Long.toHexString(m.type()) + " does not wrap here");
    }
    if (m.parameter() != null) {
      throw new CkException(
          CKR_MECHANISM_PARAM_INVALID,
          "AES key wrap uses the standard initial value: no parameter");
    }
    return m.type() == CKM_AES_KEY_WRAP ? Algorithm.AES_KW : Algorithm.AES_KWP;
  }

  private static KeyKind unwrappedKind(long cls, Template t) {
    if (cls == CKO_SECRET_KEY) {
      return KeyTemplates.secretKind(t);
    }
    Long type = t.ulong(CKA_KEY_TYPE);
    if (type != null && type == CKK_EC) {
      return KeyTemplates.ecKind(t.value(CKA_EC_PARAMS));
    }
    if (type != null && type == CKK_RSA) {
      return KeyTemplates.rsaKind(t.ulong(CKA_MODULUS_BITS));
    }
    throw new CkException(
        CKR_TEMPLATE_INCOMPLETE,
        "an unwrapped private key's template gives CKA_KEY_TYPE, and CKA_EC_PARAMS or CKA_MODULUS_BITS");
  }

  private P11Object secretObject(Session s, KeyObjects.Naming n, StoredKey k, int length) {
    return new P11Object(
        ObjectHandles.newRecordId(),
        n.token() ? 0 : s.handle,
        k.label(),
        k.kind(),
        KeyObjects.secretKey(k.kind(), k.usage(), k.origin(), k.extractable(), length, n));
  }

  /**
   * The partition label of a new token key: its CKA_LABEL when that is a key label the partition
   * does not use yet, so the key has one name everywhere (`ihsm key list`, the JCA KeyStore);
   * otherwise, and for session keys, a label of its own. CKA_LABEL itself is kept as given.
   */
  private static String deviceLabel(Session s, KeyObjects.Naming n) {
    if (n.token() && n.label() != null && n.label().length > 0) {
      String wanted = new String(n.label(), StandardCharsets.UTF_8);
      if (KeyAttributes.validLabel(wanted)
          && !wanted.startsWith("p11-")
          && !wanted.startsWith("jca-")
          && !s.token.client().hasKey(wanted)) {
        return wanted;
      }
    }
    return newDeviceLabel();
  }

  /**
   * Keys made through PKCS#11 get a partition label of their own; CKA_LABEL is free-form and kept
   * beside.
   */
  private static String newDeviceLabel() {
    byte[] b = new byte[8];
    LABELS.nextBytes(b);
    return "p11-" + HexFormat.of().formatHex(b);
  }

  /** An unwrap the device refuses for its input: the wrapped key is bad, in PKCS#11's words. */
  private static StoredKey unwrapCall(Supplier<StoredKey> call) {
    try {
      return call.get();
    } catch (IhsmException e) {
      switch (e.status()) {
        case BAD_PADDING, INVALID_KEY_MATERIAL ->
            throw new CkException(CKR_WRAPPED_KEY_INVALID, e.getMessage());
        case INVALID_INPUT_LENGTH, INPUT_TOO_LARGE ->
            throw new CkException(CKR_WRAPPED_KEY_LEN_RANGE, e.getMessage());
        default -> throw Statuses.of(e);
      }
    }
  }
}
