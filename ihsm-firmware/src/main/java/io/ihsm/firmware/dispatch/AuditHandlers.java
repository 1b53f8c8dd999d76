package io.ihsm.firmware.dispatch;

import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.message.Bytes;
import io.ihsm.ddi.message.Empty;
import io.ihsm.ddi.message.FirmwareChunk;
import io.ihsm.ddi.message.Id;
import io.ihsm.firmware.audit.AuditLog;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/**
 * Handlers for the audit log: export in pieces (Crypto Officer) and the audit public key (anyone).
 * Serving an export's last piece marks its entries exported, so they may rotate out later.
 */
public final class AuditHandlers {
  /** Export pieces are this size or smaller. */
  static final int PIECE_BYTES = 128 * 1024;

  private AuditHandlers() {}

  public static Map<Opcode, Handler> create(AuditLog audit) {
    Map<Opcode, Handler> h = new EnumMap<>(Opcode.class);
    h.put(
        Opcode.EXPORT_AUDIT_LOG,
        (ctx, body) -> {
          int offset = Id.read(body).value();
          ctx.requireCryptoOfficer();
          byte[] export;
          if (offset == 0) {
            // A new export starts at offset 0: the export is itself an audited event, then signed.
            audit.record(
                "AUDIT_EXPORT",
                ctx.port() + " session=" + Integer.toHexString(ctx.header().sessionId()));
            export = audit.export();
          } else {
            export = audit.lastExport();
          }
          if (offset < 0 || offset > export.length || (offset == export.length && offset != 0)) {
            throw new DdiException(
                Status.INVALID_PARAMETER, "offset " + offset + " is outside the export");
          }
          int end = Math.min(export.length, offset + PIECE_BYTES);
          if (end == export.length) {
            audit.exportRead(); // read to its end: what it covers may now rotate out
          }
          return Reply.approved(
              new FirmwareChunk(export.length, Arrays.copyOfRange(export, offset, end)));
        });
    h.put(
        Opcode.GET_AUDIT_KEY,
        (ctx, body) -> {
          Empty.read(body);
          return Reply.approved(new Bytes(audit.publicKey().getEncoded()));
        });
    return h;
  }
}
