package io.ihsm.ddi;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * Frames on a byte stream (the daemon's sockets): a u32 big-endian length, then that many bytes.
 * Readers check the length against {@link Frames#MAX_FRAME_BYTES} before allocating anything.
 */
public final class StreamFraming {
  public static final int PREFIX_BYTES = 4;

  private StreamFraming() {}

  /**
   * The next frame's declared length (unsigned, as a long so lengths ≥ 2^31 stay visible), or -1
   * when the stream ends cleanly before a new frame.
   *
   * @throws EOFException when the stream ends inside the length prefix
   */
  public static long readLength(ReadableByteChannel ch) throws IOException {
    ByteBuffer prefix = ByteBuffer.allocate(PREFIX_BYTES);
    if (!fill(ch, prefix, true)) {
      return -1;
    }
    return prefix.flip().getInt() & 0xFFFFFFFFL;
  }

  /** Reads exactly {@code length} bytes (already bounded by the caller). */
  public static byte[] readFrame(ReadableByteChannel ch, int length) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(length);
    fill(ch, buf, false);
    return buf.array();
  }

  /** Writes the prefix and frame in one gathering call sequence; callers serialize writers. */
  public static void write(WritableByteChannel ch, byte[] frame) throws IOException {
    ByteBuffer out = ByteBuffer.allocate(PREFIX_BYTES + frame.length);
    out.putInt(frame.length).put(frame).flip();
    while (out.hasRemaining()) {
      ch.write(out);
    }
  }

  /** False on a clean end of stream before the first byte (only when allowed); EOFException otherwise. */
  private static boolean fill(ReadableByteChannel ch, ByteBuffer buf, boolean cleanEofAllowed) throws IOException {
    boolean first = true;
    while (buf.hasRemaining()) {
      int n = ch.read(buf);
      if (n < 0) {
        if (first && cleanEofAllowed) {
          return false;
        }
        throw new EOFException("stream ended inside a frame");
      }
      if (n > 0) {
        first = false;
      }
    }
    return true;
  }
}
