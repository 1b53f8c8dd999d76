package io.ihsm.ddi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * Frames on a byte stream (the daemon's sockets): a u32 big-endian length, then that many bytes.
 * {@link FrameReader} reads them.
 */
public final class StreamFraming {
  public static final int PREFIX_BYTES = 4;

  private StreamFraming() {}

  /**
   * Writes the prefix and frame together (one write call for all but large frames); callers
   * serialize writers.
   */
  public static void write(WritableByteChannel ch, byte[] frame) throws IOException {
    ByteBuffer out = ByteBuffer.allocate(PREFIX_BYTES + frame.length);
    out.putInt(frame.length).put(frame).flip();
    while (out.hasRemaining()) {
      ch.write(out);
    }
  }
}
