package io.ihsm.ddi.key;

/**
 * Where a key came from; recorded in its masked blob and attestation. Wire numbers (u8) are stable.
 */
public enum KeyOrigin {
  GENERATED(1),
  DERIVED(2),
  IMPORTED(3);

  private final int code;

  KeyOrigin(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  public static KeyOrigin fromCode(int code) {
    for (KeyOrigin o : values()) {
      if (o.code == code) {
        return o;
      }
    }
    return null;
  }
}
