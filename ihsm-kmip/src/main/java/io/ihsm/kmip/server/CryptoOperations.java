package io.ihsm.kmip.server;

import io.ihsm.ddi.key.KeyKind;
import io.ihsm.kmip.protocol.KmipException;
import io.ihsm.kmip.protocol.ResultReason;
import io.ihsm.kmip.protocol.Struct;
import io.ihsm.kmip.protocol.Tag;
import io.ihsm.kmip.ttlv.Ttlv;
import io.ihsm.sdk.cipher.AesCbcParameters;
import io.ihsm.sdk.cipher.AesCtrParameters;
import io.ihsm.sdk.cipher.AesEcbParameters;
import io.ihsm.sdk.cipher.AesGcmParameters;
import io.ihsm.sdk.cipher.CipherParameters;
import io.ihsm.sdk.cipher.Ciphertext;
import io.ihsm.sdk.cipher.RsaOaepParameters;
import io.ihsm.sdk.key.HashFunction;
import io.ihsm.sdk.signature.EcdsaParameters;
import io.ihsm.sdk.signature.HmacParameters;
import io.ihsm.sdk.signature.RsaPkcs1Parameters;
import io.ihsm.sdk.signature.RsaPssParameters;
import io.ihsm.sdk.signature.SignatureParameters;
import io.ihsm.sdk.store.HostKeyStore.StoredKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Encrypt, Decrypt, Sign, Signature Verify and MAC with a managed object's key, inside the device.
 * Single-part only (no Correlation Value); the device chooses every GCM IV, and a GCM tag travels
 * in its own field, as KMIP 1.4 has it.
 */
final class CryptoOperations {
  private static final long CBC = 0x01;
  private static final long ECB = 0x02;
  private static final long CTR = 0x06;
  private static final long GCM = 0x09;
  private static final long PAD_NONE = 0x01;
  private static final long OAEP = 0x02;
  private static final long PKCS5 = 0x03;
  private static final long PKCS1_V15 = 0x08;
  private static final long PSS = 0x0A;
  private static final int GCM_TAG_BYTES = 16;

  private static final Set<Integer> PARAMETERS =
      Set.of(
          Tag.BLOCK_CIPHER_MODE,
          Tag.PADDING_METHOD,
          Tag.HASHING_ALGORITHM,
          Tag.KEY_ROLE_TYPE,
          Tag.DIGITAL_SIGNATURE_ALGORITHM,
          Tag.CRYPTOGRAPHIC_ALGORITHM,
          Tag.RANDOM_IV,
          Tag.IV_LENGTH,
          Tag.TAG_LENGTH,
          Tag.SALT_LENGTH,
          Tag.MASK_GENERATOR,
          Tag.MASK_GENERATOR_HASHING_ALGORITHM);

  private static final Set<Integer> CIPHER_REQUEST =
      Set.of(
          Tag.UNIQUE_IDENTIFIER,
          Tag.CRYPTOGRAPHIC_PARAMETERS,
          Tag.DATA,
          Tag.IV_COUNTER_NONCE,
          Tag.AUTHENTICATED_ENCRYPTION_ADDITIONAL_DATA,
          Tag.AUTHENTICATED_ENCRYPTION_TAG);

  private CryptoOperations() {}

  static void register(Map<Integer, Handler> h) {
    h.put(Operation.ENCRYPT, CryptoOperations::encrypt);
    h.put(Operation.DECRYPT, CryptoOperations::decrypt);
    h.put(Operation.SIGN, CryptoOperations::sign);
    h.put(Operation.SIGNATURE_VERIFY, CryptoOperations::verify);
    h.put(Operation.MAC, CryptoOperations::mac);
  }

  private record Target(KmipObject object, StoredKey key) {}

  private static Target target(Struct payload, Batch batch) throws KmipException {
    KmipObject o = batch.partition.object(batch.uid(payload));
    return new Target(o, batch.partition.key(o));
  }

