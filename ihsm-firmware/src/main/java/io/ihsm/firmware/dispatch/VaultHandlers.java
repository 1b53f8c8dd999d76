package io.ihsm.firmware.dispatch;

import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.message.Bytes;
import io.ihsm.ddi.message.CreatePartitionRequest;
import io.ihsm.ddi.message.Empty;
import io.ihsm.ddi.message.FirmwareChunk;
import io.ihsm.ddi.message.Id;
import io.ihsm.ddi.message.OwnerRequest;
import io.ihsm.ddi.message.ProvisionRequest;
import io.ihsm.ddi.message.SealedCredential;
import io.ihsm.ddi.spi.DevicePlatform;
import io.ihsm.ddi.spi.Port;
import io.ihsm.firmware.keys.KeyService;
import io.ihsm.firmware.session.Session;
import io.ihsm.firmware.session.SessionTable;
import io.ihsm.firmware.update.FirmwareUpdate;
import io.ihsm.firmware.vault.Vault;
import java.util.EnumMap;
import java.util.Map;

/** Handlers for credentials, sessions and partitions. Each decodes its whole body before acting. */
public final class VaultHandlers {
  private VaultHandlers() {}

  public static Map<Opcode, Handler> create(
      Vault vault,
      KeyService keys,
      SessionTable sessions,
      FirmwareUpdate update,
      DevicePlatform platform) {
    Map<Opcode, Handler> h = new EnumMap<>(Opcode.class);
    h.put(
        Opcode.FIRMWARE_UPDATE_BEGIN,
        (ctx, body) -> {
          FirmwareChunk c = FirmwareChunk.read(body);
          ctx.requireCryptoOfficer();
          update.begin(c.offset(), c.data());
          return Reply.approved(Empty.INSTANCE);
        });
    h.put(
        Opcode.FIRMWARE_UPDATE_CHUNK,
        (ctx, body) -> {
          FirmwareChunk c = FirmwareChunk.read(body);
          ctx.requireCryptoOfficer();
          update.chunk(c.offset(), c.data());
          return Reply.approved(Empty.INSTANCE);
        });
    h.put(
        Opcode.FIRMWARE_UPDATE_FINISH,
        (ctx, body) -> {
          Empty.read(body);
          ctx.requireCryptoOfficer();
          update.finish();
          vault.requestPowerCycle(); // boot the installed image once this answer is ready
          return Reply.approved(Empty.INSTANCE);
        });
    h.put(
        Opcode.COMMIT_FIRMWARE_SVN,
        (ctx, body) -> {
          Empty.read(body);
          ctx.requireCryptoOfficer();
          platform.commitSvn();
          return Reply.approved(new Id(platform.fusedSvn()));
        });
    h.put(
        Opcode.GET_CREDENTIAL_CHANNEL,
        (ctx, body) -> {
          Empty.read(body);
          return Reply.approved(vault.channel(ctx.port()));
        });
    h.put(
        Opcode.INIT_CRYPTO_OFFICER,
        (ctx, body) -> {
          vault.initCryptoOfficer(ctx.port(), SealedCredential.read(body));
          return Reply.approved(Empty.INSTANCE);
        });
    h.put(
        Opcode.OPEN_SESSION,
        (ctx, body) -> {
          SealedCredential credential = SealedCredential.read(body);
          Session.Role role = vault.authenticate(ctx.port(), credential);
          var limits = vault.portLimits(ctx.port());
          Session s =
              sessions.open(
                  ctx.port(),
                  ctx.client(),
                  ctx.header().revision(),
                  role,
                  limits.maxSessions(),
                  limits.idleTimeoutSeconds());
          return Reply.approved(new Id(s.id()));
        });
    h.put(
        Opcode.RESET_DEVICE,
        (ctx, body) -> {
          Empty.read(body);
          ctx.requireCryptoOfficer();
          vault.requestPowerCycle();
          return Reply.approved(Empty.INSTANCE);
        });
    h.put(
        Opcode.CREATE_PARTITION,
        (ctx, body) -> {
          CreatePartitionRequest request = CreatePartitionRequest.read(body);
          ctx.requireCryptoOfficer();
          return Reply.approved(new Id(vault.createPartition(request)));
        });
    h.put(
        Opcode.DELETE_PARTITION,
        (ctx, body) -> {
          int id = Id.read(body).value();
          ctx.requireCryptoOfficer();
          if (id <= 0) {
            throw new DdiException(
                Status.PARTITION_NOT_FOUND, "no partition " + Integer.toUnsignedString(id));
          }
          vault.deletePartition(id);
          sessions.closeAll(Port.partition(id));
          keys.dropPartition(id);
          return Reply.approved(Empty.INSTANCE);
        });
    h.put(
        Opcode.LIST_PARTITIONS,
        (ctx, body) -> {
          Empty.read(body);
          ctx.requireCryptoOfficer();
          return Reply.approved(vault.list());
        });
    h.put(
        Opcode.UNLOCK_CREDENTIAL,
        (ctx, body) -> {
          int id = Id.read(body).value();
          ctx.requireCryptoOfficer();
          if (id <= 0) {
            throw new DdiException(
                Status.PARTITION_NOT_FOUND, "no partition " + Integer.toUnsignedString(id));
          }
          vault.unlock(id);
          return Reply.approved(Empty.INSTANCE);
        });
    h.put(
        Opcode.PROVISION_PARTITION,
        (ctx, body) -> Reply.approved(vault.provision(ctx.port(), ProvisionRequest.read(body))));
    h.put(
        Opcode.REESTABLISH_PARTITION,
        (ctx, body) -> {
          byte[] blob = Bytes.readBlob(body).bytes();
          vault.reestablish(ctx.port(), blob);
          keys.dropPartition(ctx.port().partitionId());
          return Reply.approved(Empty.INSTANCE);
        });
    h.put(
        Opcode.CHANGE_PIN,
        (ctx, body) -> {
          SealedCredential credential = SealedCredential.read(body);
          return Reply.approved(new Bytes(vault.changePin(ctx.port(), credential)));
        });
    h.put(
        Opcode.OWNER_SET_PIN,
        (ctx, body) ->
            Reply.approved(new Bytes(vault.ownerSetPin(ctx.port(), OwnerRequest.read(body)))));
    h.put(
        Opcode.OWNER_REINIT_PARTITION,
        (ctx, body) -> {
          byte[] blob = vault.ownerReinitialize(ctx.port(), OwnerRequest.read(body));
          sessions.closeAll(ctx.port());
          keys.dropPartition(ctx.port().partitionId());
          return Reply.approved(new Bytes(blob));
        });
    return h;
  }
}
