package io.ihsm.sdk.signature;

import io.ihsm.sdk.key.HashFunction;
import java.util.Objects;

/** RSASSA-PSS: the message hash, the MGF1 hash and the salt length in bytes. */
public final class RsaPssParameters implements SignatureParameters {
  /** A salt longer than this fits no key size the device offers. */
  public static final int MAX_SALT_LENGTH = 512;

  private final HashFunction hash;
  private final HashFunction mgf1Hash;
  private final int saltLength;

  private RsaPssParameters(HashFunction hash, HashFunction mgf1Hash, int saltLength) {
    this.hash = hash;
    this.mgf1Hash = mgf1Hash;
    this.saltLength = saltLength;
  }

  /** The usual choice: MGF1 with the same hash, a salt as long as the hash. */
  public static RsaPssParameters of(HashFunction hash) {
    Objects.requireNonNull(hash, "hash");
    return of(hash, hash, hash.length());
  }

  /**
   * @throws IllegalArgumentException for SHA-1 or a salt length outside 0 to {@value
   *     #MAX_SALT_LENGTH}
   */
  public static RsaPssParameters of(HashFunction hash, HashFunction mgf1Hash, int saltLength) {
    Objects.requireNonNull(hash, "hash");
    Objects.requireNonNull(mgf1Hash, "mgf1Hash");
    if (hash == HashFunction.SHA1 || mgf1Hash == HashFunction.SHA1) {
      throw new IllegalArgumentException(
          "RSA-PSS here uses SHA-256, SHA-384 or SHA-512 for the hash and MGF1, not SHA-1");
    }
    if (saltLength < 0 || saltLength > MAX_SALT_LENGTH) {
      throw new IllegalArgumentException(
          "an RSA-PSS salt is 0 to " + MAX_SALT_LENGTH + " bytes, got " + saltLength);
    }
    return new RsaPssParameters(hash, mgf1Hash, saltLength);
  }

  public HashFunction hash() {
    return hash;
  }

  public HashFunction mgf1Hash() {
    return mgf1Hash;
  }

  public int saltLength() {
    return saltLength;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RsaPssParameters p
        && p.hash == hash
        && p.mgf1Hash == mgf1Hash
        && p.saltLength == saltLength;
  }

  @Override
  public int hashCode() {
    return Objects.hash(hash, mgf1Hash, saltLength);
  }

  @Override
  public String toString() {
    return "RSA-PSS(" + hash + ", MGF1 " + mgf1Hash + ", salt " + saltLength + ")";
  }
}