  private static Struct parameters(Struct payload) throws KmipException {
    Optional<Struct> p =
        payload.optionalStruct(Tag.CRYPTOGRAPHIC_PARAMETERS, "Cryptographic Parameters");
    return p.isPresent()
        ? p.get().only(PARAMETERS)
        : Struct.of(Ttlv.structure(Tag.CRYPTOGRAPHIC_PARAMETERS), "Cryptographic Parameters");
  }

  /** An Encrypt or Decrypt request, read and checked. */
  private record CipherRequest(
      Target target, byte[] data, Struct parameters, Optional<byte[]> iv, byte[] aad, long mode) {}

  private static CipherRequest cipherRequest(Struct payload, Batch batch) throws KmipException {
    payload.only(CIPHER_REQUEST);
    Target t = target(payload, batch);
    byte[] data = payload.bytes(Tag.DATA, "Data");
    Struct params = parameters(payload);
    Optional<byte[]> iv = payload.optionalBytes(Tag.IV_COUNTER_NONCE, "IV/Counter/Nonce");
    byte[] aad =
        payload
            .optionalBytes(Tag.AUTHENTICATED_ENCRYPTION_ADDITIONAL_DATA, "additional data")
            .orElse(new byte[0]);
    return new CipherRequest(t, data, params, iv, aad, mode(params, t));
  }

  private static List<Ttlv> encrypt(Struct payload, Batch batch) throws KmipException {
    if (payload.optional(Tag.AUTHENTICATED_ENCRYPTION_TAG, "tag").isPresent()) {
      throw new KmipException(ResultReason.INVALID_FIELD, "Encrypt takes no tag: it makes one");
    }
    CipherRequest r = cipherRequest(payload, batch);
    CipherParameters cp = cipher(r.parameters(), r.target(), r.mode(), r.iv(), r.aad(), true);
    Ciphertext c = batch.partition.client.encrypt(r.target().object().key(), cp, r.data());
    List<Ttlv> out = new ArrayList<>();
    out.add(Ttlv.text(Tag.UNIQUE_IDENTIFIER, r.target().object().uid()));
    byte[] bytes = c.bytes();
    if (r.mode() == GCM) {
      out.add(Ttlv.bytes(Tag.DATA, Arrays.copyOf(bytes, bytes.length - GCM_TAG_BYTES)));
      out.add(Ttlv.bytes(Tag.IV_COUNTER_NONCE, c.iv()));
      out.add(
          Ttlv.bytes(
              Tag.AUTHENTICATED_ENCRYPTION_TAG,
              Arrays.copyOfRange(bytes, bytes.length - GCM_TAG_BYTES, bytes.length)));
    } else {
      out.add(Ttlv.bytes(Tag.DATA, bytes));
      if (r.iv().isEmpty() && c.iv().length > 0) {
        out.add(Ttlv.bytes(Tag.IV_COUNTER_NONCE, c.iv())); // the device chose it
      }
    }
    return out;
  }

  private static List<Ttlv> decrypt(Struct payload, Batch batch) throws KmipException {
    CipherRequest r = cipherRequest(payload, batch);
    CipherParameters cp = cipher(r.parameters(), r.target(), r.mode(), r.iv(), r.aad(), false);
    byte[] body = r.data();
    if (r.mode() == GCM) {
      byte[] tag = payload.bytes(Tag.AUTHENTICATED_ENCRYPTION_TAG, "Authenticated Encryption Tag");
      if (tag.length != GCM_TAG_BYTES) {
        throw new KmipException(ResultReason.INVALID_FIELD, "a GCM tag here is 16 bytes");
      }
      body = Arrays.copyOf(body, body.length + tag.length);
      System.arraycopy(tag, 0, body, r.data().length, tag.length);
    }
    boolean needsIv = r.mode() == CBC || r.mode() == CTR || r.mode() == GCM;
    if (needsIv && r.iv().isEmpty()) {
      throw new KmipException(ResultReason.MISSING_DATA, "decryption needs the IV/Counter/Nonce");
    }
    byte[] plain =
        batch.partition.client.decrypt(
            r.target().object().key(), cp, Ciphertext.of(r.iv().orElse(new byte[0]), body));
    try {
      return List.of(
          Ttlv.text(Tag.UNIQUE_IDENTIFIER, r.target().object().uid()), Ttlv.bytes(Tag.DATA, plain));
    } finally {
      Arrays.fill(plain, (byte) 0);
    }
  }

