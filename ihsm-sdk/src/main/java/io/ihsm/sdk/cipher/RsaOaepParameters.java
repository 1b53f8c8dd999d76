package io.ihsm.sdk.cipher;

import io.ihsm.sdk.key.HashFunction;
import java.util.Objects;

/** RSA-OAEP: the hash, the MGF1 hash and an optional label (at most 4096 bytes). */
public final class RsaOaepParameters implements CipherParameters {
  public static final int MAX_LABEL = 4096;

  private final HashFunction hash;
  private final HashFunction mgf1Hash;
  private final byte[] label;

  private RsaOaepParameters(HashFunction hash, HashFunction mgf1Hash, byte[] label) {
    this.hash = hash;
    this.mgf1Hash = mgf1Hash;
    this.label = label;
  }

  /** MGF1 with the same hash, no label. */
  public static RsaOaepParameters of(HashFunction hash) {
    Objects.requireNonNull(hash, "hash");
    return new RsaOaepParameters(hash, hash, new byte[0]);
  }

  /**
   * @throws IllegalArgumentException when the label is longer than {@value #MAX_LABEL} bytes
   */
  public static RsaOaepParameters of(HashFunction hash, HashFunction mgf1Hash, byte[] label) {
    Objects.requireNonNull(hash, "hash");
    Objects.requireNonNull(mgf1Hash, "mgf1Hash");
    Objects.requireNonNull(label, "label");
    if (label.length > MAX_LABEL) {
      throw new IllegalArgumentException(
          "an OAEP label is at most " + MAX_LABEL + " bytes, got " + label.length);
    }
    return new RsaOaepParameters(hash, mgf1Hash, label.clone());
  }

  public HashFunction hash() {
    return hash;
  }

  public HashFunction mgf1Hash() {
    return mgf1Hash;
  }

  public byte[] label() {
    return label.clone();
  }

  @Override
  public String toString() {
    return "RSA-OAEP(" + hash + ", MGF1 " + mgf1Hash + ", " + label.length + "-byte label)";
  }
}
