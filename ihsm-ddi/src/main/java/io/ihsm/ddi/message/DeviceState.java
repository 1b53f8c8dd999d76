package io.ihsm.ddi.message;

/**
 * The device state machine: POWER_ON → SELF_TEST → OPERATIONAL, and the error states. Only status
 * and info are served outside OPERATIONAL. Wire numbers (u8) are stable.
 */
public enum DeviceState {
  POWER_ON(0),
  SELF_TEST(1),
  OPERATIONAL(2),
  ERROR(3),
  TAMPERED(4),
  ZEROIZED(5);

  private final int code;

  DeviceState(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  public static DeviceState fromCode(int code) {
    for (DeviceState s : values()) {
      if (s.code == code) {
        return s;
      }
    }
    return null;
  }
}
