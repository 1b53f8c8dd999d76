package io.ihsm.ddi;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Encodes and strictly decodes whole frames (header + body). A frame travels as-is in embedded mode
 * and behind a u32 big-endian length prefix on a socket. Decoding never trusts a length it has not
 * bounded, and every failure is a {@link DdiException} carrying the status to answer with.
 */
public final class Frames {
  /** Hard bound on a whole frame, header included, in both directions. */
  public static final int MAX_FRAME_BYTES = 256 * 1024;

  /** Largest body a request may carry. */
  public static final int MAX_REQUEST_BODY = MAX_FRAME_BYTES - RequestHeader.SIZE;

  /** Largest body a response may carry. */
  public static final int MAX_RESPONSE_BODY = MAX_FRAME_BYTES - ResponseHeader.SIZE;

  private Frames() {}

  /** A decoded request: its header and the body bytes that follow it. */
  public record Request(RequestHeader header, byte[] frame) {
    public BodyReader body() {
      return new BodyReader(frame, RequestHeader.SIZE, frame.length - RequestHeader.SIZE);
    }
  }

  /** A decoded response: its header and the body bytes that follow it. */
  public record Response(ResponseHeader header, byte[] frame) {
    public BodyReader body() {
      return new BodyReader(frame, ResponseHeader.SIZE, frame.length - ResponseHeader.SIZE);
    }

    /**
     * Why the device refused the request, when an error response carries a reason (a {@code string
     * reason} of at most {@value #MAX_REASON_BYTES} bytes); empty otherwise, and for anything that
     * does not decode as one.
     */
    public String reason() {
      if (header.status() == Status.SUCCESS || frame.length == ResponseHeader.SIZE) {
        return "";
      }
      try {
        BodyReader r = body();
        String reason = r.string("reason", MAX_REASON_BYTES);
        r.end();
        return cleanReason(reason);
      } catch (DdiException notAReason) {
        return "";
      }
    }
  }

  /** The longest reason an error response carries (UTF-8 bytes). */
  public static final int MAX_REASON_BYTES = 256;

  public static byte[] encodeRequest(RequestHeader h, byte[] body) {
    if (body.length > MAX_REQUEST_BODY) {
      throw new IllegalArgumentException(
          "request body of " + body.length + " bytes exceeds the bound of " + MAX_REQUEST_BODY);
    }
    byte[] f = new byte[RequestHeader.SIZE + body.length];
    System.arraycopy(body, 0, f, RequestHeader.SIZE, body.length);
    return withHeader(f, h);
  }

  /** A request whose body is written straight into the frame (one copy of a large data field). */
  public static byte[] encodeRequest(RequestHeader h, Consumer<BodyWriter> body) {
    return withHeader(BodyWriter.encode(body, RequestHeader.SIZE, MAX_REQUEST_BODY), h);
  }

  private static byte[] withHeader(byte[] f, RequestHeader h) {
    f[0] = (byte) RequestHeader.KIND;
    f[1] = (byte) h.revision().major();
    f[2] = (byte) h.revision().minor();
    f[3] = 0;
    putU16(f, 4, h.opcode());
    putU32(f, 6, h.sessionId());
    putU32(f, 10, h.requestId());
    return f;
  }

  /**
   * The request id of a frame whose header may be bad, so the error can still be matched to its
   * request; 0 when the frame is too short to hold one.
   */
  public static int requestIdOf(byte[] frame) {
    return frame.length >= RequestHeader.SIZE ? getU32(frame, 10) : 0;
  }

  /** The raw opcode of a request frame, or -1 when the frame is too short to hold a header. */
  public static int opcodeOf(byte[] frame) {
    return frame.length >= RequestHeader.SIZE ? getU16(frame, 4) : -1;
  }

  /** The session id of a request frame, or 0 when the frame is too short to hold a header. */
  public static int sessionIdOf(byte[] frame) {
    return frame.length >= RequestHeader.SIZE ? getU32(frame, 6) : 0;
  }

  /** True when a response frame carries status SUCCESS (a transport's quick look, not a decode). */
  public static boolean isSuccess(byte[] response) {
    return response.length >= ResponseHeader.SIZE
        && response[0] == ResponseHeader.KIND
        && getU16(response, 2) == 0;
  }

  /** The raw status code of a response frame, or -1 when it is not one (a quick look). */
  public static int statusOf(byte[] response) {
    return response.length >= ResponseHeader.SIZE && response[0] == ResponseHeader.KIND
        ? getU16(response, 2)
        : -1;
  }

  /** True when a response frame carries the approved-service flag (a quick look, not a decode). */
  public static boolean isApproved(byte[] response) {
    return response.length >= ResponseHeader.SIZE
        && response[0] == ResponseHeader.KIND
        && (response[1] & ResponseHeader.FLAG_APPROVED) != 0;
  }

