package io.ihsm.device.boot;

import io.ihsm.ddi.ApiRevision;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Frames;
import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.RequestRules;
import io.ihsm.ddi.ResponseHeader;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.message.ApiRevisionRange;
import io.ihsm.ddi.message.BindClientRequest;
import io.ihsm.ddi.message.Body;
import io.ihsm.ddi.message.DeviceInfo;
import io.ihsm.ddi.message.DeviceState;
import io.ihsm.ddi.message.DeviceStatus;
import io.ihsm.ddi.message.Empty;
import io.ihsm.ddi.message.FirmwareInfo;
import io.ihsm.ddi.spi.DeviceIdentity;
import io.ihsm.ddi.spi.Port;

/**
 * What answers when no firmware runs (the image failed to load): revision, info and status, so the
 * reason for ERROR can be read; every other request gets DEVICE_NOT_OPERATIONAL.
 */
public final class BootRomResponder {
  private final DeviceIdentity identity;
  private final String reason;
  private final long powerOnNanos;
  private final String source;
  private final int fusedSvn;

  public BootRomResponder(
      DeviceIdentity identity, String reason, long powerOnNanos, String source, int fusedSvn) {
    this.identity = identity;
    this.reason = reason;
    this.powerOnNanos = powerOnNanos;
    this.source = source;
    this.fusedSvn = fusedSvn;
  }

  public byte[] process(Port port, byte[] frame) {
    int requestId = Frames.requestIdOf(frame);
    try {
      Frames.Request request = Frames.decodeRequest(frame);
      Opcode op = RequestRules.check(request.header(), port);
      if (op == Opcode.BIND_CLIENT) {
        // A client binds its connections before anything else; the ROM serves no sessions to bind.
        BindClientRequest.read(request.body());
        return Frames.encodeResponse(
            new ResponseHeader(Status.SUCCESS, false, requestId), new byte[0]);
      }
      Body body =
          switch (op) {
            case GET_API_REV ->
                new ApiRevisionRange(ApiRevision.oldestSupported(), ApiRevision.newestSupported());
            case GET_DEVICE_INFO ->
                new DeviceInfo(
                    identity.vendor(),
                    identity.model(),
                    identity.serialNumber(),
                    "",
                    "",
                    Frames.MAX_FRAME_BYTES);
            case GET_DEVICE_STATUS ->
                new DeviceStatus(
                    DeviceState.ERROR,
                    reason,
                    "",
                    0,
                    (System.nanoTime() - powerOnNanos) / 1_000_000,
                    0,
                    0,
                    0,
                    0,
                    true);
            case GET_FIRMWARE_INFO -> new FirmwareInfo("", 0, "", "", source, fusedSvn);
            default ->
                throw new DdiException(
                    Status.DEVICE_NOT_OPERATIONAL,
                    "the device is in ERROR, no firmware runs: " + reason);
          };
      Empty.read(request.body());
      return Frames.encodeResponse(
          new ResponseHeader(Status.SUCCESS, false, requestId), body::writeTo);
    } catch (DdiException e) {
      return Frames.errorResponse(e.status(), requestId, e.getMessage());
    }
  }
}
