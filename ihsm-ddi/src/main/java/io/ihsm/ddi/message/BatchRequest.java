package io.ihsm.ddi.message;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Frames;
import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.RequestHeader;
import io.ihsm.ddi.Status;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The body of BATCH: whole request frames, each with its own opcode, session and request id, served
 * one after another as if each had come alone, each answered with its own response frame ({@link
 * BatchResponse}).
 *
 * <pre>
 * u16   count (1 to {@value #MAX_ITEMS})
 * bytes frame                                   × count, each a request frame of a BATCHABLE opcode
 * </pre>
 *
 * Each answer is at most its request plus {@value #ANSWER_MARGIN} bytes, so a batch whose requests
 * with that margin would not fit in one response frame is refused before any item runs: a batch
 * either runs whole or not at all, and nothing it did is lost to an answer too large to send.
 */
public final class BatchRequest implements Body {
  public static final int MAX_ITEMS = 128;
  public static final int ANSWER_MARGIN = 1024;

  private final List<byte[]> frames;

  private BatchRequest(List<byte[]> frames) {
    check(frames);
    this.frames = Collections.unmodifiableList(frames);
  }

  /**
   * A batch of these request frames (copied).
   *
   * @throws IllegalArgumentException as the device would refuse it: empty, too many, an opcode a
   *     batch does not carry, or answers that might not fit in one frame
   */
  public static BatchRequest of(List<byte[]> frames) {
    return new BatchRequest(new ArrayList<>(frames.stream().map(byte[]::clone).toList()));
  }

  /**
   * The request frames, as read: shared with this message, not copied (a batch's data is large), so
   * callers only read them.
   */
  public List<byte[]> frames() {
    return frames;
  }

  @Override
  public void writeTo(BodyWriter w) {
    w.u16(frames.size());
    for (byte[] frame : frames) {
      w.bytes(frame, Frames.MAX_REQUEST_BODY);
    }
  }

  public static BatchRequest read(BodyReader r) throws DdiException {
    int count = r.u16("count");
    if (count < 1 || count > MAX_ITEMS) {
      throw new DdiException(
          Status.INVALID_PARAMETER, "a batch holds 1 to " + MAX_ITEMS + " requests, not " + count);
    }
    List<byte[]> items = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      items.add(r.bytes("frame", Frames.MAX_REQUEST_BODY));
    }
    r.end();
    try {
      return new BatchRequest(items);
    } catch (IllegalArgumentException e) {
      throw new DdiException(Status.INVALID_PARAMETER, e.getMessage());
    }
  }

  private static void check(List<byte[]> items) {
    if (items.isEmpty() || items.size() > MAX_ITEMS) {
      throw new IllegalArgumentException(
          "a batch holds 1 to " + MAX_ITEMS + " requests, not " + items.size());
    }
    long answers = 2;
    for (int i = 0; i < items.size(); i++) {
      byte[] item = items.get(i);
      Opcode op = Opcode.fromCode(Frames.opcodeOf(item));
      if (op == null || !Opcode.BATCHABLE.contains(op)) {
        throw new IllegalArgumentException(
            "request "
                + i
                + " of the batch is "
                + (item.length < RequestHeader.SIZE ? "not a request frame" : op)
                + "; a batch carries only "
                + Opcode.BATCHABLE);
      }
      answers += 4 + item.length + ANSWER_MARGIN;
    }
    if (answers > Frames.MAX_RESPONSE_BODY) {
      throw new IllegalArgumentException(
          "the batch's answers might not fit in one frame: send its "
              + items.size()
              + " requests in smaller batches");
    }
  }
}