  public static Request decodeRequest(byte[] frame) throws DdiException {
    if (frame.length > MAX_FRAME_BYTES) {
      throw new DdiException(
          Status.FRAME_TOO_LARGE, "frame of " + frame.length + " bytes exceeds " + MAX_FRAME_BYTES);
    }
    if (frame.length < RequestHeader.SIZE) {
      throw new DdiException(
          Status.TRUNCATED_FRAME,
          "request frame of "
              + frame.length
              + " bytes is shorter than the "
              + RequestHeader.SIZE
              + "-byte header");
    }
    if ((frame[0] & 0xFF) != RequestHeader.KIND) {
      throw new DdiException(
          Status.MALFORMED_FRAME, "frame kind " + (frame[0] & 0xFF) + " is not a request (1)");
    }
    if (frame[3] != 0) {
      throw new DdiException(Status.MALFORMED_FRAME, "reserved header byte must be 0");
    }
    ApiRevision rev = new ApiRevision(frame[1] & 0xFF, frame[2] & 0xFF);
    return new Request(
        new RequestHeader(rev, getU16(frame, 4), getU32(frame, 6), getU32(frame, 10)), frame);
  }

  public static byte[] encodeResponse(ResponseHeader h, byte[] body) {
    if (body.length > MAX_RESPONSE_BODY) {
      throw new IllegalArgumentException(
          "response body of " + body.length + " bytes exceeds the bound of " + MAX_RESPONSE_BODY);
    }
    byte[] f = new byte[ResponseHeader.SIZE + body.length];
    System.arraycopy(body, 0, f, ResponseHeader.SIZE, body.length);
    return withHeader(f, h);
  }

  /** A response whose body is written straight into the frame (one copy of a large data field). */
  public static byte[] encodeResponse(ResponseHeader h, Consumer<BodyWriter> body) {
    return withHeader(BodyWriter.encode(body, ResponseHeader.SIZE, MAX_RESPONSE_BODY), h);
  }

  private static byte[] withHeader(byte[] f, ResponseHeader h) {
    f[0] = (byte) ResponseHeader.KIND;
    f[1] = (byte) (h.approved() ? ResponseHeader.FLAG_APPROVED : 0);
    putU16(f, 2, h.status().code());
    putU32(f, 4, h.requestId());
    return f;
  }

  /** A response with no body. */
  public static byte[] errorResponse(Status status, int requestId) {
    return encodeResponse(new ResponseHeader(status, false, requestId), new byte[0]);
  }

  /**
   * An error response carrying why, in words a user can act on ({@code string reason}, at most
   * {@value #MAX_REASON_BYTES} bytes, control characters replaced). A reason describes what was
   * wrong with the request, never a secret or a key's content.
   */
  public static byte[] errorResponse(Status status, int requestId, String reason) {
    String clean = cleanReason(reason == null ? "" : reason);
    byte[] utf8 = clean.getBytes(StandardCharsets.UTF_8);
    while (utf8.length > MAX_REASON_BYTES) {
      clean = clean.substring(0, clean.length() - 1);
      utf8 = clean.getBytes(StandardCharsets.UTF_8);
    }
    String bounded = clean;
    return clean.isEmpty()
        ? errorResponse(status, requestId)
        : encodeResponse(
            new ResponseHeader(status, false, requestId), w -> w.string(bounded, MAX_REASON_BYTES));
  }

  static String cleanReason(String reason) {
    StringBuilder b = new StringBuilder(reason.length());
    reason.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
    return b.toString().strip();
  }

  public static Response decodeResponse(byte[] frame) throws DdiException {
    if (frame.length > MAX_FRAME_BYTES) {
      throw new DdiException(Status.FRAME_TOO_LARGE, "response frame exceeds " + MAX_FRAME_BYTES);
    }
    if (frame.length < ResponseHeader.SIZE) {
      throw new DdiException(
          Status.TRUNCATED_FRAME,
          "response frame of " + frame.length + " bytes is shorter than its header");
    }
    if ((frame[0] & 0xFF) != ResponseHeader.KIND) {
      throw new DdiException(
          Status.MALFORMED_FRAME, "frame kind " + (frame[0] & 0xFF) + " is not a response (2)");
    }
    int flags = frame[1] & 0xFF;
    if ((flags & ~ResponseHeader.FLAG_APPROVED) != 0) {
      throw new DdiException(Status.MALFORMED_FRAME, "unknown response flags " + flags);
    }
    Status status = Status.fromCode(getU16(frame, 2));
    if (status == null || status.isHostSide()) {
      throw new DdiException(Status.MALFORMED_FRAME, "unknown status " + getU16(frame, 2));
    }
    return new Response(
        new ResponseHeader(status, (flags & ResponseHeader.FLAG_APPROVED) != 0, getU32(frame, 4)),
        frame);
  }

  static void putU16(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 8);
    b[off + 1] = (byte) v;
  }

  static void putU32(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 24);
    b[off + 1] = (byte) (v >>> 16);
    b[off + 2] = (byte) (v >>> 8);
    b[off + 3] = (byte) v;
  }

  static int getU16(byte[] b, int off) {
    return ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF);
  }

  static int getU32(byte[] b, int off) {
    return ((b[off] & 0xFF) << 24)
        | ((b[off + 1] & 0xFF) << 16)
        | ((b[off + 2] & 0xFF) << 8)
        | (b[off + 3] & 0xFF);
  }
}
