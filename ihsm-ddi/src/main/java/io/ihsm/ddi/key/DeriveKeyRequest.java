package io.ihsm.ddi.key;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.message.Body;

/**
 * DeriveKey request: a new key from a loaded base key with usage derive.
 *
 * <pre>
 * u32   base key handle
 * u8    method: 1 ECDH (base: EC; peer: the other side's SPKI), 2 HKDF, 3 KBKDF (SP 800-108 counter
 *       mode, HMAC PRF); HKDF and KBKDF take an HMAC or secret base key
 * u8    hash (HKDF, KBKDF: SHA-256, SHA-384 or SHA-512; ECDH: none)
 * bytes peer public key (ECDH, ≤ 1024)
 * bytes salt (HKDF) or label (KBKDF) (≤ 1024)
 * bytes info (HKDF) or context (KBKDF) (≤ 1024)
 * u32   output length in bytes for a secret key (1..8192; for other kinds 0: the kind fixes it)
 * attributes of the new key
 * </pre>
 */
public record DeriveKeyRequest(
    int baseHandle,
    Method method,
    HashAlgorithm hash,
    byte[] peerPublicKey,
    byte[] salt,
    byte[] info,
    int length,
    KeyAttributes attributes)
    implements Body {
  public static final int MAX_FIELD = 1024;

  /** The peer field: an EC public key, or an ML-KEM ciphertext (1568 bytes for ML-KEM-1024). */
  public static final int MAX_PEER = 2048;

  public static final int MAX_SECRET = 8192;

  /** How the key is derived. */
  public enum Method {
    ECDH(1),
    HKDF(2),
    KBKDF(3),
    /**
     * ML-KEM decapsulation (FIPS 203): the base is an ML-KEM private key, the peer field carries
     * the ciphertext; the 32-byte shared secret becomes the new key (secret, aes-256 or
     * hmac-sha256).
     */
    ML_KEM(4);

    private final int code;

    Method(int code) {
      this.code = code;
    }

    public int code() {
      return code;
    }

    static Method fromCode(int code) {
      for (Method m : values()) {
        if (m.code == code) {
          return m;
        }
      }
      return null;
    }
  }

  public DeriveKeyRequest {
    peerPublicKey = peerPublicKey.clone();
    salt = salt.clone();
    info = info.clone();
  }

  @Override
  public byte[] peerPublicKey() {
    return peerPublicKey.clone();
  }

  @Override
  public byte[] salt() {
    return salt.clone();
  }

  @Override
  public byte[] info() {
    return info.clone();
  }

  @Override
  public void writeTo(BodyWriter w) {
    w.u32(baseHandle)
        .u8(method.code())
        .u8(hash.code())
        .bytes(peerPublicKey, MAX_PEER)
        .bytes(salt, MAX_FIELD)
        .bytes(info, MAX_FIELD)
        .u32(length);
    attributes.writeTo(w);
  }

  public static DeriveKeyRequest read(BodyReader r) throws DdiException {
    int base = r.u32("baseHandle");
    Method m = Method.fromCode(r.u8("method"));
    HashAlgorithm h = HashAlgorithm.fromCode(r.u8("hash"));
    byte[] peer = r.bytes("peerPublicKey", MAX_PEER);
    byte[] salt = r.bytes("salt", MAX_FIELD);
    byte[] info = r.bytes("info", MAX_FIELD);
    int length = r.u32("length");
    KeyAttributes attrs = KeyAttributes.readField(r);
    r.end();
    if (m == null || h == null) {
      throw new DdiException(Status.INVALID_PARAMETER, "unknown derivation method or hash");
    }
    boolean ecdh = m == Method.ECDH || m == Method.ML_KEM;
    if (ecdh != (h == HashAlgorithm.NONE)
        || ecdh != (peer.length > 0)
        || (ecdh && (salt.length > 0 || info.length > 0))) {
      throw new DdiException(
          Status.INVALID_PARAMETER,
          "ECDH takes a peer key and ML-KEM a ciphertext, and nothing else; HKDF and KBKDF take a"
              + " hash and no peer key");
    }
    return new DeriveKeyRequest(base, m, h, peer, salt, info, length, attrs);
  }
}
