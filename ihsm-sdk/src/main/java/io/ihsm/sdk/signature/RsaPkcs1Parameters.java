package io.ihsm.sdk.signature;

import io.ihsm.sdk.key.HashFunction;
import java.util.Objects;

/** RSASSA-PKCS1-v1_5 over the message hashed with {@code hash}. */
public final class RsaPkcs1Parameters implements SignatureParameters {
  private final HashFunction hash;

  private RsaPkcs1Parameters(HashFunction hash) {
    this.hash = hash;
  }

  /**
   * @throws IllegalArgumentException for SHA-1, which signatures here do not use
   */
  public static RsaPkcs1Parameters of(HashFunction hash) {
    Objects.requireNonNull(hash, "hash");
    if (hash == HashFunction.SHA1) {
      throw new IllegalArgumentException(
          "RSA PKCS#1 signatures here hash with SHA-256, SHA-384 or SHA-512, not SHA-1");
    }
    return new RsaPkcs1Parameters(hash);
  }

  public HashFunction hash() {
    return hash;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RsaPkcs1Parameters p && p.hash == hash;
  }

  @Override
  public int hashCode() {
    return hash.hashCode();
  }

  @Override
  public String toString() {
    return "RSA-PKCS1(" + hash + ")";
  }
}
