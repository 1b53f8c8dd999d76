package io.ihsm.sdk.signature;

import io.ihsm.sdk.key.HashFunction;
import java.util.Objects;

/**
 * ECDSA over the message hashed with {@code hash}, the signature encoded as DER (X.509, TLS, the
 * JDK's {@code SHA256withECDSA}) or IEEE P1363 (r || s: JOSE, WebAuthn, PKCS#11).
 */
public final class EcdsaParameters implements SignatureParameters {
  /** How the two numbers of a signature are written. */
  public enum Encoding {
    DER,
    IEEE_P1363
  }

  private final HashFunction hash;
  private final Encoding encoding;

  private EcdsaParameters(HashFunction hash, Encoding encoding) {
    this.hash = hash;
    this.encoding = encoding;
  }

  /**
   * @throws IllegalArgumentException for SHA-1, which signatures here do not use
   */
  public static EcdsaParameters of(HashFunction hash, Encoding encoding) {
    Objects.requireNonNull(hash, "hash");
    Objects.requireNonNull(encoding, "encoding");
    if (hash == HashFunction.SHA1) {
      throw new IllegalArgumentException(
          "ECDSA here hashes with SHA-256, SHA-384 or SHA-512, not SHA-1");
    }
    return new EcdsaParameters(hash, encoding);
  }

  public HashFunction hash() {
    return hash;
  }

  public Encoding encoding() {
    return encoding;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EcdsaParameters p && p.hash == hash && p.encoding == encoding;
  }

  @Override
  public int hashCode() {
    return Objects.hash(hash, encoding);
  }

  @Override
  public String toString() {
    return "ECDSA(" + hash + ", " + encoding + ")";
  }
}
