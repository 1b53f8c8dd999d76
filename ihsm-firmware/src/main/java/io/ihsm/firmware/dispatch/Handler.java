package io.ihsm.firmware.dispatch;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.DdiException;

/**
 * Serves one opcode. The dispatcher has already checked the header rules, device state and session;
 * a handler decodes and validates its body completely before it changes any state, and reports
 * refusals by throwing {@link DdiException}.
 */
@FunctionalInterface
public interface Handler {
  Reply handle(RequestContext ctx, BodyReader body) throws DdiException;
}
