package io.ihsm.firmware.keys;

import io.ihsm.ddi.key.KeyKind;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * A key's material inside the module: raw bytes for symmetric kinds, a key pair for EC and RSA. Raw
 * bytes are wiped on {@link #wipe()}; JCA key objects made from them are short-lived copies the JVM
 * does not let us wipe (docs/threat-model.md says so).
 */
public final class KeyMaterial {
  private final KeyKind kind;
  private final byte[] secret;
  private final KeyPair pair;

  private KeyMaterial(KeyKind kind, byte[] secret, KeyPair pair) {
    this.kind = kind;
    this.secret = secret;
    this.pair = pair;
  }

  static KeyMaterial symmetric(KeyKind kind, byte[] secret) {
    return new KeyMaterial(kind, secret, null);
  }

  static KeyMaterial asymmetric(KeyKind kind, KeyPair pair) {
    return new KeyMaterial(kind, null, pair);
  }

  /** An imported public key: it can verify and encrypt, never sign or decrypt. */
  static KeyMaterial publicOnly(KeyKind kind, PublicKey publicKey) {
    return new KeyMaterial(kind, null, new KeyPair(publicKey, null));
  }

  public boolean hasPrivateKey() {
    return pair != null && pair.getPrivate() != null;
  }

  public KeyKind kind() {
    return kind;
  }

  /** A JCA secret key for {@code algorithm} ("AES", "HmacSHA256"); symmetric kinds only. */
  public SecretKey secretKey(String algorithm) {
    return new SecretKeySpec(secret, algorithm);
  }

  /** A copy of the raw secret bytes; the caller wipes it. */
  public byte[] secretBytes() {
    return secret.clone();
  }

  public PrivateKey privateKey() {
    return pair.getPrivate();
  }

  public PublicKey publicKey() {
    return pair.getPublic();
  }

  public boolean isAsymmetric() {
    return pair != null;
  }

  /** The key's size in bits: symmetric key length, EC field size, RSA modulus. */
  public int bits() {
    return switch (pair == null ? null : pair.getPublic()) {
      case null -> secret.length * 8;
      case ECPublicKey ec -> ec.getParams().getCurve().getField().getFieldSize();
      case RSAPublicKey rsa -> rsa.getModulus().bitLength();
      default -> kind.bytes() * 8; // ML-DSA, ML-KEM: the encoded public key's size
    };
  }

  /**
   * The material as stored in a masked blob: raw bytes, or PKCS#8 DER (the public key travels in
   * the blob's authenticated metadata). The caller wipes it.
   */
  byte[] encode() {
    if (!isAsymmetric()) {
      return secret.clone();
    }
    return hasPrivateKey() ? pair.getPrivate().getEncoded() : new byte[0];
  }

  /** Whether two materials are the same key, compared in constant time; the copies are wiped. */
  boolean sameAs(KeyMaterial other) {
    if (kind != other.kind || hasPrivateKey() != other.hasPrivateKey()) {
      return false;
    }
    // The secret (raw bytes, or PKCS#8 which holds the public key too) decides; a public-only key
    // its SPKI.
    boolean publicOnly = isAsymmetric() && !hasPrivateKey();
    byte[] a = publicOnly ? publicKey().getEncoded() : encode();
    byte[] b = publicOnly ? other.publicKey().getEncoded() : other.encode();
    try {
      return MessageDigest.isEqual(a, b);
    } finally {
      Arrays.fill(a, (byte) 0);
      Arrays.fill(b, (byte) 0);
    }
  }

  /** What the material counts against the partition's key-byte limit. */
  int cost() {
    if (!isAsymmetric()) {
      return secret.length;
    }
    return hasPrivateKey()
        ? pair.getPrivate().getEncoded().length
        : pair.getPublic().getEncoded().length;
  }

  void wipe() {
    if (secret != null) {
      Arrays.fill(secret, (byte) 0);
    }
  }
}
