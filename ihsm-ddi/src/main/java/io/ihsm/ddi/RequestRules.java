package io.ihsm.ddi;

import io.ihsm.ddi.spi.Port;

/**
 * The protocol rules every request header must meet before any handler sees it, in the order they
 * are checked: known opcode, revision rules, port rule, session-id presence. Session existence and
 * the agreed-revision check need the session table and are made by the firmware afterwards.
 */
public final class RequestRules {
  private RequestRules() {}

  public static Opcode check(RequestHeader h, Port port) throws DdiException {
    Opcode op = h.knownOpcode();
    if (op == null) {
      throw new DdiException(
          Status.UNKNOWN_OPCODE, "unknown opcode 0x" + Integer.toHexString(h.opcode()));
    }
    if (op == Opcode.GET_API_REV) {
      if (!h.revision().isNone()) {
        throw new DdiException(Status.REVISION_NOT_ALLOWED, "GetApiRev must carry revision 0.0");
      }
    } else if (h.revision().isNone()) {
      throw new DdiException(Status.MISSING_API_REVISION, op + " needs an API revision");
    } else if (!h.revision().isSupported()) {
      throw new DdiException(
          Status.UNSUPPORTED_API_REVISION, "API revision " + h.revision() + " is not supported");
    }
    switch (op.portRule()) {
      case MANAGEMENT -> {
        if (!port.isManagement()) {
          throw new DdiException(Status.WRONG_PORT, op + " is served on the management port only");
        }
      }
      case PARTITION -> {
        if (port.isManagement()) {
          throw new DdiException(Status.WRONG_PORT, op + " is served on partition ports only");
        }
      }
      case ANY -> {}
    }
    if (op.sessionRule() == Opcode.SessionRule.NONE && h.hasSession()) {
      throw new DdiException(Status.SESSION_NOT_ALLOWED, op + " takes no session id");
    }
    if (op.sessionRule() == Opcode.SessionRule.REQUIRED && !h.hasSession()) {
      throw new DdiException(Status.SESSION_REQUIRED, op + " needs a session id");
    }
    return op;
  }
}