  /** The block cipher mode an AES operation asks for (RSA: none). */
  private static long mode(Struct params, Target t) throws KmipException {
    Optional<Long> m = params.optionalEnumeration(Tag.BLOCK_CIPHER_MODE, "Block Cipher Mode");
    if (t.key().kind().family() == KeyKind.Family.RSA) {
      if (m.isPresent()) {
        throw new KmipException(ResultReason.INVALID_FIELD, "RSA takes no Block Cipher Mode");
      }
      return 0;
    }
    if (t.key().kind().family() != KeyKind.Family.AES) {
      throw new KmipException(
          ResultReason.ILLEGAL_OPERATION,
          "object " + t.object().uid() + " is not an AES or RSA key");
    }
    return m.orElseThrow(
        () ->
            new KmipException(
                ResultReason.MISSING_DATA, "an AES operation needs its Block Cipher Mode"));
  }

  private static CipherParameters cipher(
      Struct params, Target t, long mode, Optional<byte[]> iv, byte[] aad, boolean encrypting)
      throws KmipException {
    long padding =
        params.optionalEnumeration(Tag.PADDING_METHOD, "Padding Method").orElse(PAD_NONE);
    if (mode != GCM && aad.length > 0) {
      throw new KmipException(ResultReason.INVALID_FIELD, "only GCM takes additional data");
    }
    if (mode == 0) {
      if (padding != OAEP) {
        throw new KmipException(
            ResultReason.INVALID_FIELD, "RSA encryption here is OAEP (Padding Method OAEP)");
      }
      return RsaOaepParameters.of(hash(params).orElse(HashFunction.SHA256));
    }
    if (mode == GCM) {
      if (encrypting && iv.isPresent()) {
        throw new KmipException(
            ResultReason.INVALID_FIELD,
            "the device chooses every GCM IV (SP 800-38D); leave IV/Counter/Nonce out");
      }
      return AesGcmParameters.withAad(aad);
    }
    if (mode == CBC) {
      if (padding != PAD_NONE && padding != PKCS5) {
        throw new KmipException(ResultReason.INVALID_FIELD, "CBC pads with PKCS5 or not at all");
      }
      return iv.isPresent()
          ? AesCbcParameters.of(padding == PKCS5, iv.get())
          : AesCbcParameters.of(padding == PKCS5);
    }
    if (padding != PAD_NONE) {
      throw new KmipException(ResultReason.INVALID_FIELD, "ECB and CTR take no padding here");
    }
    if (mode == ECB) {
      return AesEcbParameters.create();
    }
    if (mode == CTR) {
      return iv.isPresent()
          ? AesCtrParameters.withCounterBlock(iv.get())
          : AesCtrParameters.create();
    }
    throw new KmipException(
        ResultReason.FEATURE_NOT_SUPPORTED, "AES here is GCM, CBC, CTR or ECB (mode " + mode + ")");
  }

  private static Optional<HashFunction> hash(Struct params) throws KmipException {
    Optional<Long> h = params.optionalEnumeration(Tag.HASHING_ALGORITHM, "Hashing Algorithm");
    if (h.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        switch (h.get().intValue()) {
          case 0x04 -> HashFunction.SHA1;
          case 0x06 -> HashFunction.SHA256;
          case 0x07 -> HashFunction.SHA384;
          case 0x08 -> HashFunction.SHA512;
          default ->
              throw new KmipException(
                  ResultReason.INVALID_FIELD, "hashes here are SHA-1, SHA-256, SHA-384, SHA-512");
        });
  }

