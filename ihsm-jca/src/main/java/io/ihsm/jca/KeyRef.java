package io.ihsm.jca;

import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import java.security.InvalidKeyException;

/**
 * What a key object points at: its provider's partition and its current label (a store entry can be
 * renamed).
 */
final class KeyRef {
  final Hsm hsm;
  final KeyKind kind;
  final KeyUsage usage;
  private volatile String label;

  KeyRef(Hsm hsm, String label, KeyKind kind, KeyUsage usage) {
    this.hsm = hsm;
    this.label = label;
    this.kind = kind;
    this.usage = usage;
  }

  String label() {
    return label;
  }

  void relabel(String newLabel) {
    label = newLabel;
  }

  /** This key, if it has this usage (every IHSM key has exactly one). */
  KeyRef requireUsage(KeyUsage wanted) throws InvalidKeyException {
    if (usage != wanted) {
      throw new InvalidKeyException(
          "the key '" + label + "' is for " + usage.textName() + ", not " + wanted.textName());
    }
    return this;
  }

  /**
   * For an algorithm named after a parameter set ({@code "ML-DSA-65"}): a key of another set is
   * refused, as the JDK refuses it; {@code only} null takes any.
   */
  static void requireParameterSet(KeyKind only, KeyKind kind) throws InvalidKeyException {
    if (only != null && kind != only) {
      throw new InvalidKeyException(
          "this is " + only.parameterSet() + "; the key is " + kind.parameterSet());
    }
  }
}
