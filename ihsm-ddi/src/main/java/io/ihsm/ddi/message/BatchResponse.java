package io.ihsm.ddi.message;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Frames;
import io.ihsm.ddi.Status;
import java.util.ArrayList;
import java.util.List;

/**
 * The answer to BATCH: one response frame per request, in the requests' order, each with its own
 * status, service indicator and request id.
 *
 * <pre>
 * u16   count
 * bytes frame                                   × count, each a response frame
 * </pre>
 */
public final class BatchResponse implements Body {
  private final List<byte[]> frames;

  /** The response frames, not copied (the device's own, or as read). */
  public BatchResponse(List<byte[]> frames) {
    this.frames = List.copyOf(frames);
  }

  /** The response frames, shared with this message: callers only read them. */
  public List<byte[]> frames() {
    return frames;
  }

  @Override
  public void writeTo(BodyWriter w) {
    w.u16(frames.size());
    for (byte[] a : frames) {
      w.bytes(a, Frames.MAX_RESPONSE_BODY);
    }
  }

  public static BatchResponse read(BodyReader r) throws DdiException {
    int count = r.u16("count");
    if (count > BatchRequest.MAX_ITEMS) {
      throw new DdiException(Status.MALFORMED_BODY, "a batch answer of " + count + " frames");
    }
    List<byte[]> answers = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      answers.add(r.bytes("frame", Frames.MAX_RESPONSE_BODY));
    }
    r.end();
    return new BatchResponse(answers);
  }
}
