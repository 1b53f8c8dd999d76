package io.ihsm.ddi;

/**
 * Every request a device serves, with its stable wire number and the rules the dispatcher applies
 * before any handler runs.
 */
public enum Opcode {
  /** Which API revisions the device speaks. Carries no revision and no session. */
  GET_API_REV(0x0001, SessionRule.NONE, Availability.ALWAYS, PortRule.ANY),
  /** Static device identity: vendor, model, serial, firmware, crypto engine, limits. */
  GET_DEVICE_INFO(0x0002, SessionRule.NONE, Availability.ALWAYS, PortRule.ANY),
  /** Device state and its reason, firmware version and SVN, uptime. */
  GET_DEVICE_STATUS(0x0003, SessionRule.NONE, Availability.ALWAYS, PortRule.ANY),
  /** Random bytes from the module's random bit generator. */
  GET_RANDOM(0x0010, SessionRule.NONE, Availability.OPERATIONAL, PortRule.ANY),
  /** Ends a session; its session keys vanish. */
  CLOSE_SESSION(0x0102, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.PARTITION);

  /** Whether the header's session id must be zero or must name a session. */
  public enum SessionRule { NONE, REQUIRED }

  /** States in which the device serves the opcode. */
  public enum Availability { ALWAYS, OPERATIONAL }

  /** Which ports (sockets) serve the opcode. */
  public enum PortRule { ANY, MANAGEMENT, PARTITION }

  private final int code;
  private final SessionRule sessionRule;
  private final Availability availability;
  private final PortRule portRule;

  Opcode(int code, SessionRule sessionRule, Availability availability, PortRule portRule) {
    this.code = code;
    this.sessionRule = sessionRule;
    this.availability = availability;
    this.portRule = portRule;
  }

  /** The stable wire number (u16). */
  public int code() {
    return code;
  }

  public SessionRule sessionRule() {
    return sessionRule;
  }

  public Availability availability() {
    return availability;
  }

  public PortRule portRule() {
    return portRule;
  }

  /** The opcode with this wire number, or null when there is none. */
  public static Opcode fromCode(int code) {
    for (Opcode o : values()) {
      if (o.code == code) {
        return o;
      }
    }
    return null;
  }
}
