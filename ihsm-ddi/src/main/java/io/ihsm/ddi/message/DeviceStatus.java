package io.ihsm.ddi.message;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;

/**
 * GetDeviceStatus response.
 *
 * <pre>
 * u8      state (DeviceState)
 * string  reason (≤ 256 bytes; empty unless ERROR, TAMPERED or ZEROIZED)
 * string  firmware version (≤ 64 bytes; empty when no firmware is loaded)
 * u32     firmware security version number (0 when none is loaded)
 * u64     uptime in milliseconds since power-on
 * u32     self-tests passed in the last complete round
 * u32     self-tests in the suite
 * u64     uptime in milliseconds when a self-test last ran
 * u32     tamper events counted over the device's life
 * u8      approved-only mode: 1 when non-approved algorithms and parameters are refused
 * </pre>
 */
public record DeviceStatus(
    DeviceState state,
    String reason,
    String firmwareVersion,
    int firmwareSvn,
    long uptimeMillis,
    int selfTestsPassed,
    int selfTestsTotal,
    long lastSelfTestMillis,
    int tamperCount,
    boolean approvedMode)
    implements Body {
  public static final int MAX_REASON = 256;
  public static final int MAX_VERSION = 64;

  @Override
  public void writeTo(BodyWriter w) {
    w.u8(state.code())
        .string(reason, MAX_REASON)
        .string(firmwareVersion, MAX_VERSION)
        .u32(firmwareSvn)
        .u64(uptimeMillis)
        .u32(selfTestsPassed)
        .u32(selfTestsTotal)
        .u64(lastSelfTestMillis)
        .u32(tamperCount)
        .bool(approvedMode);
  }

  public static DeviceStatus read(BodyReader r) throws DdiException {
    int code = r.u8("state");
    DeviceState state = DeviceState.fromCode(code);
    if (state == null) {
      throw new DdiException(Status.MALFORMED_BODY, "field 'state': unknown state " + code);
    }
    DeviceStatus s =
        new DeviceStatus(
            state,
            r.string("reason", MAX_REASON),
            r.string("firmwareVersion", MAX_VERSION),
            r.u32("firmwareSvn"),
            r.u64("uptimeMillis"),
            r.u32("selfTestsPassed"),
            r.u32("selfTestsTotal"),
            r.u64("lastSelfTestMillis"),
            r.u32("tamperCount"),
            r.bool("approvedMode"));
    r.end();
    return s;
  }
}
