package io.ihsm.ddi;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * Reads {@link StreamFraming} frames through a buffer, so that one read call usually brings a whole
 * small frame (and any that were sent after it) instead of one call for the prefix and one for the
 * body. Lengths are checked against {@link Frames#MAX_FRAME_BYTES} before anything is allocated.
 * One reader at a time.
 */
public final class FrameReader {
  private static final int BUFFER_BYTES = 16 * 1024;

  private final ReadableByteChannel channel;

  /** Bytes read but not yet returned lie between position and limit. */
  private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES).flip();

  /**
   * When the first byte of the frame now being read arrived (System.nanoTime), or 0 between frames.
   */
  private volatile long frameStartedNanos;

  public FrameReader(ReadableByteChannel channel) {
    this.channel = channel;
  }

  /**
   * A declared frame length above {@link Frames#MAX_FRAME_BYTES}: the stream cannot be
   * resynchronized.
   */
  public static final class OversizedFrameException extends IOException {
    OversizedFrameException(long declared) {
      super("a frame of " + declared + " bytes is above the limit of " + Frames.MAX_FRAME_BYTES);
    }
  }

  /**
   * The next frame, or null when the stream ends cleanly between frames.
   *
   * @throws OversizedFrameException when the declared length is above the limit
   * @throws EOFException when the stream ends inside a frame
   */
  public byte[] next() throws IOException {
    if (buffer.hasRemaining()) {
      started();
    }
    if (!fillAtLeast(StreamFraming.PREFIX_BYTES)) {
      return null;
    }
    long length = buffer.getInt() & 0xFFFFFFFFL;
    if (length > Frames.MAX_FRAME_BYTES) {
      throw new OversizedFrameException(length);
    }
    byte[] frame = new byte[(int) length];
    int buffered = Math.min(buffer.remaining(), frame.length);
    buffer.get(frame, 0, buffered);
    // A frame larger than what was buffered is read on straight into its own array.
    ByteBuffer rest = ByteBuffer.wrap(frame, buffered, frame.length - buffered);
    while (rest.hasRemaining()) {
      if (channel.read(rest) < 0) {
        throw new EOFException("stream ended inside a frame");
      }
    }
    frameStartedNanos = 0;
    if (buffer.hasRemaining()) {
      started();
    }
    return frame;
  }

  /**
   * Since when a frame has been arriving without being complete (System.nanoTime), or 0 when the
   * reader is between frames: a server closes a connection whose frame takes too long (a slow
   * client holding a connection half-sent). Readable from any thread.
   */
  public long partialFrameSinceNanos() {
    return frameStartedNanos;
  }

  private void started() {
    if (frameStartedNanos == 0) {
      long now = System.nanoTime();
      frameStartedNanos = now == 0 ? 1 : now;
    }
  }

  /**
   * Whether bytes of a further frame have already arrived (the sender did not wait for an answer).
   */
  public boolean hasBuffered() {
    return buffer.hasRemaining();
  }

  /** False on a clean end of stream with nothing buffered; EOFException inside a prefix. */
  private boolean fillAtLeast(int bytes) throws IOException {
    if (buffer.remaining() >= bytes) {
      return true;
    }
    buffer.compact();
    try {
      while (buffer.position() < bytes) {
        if (channel.read(buffer) < 0) {
          if (buffer.position() == 0) {
            return false;
          }
          throw new EOFException("stream ended inside a frame's length prefix");
        }
        if (buffer.position() > 0) {
          started();
        }
      }
    } finally {
      buffer.flip();
    }
    return true;
  }
}
