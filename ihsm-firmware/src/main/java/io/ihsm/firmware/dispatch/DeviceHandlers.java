package io.ihsm.firmware.dispatch;

import io.ihsm.ddi.ApiRevision;
import io.ihsm.ddi.Frames;
import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.message.ApiRevisionRange;
import io.ihsm.ddi.message.DeviceInfo;
import io.ihsm.ddi.message.DeviceStatus;
import io.ihsm.ddi.message.Empty;
import io.ihsm.ddi.message.FirmwareInfo;
import io.ihsm.ddi.message.GetRandomRequest;
import io.ihsm.ddi.message.RandomBytes;
import io.ihsm.ddi.spi.DeviceIdentity;
import io.ihsm.ddi.spi.DevicePlatform;
import io.ihsm.ddi.spi.FirmwareMeasurement;
import io.ihsm.firmware.crypto.CryptoEngine;
import io.ihsm.firmware.rng.RandomSource;
import io.ihsm.firmware.session.SessionTable;
import io.ihsm.firmware.state.DeviceStateMachine;
import java.util.EnumMap;
import java.util.Map;

/** Handlers for the device-level opcodes: revision, info, status, random, session close. */
public final class DeviceHandlers {
  private DeviceHandlers() {}

  public static Map<Opcode, Handler> create(DevicePlatform platform, CryptoEngine engine, DeviceStateMachine state,
      SessionTable sessions, RandomSource random, long bootNanos) {
    DeviceIdentity device = platform.identity();
    FirmwareMeasurement firmware = platform.measurement();
    Map<Opcode, Handler> h = new EnumMap<>(Opcode.class);
    h.put(Opcode.GET_API_REV, (ctx, body) -> {
      Empty.read(body);
      return Reply.nonApproved(new ApiRevisionRange(ApiRevision.oldestSupported(), ApiRevision.newestSupported()));
    });
    h.put(Opcode.GET_DEVICE_INFO, (ctx, body) -> {
      Empty.read(body);
      return Reply.nonApproved(new DeviceInfo(device.vendor(), device.model(), device.serialNumber(),
          firmware.version(), engine.name(), Frames.MAX_FRAME_BYTES));
    });
    h.put(Opcode.GET_DEVICE_STATUS, (ctx, body) -> {
      Empty.read(body);
      long uptime = (System.nanoTime() - bootNanos) / 1_000_000;
      return Reply.nonApproved(new DeviceStatus(state.state(), state.reason(), firmware.version(), firmware.svn(), uptime));
    });
    h.put(Opcode.GET_FIRMWARE_INFO, (ctx, body) -> {
      Empty.read(body);
      return Reply.nonApproved(new FirmwareInfo(firmware.version(), firmware.svn(), firmware.digest(), firmware.signer(),
          firmware.source(), platform.fusedSvn()));
    });
    h.put(Opcode.GET_RANDOM, (ctx, body) -> {
      GetRandomRequest req = GetRandomRequest.read(body);
      return Reply.nonApproved(new RandomBytes(random.bytes(req.length())));
    });
    h.put(Opcode.CLOSE_SESSION, (ctx, body) -> {
      Empty.read(body);
      sessions.close(ctx.port(), ctx.header().sessionId());
      return Reply.nonApproved(Empty.INSTANCE);
    });
    return h;
  }
}
