package io.ihsm.ddi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FrameReaderTest {
  @Test
  void framesSentTogetherComeOutOneByOneAndTheReaderSeesTheOnesWaiting() throws IOException {
    byte[] stream = concat(framed(bytes(5, 1)), framed(bytes(0, 2)), framed(bytes(300, 3)));
    FrameReader r = new FrameReader(chunks(stream, stream.length));
    assertThat(r.next()).isEqualTo(bytes(5, 1));
    assertThat(r.hasBuffered()).isTrue();
    assertThat(r.next()).isEmpty();
    assertThat(r.next()).isEqualTo(bytes(300, 3));
    assertThat(r.hasBuffered()).isFalse();
    assertThat(r.next()).isNull(); // a clean end between frames
  }

  @Test
  void framesArrivingAByteAtATimeOrInOddPiecesAreWhole() throws IOException {
    List<byte[]> sent = new ArrayList<>();
    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    Random random = new Random(7);
    for (int i = 0; i < 40; i++) {
      byte[] f = bytes(random.nextInt(40_000), i);
      sent.add(f);
      stream.writeBytes(framed(f));
    }
    for (int piece : new int[] {1, 3, 4097, 70_000}) {
      FrameReader r = new FrameReader(chunks(stream.toByteArray(), piece));
      for (byte[] f : sent) {
        assertThat(r.next()).isEqualTo(f);
      }
      assertThat(r.next()).isNull();
    }
  }

  @Test
  void aFrameAtTheLimitIsReadAndOneByteMoreIsRefusedBeforeAllocating() throws IOException {
    byte[] atLimit = bytes(Frames.MAX_FRAME_BYTES, 9);
    assertThat(new FrameReader(chunks(framed(atLimit), 65_536)).next()).isEqualTo(atLimit);

    byte[] prefix = ByteBuffer.allocate(4).putInt(Frames.MAX_FRAME_BYTES + 1).array();
    assertThatThrownBy(() -> new FrameReader(chunks(prefix, 4)).next())
        .isInstanceOf(FrameReader.OversizedFrameException.class)
        .hasMessageContaining(String.valueOf(Frames.MAX_FRAME_BYTES + 1));
    byte[] huge = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};
    assertThatThrownBy(() -> new FrameReader(chunks(huge, 4)).next())
        .isInstanceOf(FrameReader.OversizedFrameException.class)
        .hasMessageContaining("4294967295");
  }

  @Test
  void aStreamEndingInsideAPrefixOrABodyIsAnEofNotACleanEnd() {
    assertThatThrownBy(() -> new FrameReader(chunks(new byte[] {0, 0}, 1)).next())
        .isInstanceOf(EOFException.class)
        .hasMessageContaining("prefix");
    byte[] cut = Arrays.copyOf(framed(bytes(100, 4)), 60);
    assertThatThrownBy(() -> new FrameReader(chunks(cut, 7)).next())
        .isInstanceOf(EOFException.class)
        .hasMessageContaining("inside a frame");
  }

  /** A channel over these bytes that returns at most {@code piece} bytes per read. */
  private static ReadableByteChannel chunks(byte[] stream, int piece) {
    ReadableByteChannel whole = Channels.newChannel(new ByteArrayInputStream(stream));
    return new ReadableByteChannel() {
      @Override
      public int read(ByteBuffer dst) throws IOException {
        ByteBuffer limited = dst.slice(dst.position(), Math.min(dst.remaining(), piece));
        int n = whole.read(limited);
        if (n > 0) {
          dst.position(dst.position() + n);
        }
        return n;
      }

      @Override
      public boolean isOpen() {
        return whole.isOpen();
      }

      @Override
      public void close() throws IOException {
        whole.close();
      }
    };
  }

  private static byte[] framed(byte[] frame) {
    return ByteBuffer.allocate(4 + frame.length).putInt(frame.length).put(frame).array();
  }

  private static byte[] bytes(int length, int seed) {
    byte[] b = new byte[length];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
