package io.ihsm.firmware.dispatch;

import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.domain.Admission;
import io.ihsm.ddi.domain.AdmitRequest;
import io.ihsm.ddi.domain.BackupRequest;
import io.ihsm.ddi.domain.DomainPolicy;
import io.ihsm.ddi.domain.JoinConfirmation;
import io.ihsm.ddi.domain.RestoreRequest;
import io.ihsm.ddi.message.Bytes;
import io.ihsm.ddi.message.Empty;
import io.ihsm.ddi.message.Id;
import io.ihsm.firmware.domain.DomainBackups;
import io.ihsm.firmware.domain.DomainJoin;
import io.ihsm.firmware.domain.SecurityDomain;
import io.ihsm.firmware.vault.Vault;
import java.util.EnumMap;
import java.util.Map;

/** Handlers for the security domain: genesis, the attested join, status, adopting partitions. */
public final class DomainHandlers {
  private DomainHandlers() {}

  public static Map<Opcode, Handler> create(
      DomainJoin join, DomainBackups backups, SecurityDomain domain, Vault vault) {
    Map<Opcode, Handler> h = new EnumMap<>(Opcode.class);
    h.put(
        Opcode.DOMAIN_CREATE,
        (ctx, body) -> {
          DomainPolicy requested = DomainPolicy.read(body);
          ctx.requireCryptoOfficer();
          return Reply.approved(join.create(requested));
        });
    h.put(
        Opcode.DOMAIN_STATUS,
        (ctx, body) -> {
          Empty.read(body);
          return Reply.approved(domain.status());
        });
    h.put(
        Opcode.DOMAIN_JOIN_REQUEST,
        (ctx, body) -> {
          byte[] domainId = Bytes.read(body).bytes();
          ctx.requireCryptoOfficer();
          return Reply.approved(join.request(domainId));
        });
    h.put(
        Opcode.DOMAIN_ADMIT,
        (ctx, body) -> {
          AdmitRequest request = AdmitRequest.read(body);
          ctx.requireCryptoOfficer();
          return Reply.approved(join.admit(request.request(), request.approvals()));
        });
    h.put(
        Opcode.DOMAIN_JOIN_COMPLETE,
        (ctx, body) -> {
          Admission admission = Admission.read(body);
          ctx.requireCryptoOfficer();
          return Reply.approved(join.complete(admission));
        });
    h.put(
        Opcode.DOMAIN_CONFIRM,
        (ctx, body) -> {
          JoinConfirmation confirmation = JoinConfirmation.read(body);
          ctx.requireCryptoOfficer();
          join.confirm(confirmation);
          return Reply.approved(Empty.INSTANCE);
        });
    h.put(
        Opcode.DOMAIN_ROTATE,
        (ctx, body) -> {
          Empty.read(body);
          ctx.requireCryptoOfficer();
          return Reply.approved(domain.rotate());
        });
    h.put(
        Opcode.DOMAIN_RETIRE_EPOCH,
        (ctx, body) -> {
          int epoch = Id.read(body).value();
          ctx.requireCryptoOfficer();
          domain.retire(epoch);
          vault.epochRetired(epoch);
          return Reply.approved(Empty.INSTANCE);
        });
    h.put(
        Opcode.DOMAIN_REVOKE,
        (ctx, body) -> {
          byte[] device = Bytes.read(body).bytes();
          ctx.requireCryptoOfficer();
          return Reply.approved(domain.revoke(device));
        });
    h.put(
        Opcode.DOMAIN_BACKUP,
        (ctx, body) -> {
          BackupRequest request = BackupRequest.read(body);
          ctx.requireCryptoOfficer();
          return Reply.approved(backups.backup(request));
        });
    h.put(
        Opcode.DOMAIN_RESTORE,
        (ctx, body) -> {
          RestoreRequest request = RestoreRequest.read(body);
          ctx.requireCryptoOfficer();
          return Reply.approved(backups.restore(request));
        });
    h.put(
        Opcode.REMASK,
        (ctx, body) ->
            Reply.approved(new Bytes(vault.remask(ctx.port(), Bytes.readBlob(body).bytes()))));
    h.put(
        Opcode.ADOPT_PARTITION,
        (ctx, body) -> Reply.approved(new Id(vault.adopt(Bytes.readBlob(body).bytes()))));
    return h;
  }
}
