package io.ihsm.firmware.dispatch;

import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.message.Bytes;
import io.ihsm.ddi.message.Certificates;
import io.ihsm.ddi.message.Empty;
import io.ihsm.firmware.identity.DiceIdentity;
import io.ihsm.firmware.vault.Vault;
import java.util.EnumMap;
import java.util.Map;

/** Handlers for the device identity: the factory steps and the certificate chain. */
public final class IdentityHandlers {
  private IdentityHandlers() {}

  public static Map<Opcode, Handler> create(DiceIdentity identity, Vault vault) {
    Map<Opcode, Handler> h = new EnumMap<>(Opcode.class);
    h.put(
        Opcode.MANUFACTURE,
        (ctx, body) -> {
          Empty.read(body);
          return Reply.approved(new Bytes(identity.manufacture()));
        });
    h.put(
        Opcode.INSTALL_DEVICE_CERTIFICATES,
        (ctx, body) -> {
          identity.install(Certificates.read(body).certificates());
          return Reply.approved(Empty.INSTANCE);
        });
    h.put(
        Opcode.GET_CERTIFICATE_CHAIN,
        (ctx, body) -> {
          Empty.read(body);
          return Reply.approved(new Certificates(identity.chain()));
        });
    h.put(
        Opcode.GET_PARTITION_CERTIFICATES,
        (ctx, body) -> {
          Empty.read(body);
          return Reply.approved(
              new Certificates(
                  identity.partitionChain(ctx.port().partitionId(), vault.binding(ctx.port()))));
        });
    return h;
  }
}
