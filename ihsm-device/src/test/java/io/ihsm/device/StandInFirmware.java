package io.ihsm.device;

import io.ihsm.ddi.ApiRevision;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Frames;
import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.ResponseHeader;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.message.ApiRevisionRange;
import io.ihsm.ddi.message.Body;
import io.ihsm.ddi.message.DeviceState;
import io.ihsm.ddi.message.DeviceStatus;
import io.ihsm.ddi.message.GetRandomRequest;
import io.ihsm.ddi.message.RandomBytes;
import io.ihsm.ddi.spi.ClientBinding;
import io.ihsm.ddi.spi.DevicePlatform;
import io.ihsm.ddi.spi.FirmwareEntryPoint;
import io.ihsm.ddi.spi.FirmwareInstance;
import io.ihsm.ddi.spi.Port;

/**
 * A stand-in firmware for transport tests, written against the entry-point interface only: status
 * reports the port a request arrived on (in the reason field), GetRandom sleeps for {@code
 * delayMillis} before answering, and the test drives virtual functions through {@link #platform}.
 */
public final class StandInFirmware implements FirmwareEntryPoint {
  public volatile DevicePlatform platform;
  public volatile long delayMillis;

  @Override
  public FirmwareInstance boot(DevicePlatform platform) {
    this.platform = platform;
    return new FirmwareInstance() {
      @Override
      public byte[] process(Port port, ClientBinding client, byte[] frame) {
        int id = Frames.requestIdOf(frame);
        try {
          Frames.Request r = Frames.decodeRequest(frame);
          Opcode op = Opcode.fromCode(r.header().opcode());
          Body body =
              switch (op) {
                case GET_API_REV -> new ApiRevisionRange(ApiRevision.V1_0, ApiRevision.V1_0);
                case GET_DEVICE_STATUS ->
                    new DeviceStatus(
                        DeviceState.OPERATIONAL,
                        port.toString(),
                        "stand-in",
                        0,
                        0,
                        0,
                        0,
                        0,
                        0,
                        true);
                case GET_RANDOM -> {
                  int n = GetRandomRequest.read(r.body()).length();
                  Thread.sleep(delayMillis);
                  yield new RandomBytes(new byte[n]);
                }
                case null, default -> throw new DdiException(Status.UNKNOWN_OPCODE, "stand-in");
              };
          return Frames.encodeResponse(
              new ResponseHeader(Status.SUCCESS, false, id), body.toBytes());
        } catch (DdiException e) {
          return Frames.errorResponse(e.status(), id);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return Frames.errorResponse(Status.INTERNAL_ERROR, id);
        }
      }

      @Override
      public void close() {}
    };
  }
}
