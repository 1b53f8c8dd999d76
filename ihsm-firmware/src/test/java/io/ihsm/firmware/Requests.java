package io.ihsm.firmware;

import io.ihsm.ddi.ApiRevision;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Frames;
import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.RequestHeader;
import io.ihsm.ddi.message.Body;
import io.ihsm.ddi.message.Empty;
import io.ihsm.ddi.spi.ClientBinding;

/** Builds request frames and decodes answers for firmware tests. */
final class Requests {
  /** The one client of tests that send frames by hand. */
  static final ClientBinding CLIENT = ClientBinding.random();

  private Requests() {}

  static byte[] frame(Opcode op, int session, int requestId) {
    return frame(
        op == Opcode.GET_API_REV ? ApiRevision.NONE : ApiRevision.V1_0,
        op,
        session,
        requestId,
        Empty.INSTANCE);
  }

  static byte[] frame(ApiRevision rev, Opcode op, int session, int requestId, Body body) {
    return Frames.encodeRequest(RequestHeader.of(rev, op, session, requestId), body.toBytes());
  }

  static Frames.Response answer(byte[] response) {
    try {
      return Frames.decodeResponse(response);
    } catch (DdiException e) {
      throw new AssertionError("the firmware produced a malformed response: " + e.getMessage(), e);
    }
  }
}
