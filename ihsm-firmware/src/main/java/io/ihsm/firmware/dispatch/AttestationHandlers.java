package io.ihsm.firmware.dispatch;

import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.message.AttestKeyRequest;
import io.ihsm.ddi.message.Bytes;
import io.ihsm.ddi.message.Empty;
import io.ihsm.ddi.message.Nonce;
import io.ihsm.firmware.attest.Attestation;
import io.ihsm.firmware.attest.ComplianceReport;
import io.ihsm.firmware.keys.AttestedKey;
import io.ihsm.firmware.keys.KeyService;
import io.ihsm.firmware.vault.Vault;
import java.util.EnumMap;
import java.util.Map;

/** Handlers for the attestation reports and the compliance report. */
public final class AttestationHandlers {
  private AttestationHandlers() {}

  public static Map<Opcode, Handler> create(
      Attestation attestation, ComplianceReport compliance, KeyService keys, Vault vault) {
    Map<Opcode, Handler> h = new EnumMap<>(Opcode.class);
    h.put(
        Opcode.ATTEST_KEY,
        (ctx, body) -> {
          AttestKeyRequest r = AttestKeyRequest.read(body);
          AttestedKey key = keys.describe(ctx.port(), ctx.userSessionId(), r.handle());
          return Reply.approved(
              new Bytes(
                  attestation.keyReport(
                      ctx.port().partitionId(),
                      vault.binding(ctx.port()),
                      vault.applicationId(ctx.port()),
                      key,
                      r.nonce())));
        });
    h.put(
        Opcode.ATTEST_DEVICE,
        (ctx, body) ->
            Reply.approved(new Bytes(attestation.deviceReport(Nonce.read(body).bytes()))));
    h.put(
        Opcode.GET_COMPLIANCE_REPORT,
        (ctx, body) -> {
          Empty.read(body);
          ctx.requireCryptoOfficer();
          return Reply.approved(compliance.signed());
        });
    return h;
  }
}
