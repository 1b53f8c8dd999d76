package io.ihsm.ddi;

/**
 * The fixed 8-byte response header. Layout (big-endian):
 *
 * <pre>
 *  0  u8   kind = 0x02 (response)
 *  1  u8   flags: bit 0 = approved service (FIPS service indicator); other bits 0
 *  2  u16  status
 *  4  u32  request id of the request answered (0 when the request's header was unreadable)
 * </pre>
 */
public record ResponseHeader(Status status, boolean approved, int requestId) {
  public static final int SIZE = 8;
  public static final int KIND = 0x02;
  public static final int FLAG_APPROVED = 0x01;

  public ResponseHeader {
    if (status == null) {
      throw new IllegalArgumentException("status is required");
    }
  }
}
