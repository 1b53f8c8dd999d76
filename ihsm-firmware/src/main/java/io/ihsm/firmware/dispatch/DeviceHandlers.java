package io.ihsm.firmware.dispatch;

import io.ihsm.ddi.ApiRevision;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Frames;
import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.message.ApiRevisionRange;
import io.ihsm.ddi.message.BindClientRequest;
import io.ihsm.ddi.message.DeviceInfo;
import io.ihsm.ddi.message.DeviceStatus;
import io.ihsm.ddi.message.Empty;
import io.ihsm.ddi.message.FirmwareInfo;
import io.ihsm.ddi.message.GetRandomRequest;
import io.ihsm.ddi.message.RandomBytes;
import io.ihsm.ddi.spi.CorruptRecordException;
import io.ihsm.ddi.spi.DeviceIdentity;
import io.ihsm.ddi.spi.DevicePlatform;
import io.ihsm.ddi.spi.FirmwareMeasurement;
import io.ihsm.firmware.crypto.CryptoEngine;
import io.ihsm.firmware.policy.ApprovedMode;
import io.ihsm.firmware.rng.RandomSource;
import io.ihsm.firmware.selftest.SelfTestRunner;
import io.ihsm.firmware.session.SessionTable;
import io.ihsm.firmware.state.DeviceStateMachine;
import io.ihsm.firmware.state.TamperCounter;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * Handlers for the device-level opcodes: revision, info, status, random, client binding, session
 * close.
 */
public final class DeviceHandlers {
  private DeviceHandlers() {}

  public static Map<Opcode, Handler> create(
      DevicePlatform platform,
      CryptoEngine engine,
      DeviceStateMachine state,
      SessionTable sessions,
      RandomSource random,
      SelfTestRunner selfTests,
      ApprovedMode mode,
      long bootNanos) {
    DeviceIdentity device = platform.identity();
    FirmwareMeasurement firmware = platform.measurement();
    Map<Opcode, Handler> h = new EnumMap<>(Opcode.class);
    h.put(
        Opcode.GET_API_REV,
        (ctx, body) -> {
          Empty.read(body);
          return Reply.approved(
              new ApiRevisionRange(ApiRevision.oldestSupported(), ApiRevision.newestSupported()));
        });
    h.put(
        Opcode.GET_DEVICE_INFO,
        (ctx, body) -> {
          Empty.read(body);
          return Reply.approved(
              new DeviceInfo(
                  device.vendor(),
                  device.model(),
                  device.serialNumber(),
                  firmware.version(),
                  engine.name(),
                  Frames.MAX_FRAME_BYTES));
        });
    h.put(
        Opcode.GET_DEVICE_STATUS,
        (ctx, body) -> {
          Empty.read(body);
          long uptime = (System.nanoTime() - bootNanos) / 1_000_000;
          SelfTestRunner.Summary t = selfTests.summary();
          return Reply.approved(
              new DeviceStatus(
                  state.state(),
                  state.reason(),
                  firmware.version(),
                  firmware.svn(),
                  uptime,
                  t.passed(),
                  t.total(),
                  Math.max(0, (t.lastRunNanos() - bootNanos) / 1_000_000),
                  tamperCount(platform),
                  mode.approvedOnly()));
        });
    h.put(
        Opcode.GET_FIRMWARE_INFO,
        (ctx, body) -> {
          Empty.read(body);
          return Reply.approved(
              new FirmwareInfo(
                  firmware.version(),
                  firmware.svn(),
                  firmware.digest(),
                  firmware.signer(),
                  firmware.source(),
                  platform.fusedSvn()));
        });
    h.put(
        Opcode.RUN_SELF_TESTS,
        (ctx, body) -> {
          Empty.read(body);
          ctx.requireCryptoOfficer();
          Optional<String> failed = selfTests.runAll();
          if (failed.isPresent()) {
            state.fail(failed.get());
            throw new DdiException(Status.SELF_TEST_FAILED, failed.get());
          }
          return Reply.approved(Empty.INSTANCE);
        });
    h.put(
        Opcode.GET_RANDOM,
        (ctx, body) -> {
          GetRandomRequest req = GetRandomRequest.read(body);
          return Reply.approved(new RandomBytes(random.bytes(req.length())));
        });
    h.put(
        Opcode.CLOSE_SESSION,
        (ctx, body) -> {
          Empty.read(body);
          sessions.close(ctx.session().orElseThrow());
          return Reply.approved(Empty.INSTANCE);
        });
    h.put(
        Opcode.BIND_CLIENT,
        (ctx, body) -> {
          // The transport rebinds the connection once this succeeds; the firmware only checks the
          // token.
          BindClientRequest.read(body);
          return Reply.approved(Empty.INSTANCE);
        });
    return h;
  }

  /**
   * The tamper count, or -1 when its record cannot be read (the device is then in ERROR, naming
   * it).
   */
  private static int tamperCount(DevicePlatform platform) {
    try {
      return new TamperCounter(platform.nonVolatileStore()).count();
    } catch (CorruptRecordException e) {
      return -1;
    }
  }
}
