package io.ihsm.firmware;

import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.message.Empty;
import io.ihsm.ddi.message.Id;
import io.ihsm.ddi.message.SealedCredential;
import io.ihsm.ddi.message.TamperRequest;
import io.ihsm.firmware.audit.AuditLog;
import io.ihsm.firmware.dispatch.Handler;
import io.ihsm.firmware.dispatch.Reply;
import io.ihsm.firmware.policy.ApprovedMode;
import java.util.EnumMap;
import java.util.Map;

/** Handlers for the module's own life cycle: tamper, zeroize, re-initialize, approved-only mode. */
final class ModuleHandlers {
  private ModuleHandlers() {}

  static Map<Opcode, Handler> create(ModuleLifecycle lifecycle, ApprovedMode mode, AuditLog audit) {
    Map<Opcode, Handler> h = new EnumMap<>(Opcode.class);
    h.put(
        Opcode.TAMPER,
        (ctx, body) -> {
          lifecycle.tamper(TamperRequest.read(body).sensor());
          return Reply.approved(Empty.INSTANCE);
        });
    h.put(
        Opcode.ZEROIZE,
        (ctx, body) -> {
          Empty.read(body);
          ctx.requireCryptoOfficer();
          lifecycle.zeroize();
          return Reply.approved(Empty.INSTANCE);
        });
    h.put(
        Opcode.REINITIALIZE,
        (ctx, body) -> {
          lifecycle.reinitialize(ctx.port(), SealedCredential.read(body));
          return Reply.approved(Empty.INSTANCE);
        });
    h.put(
        Opcode.SET_APPROVED_MODE,
        (ctx, body) -> {
          int on = Id.read(body).value();
          ctx.requireCryptoOfficer();
          if (on != 0 && on != 1) {
            throw new DdiException(Status.INVALID_PARAMETER, "approved mode is 1 (on) or 0 (off)");
          }
          mode.set(on == 1);
          audit.record("APPROVED_MODE", on == 1 ? "on" : "off");
          return Reply.approved(Empty.INSTANCE);
        });
    return h;
  }
}
