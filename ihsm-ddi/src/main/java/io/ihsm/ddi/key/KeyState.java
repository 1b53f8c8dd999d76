package io.ihsm.ddi.key;

import java.util.Locale;

/**
 * A key's lifecycle state after NIST SP 800-57 Part 1 and KMIP (whose enumeration values these wire
 * numbers are). What each allows is decided by the device ({@link KeyLifecycle#permits}).
 */
public enum KeyState {
  /** Made but not yet in use: no cryptographic operation at all. */
  PRE_ACTIVE(1),
  /** In use: everything the key's usage allows. */
  ACTIVE(2),
  /** Retired (rotated, revoked or past its deactivation date): decrypts, verifies, unwraps only. */
  DEACTIVATED(3),
  /** Known or suspected disclosed: like deactivated, and reported as compromised. */
  COMPROMISED(4),
  /** Its material is gone: nothing. */
  DESTROYED(5);

  private static final KeyState[] BY_CODE = {
    null, PRE_ACTIVE, ACTIVE, DEACTIVATED, COMPROMISED, DESTROYED
  };

  private final int code;

  KeyState(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** Lower-case words with hyphens: "pre-active", "active", … */
  public String textName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The state with this wire number, or null when there is none. */
  public static KeyState fromCode(int code) {
    return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
  }

  /** The state with this text name, or null when there is none. */
  public static KeyState fromTextName(String name) {
    for (KeyState s : values()) {
      if (s.textName().equals(name)) {
        return s;
      }
    }
    return null;
  }
}
