package io.ihsm.ddi.message;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;

/**
 * GetDeviceInfo response: what the device is, fixed for its life (the firmware version changes only
 * by update).
 *
 * <pre>
 * string  vendor (≤ 64 bytes)
 * string  model (≤ 64 bytes)
 * string  serial number (≤ 64 bytes)
 * string  firmware version (≤ 64 bytes)
 * string  crypto engine (≤ 64 bytes; empty when no firmware is loaded)
 * u32     maximum frame size in bytes
 * </pre>
 */
public record DeviceInfo(
    String vendor,
    String model,
    String serialNumber,
    String firmwareVersion,
    String cryptoEngine,
    int maxFrameBytes)
    implements Body {
  public static final int MAX_TEXT = 64;

  @Override
  public void writeTo(BodyWriter w) {
    w.string(vendor, MAX_TEXT)
        .string(model, MAX_TEXT)
        .string(serialNumber, MAX_TEXT)
        .string(firmwareVersion, MAX_TEXT)
        .string(cryptoEngine, MAX_TEXT)
        .u32(maxFrameBytes);
  }

  public static DeviceInfo read(BodyReader r) throws DdiException {
    DeviceInfo i =
        new DeviceInfo(
            r.string("vendor", MAX_TEXT),
            r.string("model", MAX_TEXT),
            r.string("serialNumber", MAX_TEXT),
            r.string("firmwareVersion", MAX_TEXT),
            r.string("cryptoEngine", MAX_TEXT),
            r.u32("maxFrameBytes"));
    r.end();
    return i;
  }
}
