package io.ihsm.firmware.dispatch;

import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.message.DeviceCounters;
import io.ihsm.ddi.message.Empty;
import io.ihsm.firmware.audit.AuditLog;
import io.ihsm.firmware.keys.KeyService;
import io.ihsm.firmware.session.SessionTable;
import io.ihsm.firmware.vault.Vault;
import java.util.Map;

/** GET_DEVICE_COUNTERS: what the module holds now, in counts, for monitoring. */
public final class CounterHandlers {
  private CounterHandlers() {}

  public static Map<Opcode, Handler> create(
      Vault vault, KeyService keys, SessionTable sessions, AuditLog audit) {
    return Map.of(
        Opcode.GET_DEVICE_COUNTERS,
        (ctx, body) -> {
          Empty.read(body);
          return Reply.approved(
              new DeviceCounters(
                  vault.list().partitions().size(),
                  sessions.open(),
                  keys.loadedKeys(),
                  audit.head().sequence() + 1,
                  audit.storedBytes()));
        });
  }
}
