package io.ihsm.ddi;

/**
 * The fixed 14-byte request header. Layout (big-endian):
 *
 * <pre>
 *  0  u8   kind = 0x01 (request)
 *  1  u8   API revision major (0 = none)
 *  2  u8   API revision minor
 *  3  u8   reserved, must be 0
 *  4  u16  opcode
 *  6  u32  session id (0 = none)
 * 10  u32  request id, echoed in the response
 * </pre>
 *
 * The opcode is kept as its raw number so an unknown opcode can still be answered.
 */
public record RequestHeader(ApiRevision revision, int opcode, int sessionId, int requestId) {
  public static final int SIZE = 14;
  public static final int KIND = 0x01;

  public RequestHeader {
    if (opcode < 0 || opcode > 0xFFFF) {
      throw new IllegalArgumentException("opcode must be a u16, got " + opcode);
    }
  }

  public static RequestHeader of(
      ApiRevision revision, Opcode opcode, int sessionId, int requestId) {
    return new RequestHeader(revision, opcode.code(), sessionId, requestId);
  }

  /** The opcode, or null when the number is unknown. */
  public Opcode knownOpcode() {
    return Opcode.fromCode(opcode);
  }

  public boolean hasSession() {
    return sessionId != 0;
  }
}
