package io.ihsm.device.daemon;

import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.FrameReader;
import io.ihsm.ddi.Frames;
import io.ihsm.ddi.StreamFraming;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** A bare socket client that can send any bytes, well-formed or not, and read raw responses. */
final class RawClient implements AutoCloseable {
  final SocketChannel ch;
  private final FrameReader reader;

  RawClient(Path socket) throws IOException {
    ch = SocketChannel.open(StandardProtocolFamily.UNIX);
    ch.connect(UnixDomainSocketAddress.of(socket));
    reader = new FrameReader(ch);
  }

  void sendFrame(byte[] frame) throws IOException {
    StreamFraming.write(ch, frame);
  }

  void sendRaw(byte[] bytes) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  /** The next response, or null when the daemon closed the connection; fails after 10 s. */
  Frames.Response read() throws Exception {
    try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
      return CompletableFuture.supplyAsync(
              () -> {
                try {
                  byte[] frame = reader.next();
                  return frame == null ? null : Frames.decodeResponse(frame);
                } catch (IOException | DdiException e) {
                  throw new RuntimeException(e);
                }
              },
              exec)
          .get(10, TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() throws IOException {
    ch.close();
  }
}