  private static SignatureParameters signature(Struct params, Target t) throws KmipException {
    KeyKind.Family f = t.key().kind().family();
    Optional<Long> dsa =
        params.optionalEnumeration(Tag.DIGITAL_SIGNATURE_ALGORITHM, "Digital Signature Algorithm");
    HashFunction hash;
    boolean pss;
    if (dsa.isPresent()) {
      switch (dsa.get().intValue()) {
        case 0x05, 0x0E -> hash = HashFunction.SHA256; // SHA256withRSA, ECDSA with SHA256
        case 0x06, 0x0F -> hash = HashFunction.SHA384;
        case 0x07, 0x10 -> hash = HashFunction.SHA512;
        case 0x08 -> hash = hash(params).orElse(HashFunction.SHA256); // RSASSA-PSS
        default ->
            throw new KmipException(
                ResultReason.INVALID_FIELD, "unsupported Digital Signature Algorithm " + dsa.get());
      }
      pss = dsa.get() == 0x08;
    } else {
      hash = hash(params).orElse(HashFunction.SHA256);
      pss = params.optionalEnumeration(Tag.PADDING_METHOD, "Padding Method").orElse(0L) == PSS;
    }
    if (f == KeyKind.Family.EC) {
      return EcdsaParameters.of(hash, EcdsaParameters.Encoding.DER);
    }
    if (f != KeyKind.Family.RSA) {
      throw new KmipException(
          ResultReason.ILLEGAL_OPERATION,
          "object " + t.object().uid() + " is not a signing key pair");
    }
    long padding =
        params.optionalEnumeration(Tag.PADDING_METHOD, "Padding Method").orElse(PKCS1_V15);
    return pss || padding == PSS ? RsaPssParameters.of(hash) : RsaPkcs1Parameters.of(hash);
  }

  private static List<Ttlv> sign(Struct payload, Batch batch) throws KmipException {
    payload.only(Set.of(Tag.UNIQUE_IDENTIFIER, Tag.CRYPTOGRAPHIC_PARAMETERS, Tag.DATA));
    Target t = target(payload, batch);
    if (t.object().objectType() != KmipObject.PRIVATE_KEY) {
      throw new KmipException(ResultReason.ILLEGAL_OPERATION, "a private key signs");
    }
    byte[] data = payload.bytes(Tag.DATA, "Data");
    byte[] sig =
        batch.partition.client.sign(t.object().key(), signature(parameters(payload), t), data);
    return List.of(
        Ttlv.text(Tag.UNIQUE_IDENTIFIER, t.object().uid()), Ttlv.bytes(Tag.SIGNATURE_DATA, sig));
  }

  private static List<Ttlv> verify(Struct payload, Batch batch) throws KmipException {
    payload.only(
        Set.of(Tag.UNIQUE_IDENTIFIER, Tag.CRYPTOGRAPHIC_PARAMETERS, Tag.DATA, Tag.SIGNATURE_DATA));
    Target t = target(payload, batch);
    byte[] data = payload.bytes(Tag.DATA, "Data");
    byte[] sig = payload.bytes(Tag.SIGNATURE_DATA, "Signature Data");
    boolean valid =
        batch.partition.client.verify(
            t.object().key(), signature(parameters(payload), t), data, sig);
    return List.of(
        Ttlv.text(Tag.UNIQUE_IDENTIFIER, t.object().uid()),
        Ttlv.enumeration(Tag.VALIDITY_INDICATOR, valid ? 1 : 2));
  }

  private static List<Ttlv> mac(Struct payload, Batch batch) throws KmipException {
    payload.only(Set.of(Tag.UNIQUE_IDENTIFIER, Tag.CRYPTOGRAPHIC_PARAMETERS, Tag.DATA));
    Target t = target(payload, batch);
    if (t.key().kind().family() != KeyKind.Family.HMAC) {
      throw new KmipException(ResultReason.ILLEGAL_OPERATION, "MAC here takes an HMAC key");
    }
    Struct params = parameters(payload);
    Optional<Long> alg =
        params.optionalEnumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, "Cryptographic Algorithm");
    if (alg.isPresent() && alg.get() != t.object().algorithm()) {
      throw new KmipException(
          ResultReason.INVALID_FIELD, "the key is HMAC algorithm " + t.object().algorithm());
    }
    byte[] tag =
        batch.partition.client.sign(
            t.object().key(), HmacParameters.create(), payload.bytes(Tag.DATA, "Data"));
    return List.of(
        Ttlv.text(Tag.UNIQUE_IDENTIFIER, t.object().uid()), Ttlv.bytes(Tag.MAC_DATA, tag));
  }
}
