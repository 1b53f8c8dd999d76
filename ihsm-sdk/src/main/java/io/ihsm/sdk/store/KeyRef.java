package io.ihsm.sdk.store;

import io.ihsm.ddi.key.KeyAttributes;

/**
 * How callers name a key: {@code label} for its newest version, {@code label#version} for one
 * version whatever follows it (versions count from 1). Labels never contain {@code #}.
 */
public record KeyRef(String label, int version) {
  public static final char SEPARATOR = '#';

  /** {@code version} 0: the newest. */
  public KeyRef {
    if (label.isEmpty() || !KeyAttributes.validLabel(label)) {
      throw new IllegalArgumentException(
          "key labels are 1-64 of [A-Za-z0-9._-], starting with a letter or digit");
    }
    if (version < 0) {
      throw new IllegalArgumentException("key versions count from 1, got " + version);
    }
  }

  /**
   * @throws IllegalArgumentException naming what is wrong when {@code ref} is neither a label nor
   *     {@code label#version}
   */
  public static KeyRef parse(String ref) {
    int hash = ref.indexOf(SEPARATOR);
    if (hash < 0) {
      return new KeyRef(ref, 0);
    }
    String digits = ref.substring(hash + 1);
    if (digits.isEmpty()
        || digits.length() > 9
        || !digits.chars().allMatch(c -> c >= '0' && c <= '9')
        || digits.charAt(0) == '0') {
      throw new IllegalArgumentException(
          "a key version is named label#N, N a version from 1; got " + ref);
    }
    return new KeyRef(ref.substring(0, hash), Integer.parseInt(digits));
  }

  /** Whether {@code ref} names one version ({@code label#N}). */
  public static boolean valid(String ref) {
    try {
      return parse(ref).version() > 0;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  public static String of(String label, int version) {
    return label + SEPARATOR + version;
  }

  /** Whether this names the newest version rather than one version. */
  public boolean newest() {
    return version == 0;
  }

  @Override
  public String toString() {
    return newest() ? label : of(label, version);
  }
}
