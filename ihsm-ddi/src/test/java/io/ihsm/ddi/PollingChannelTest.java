package io.ihsm.ddi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A socket that polls before it sleeps still behaves as a blocking one: a read waits for data that
 * comes late, a write larger than the socket's buffer finishes as the peer drains it, and closing
 * or interrupting ends a wait instead of leaving it hanging.
 */
class PollingChannelTest {
  static SocketChannel[] pair() throws Exception {
    var server = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX);
    java.nio.file.Path path = java.nio.file.Files.createTempDirectory("polling").resolve("s.sock");
    server.bind(java.net.UnixDomainSocketAddress.of(path));
    SocketChannel client = SocketChannel.open(java.net.UnixDomainSocketAddress.of(path));
    SocketChannel accepted = server.accept();
    server.close();
    java.nio.file.Files.delete(path);
    return new SocketChannel[] {client, accepted};
  }

  /** A thread reading from a socket nothing is sent on, past its polling; how it ended. */
  static Thread waitingRead(PollingChannel reader, AtomicReference<Throwable> ended)
      throws InterruptedException {
    Thread t =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    reader.read(ByteBuffer.allocate(8));
                  } catch (Throwable e) {
                    ended.set(e);
                  }
                });
    Thread.sleep(200);
    return t;
  }

  @Test
  void aReadWaitsPastItsPollingForDataThatComesLate() throws Exception {
    SocketChannel[] s = pair();
    try (PollingChannel reader = PollingChannel.of(s[0]);
        SocketChannel writer = s[1]) {
      CompletableFuture<Integer> read =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return reader.read(ByteBuffer.allocate(8));
                } catch (Exception e) {
                  throw new RuntimeException(e);
                }
              });
      Thread.sleep(200); // far past the polling: the read sleeps in its selector
      assertThat(read).isNotDone();
      writer.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
      assertThat(read.get(5, TimeUnit.SECONDS)).isEqualTo(3);
    }
  }

  @Test
  void aWriteLargerThanTheSocketBufferFinishesAsThePeerDrains() throws Exception {
    SocketChannel[] s = pair();
    byte[] big = new byte[8 << 20];
    new java.util.Random(1).nextBytes(big);
    try (PollingChannel writer = PollingChannel.of(s[0]);
        SocketChannel reader = s[1]) {
      CompletableFuture<Integer> written =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return writer.write(ByteBuffer.wrap(big));
                } catch (Exception e) {
                  throw new RuntimeException(e);
                }
              });
      ByteBuffer got = ByteBuffer.allocate(big.length);
      while (got.hasRemaining()) {
        Thread.sleep(got.position() == 0 ? 100 : 0); // a slow reader at first
        reader.read(got);
      }
      assertThat(written.get(10, TimeUnit.SECONDS)).isEqualTo(big.length);
      assertThat(got.array()).isEqualTo(big);
    }
  }

  @Test
  void closingFromAnotherThreadEndsAWaitingRead() throws Exception {
    SocketChannel[] s = pair();
    PollingChannel reader = PollingChannel.of(s[0]);
    AtomicReference<Throwable> ended = new AtomicReference<>();
    Thread t = waitingRead(reader, ended);
    long closed = System.nanoTime();
    reader.close(); // what a call's timeout does
    t.join(Duration.ofSeconds(5));
    assertThat(t.isAlive()).isFalse();
    assertThat(ended.get()).isInstanceOf(ClosedChannelException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - closed)).isLessThan(Duration.ofSeconds(2));
    s[1].close();
  }

  @Test
  void anInterruptedReadClosesTheChannelAsABlockingSocketDoes() throws Exception {
    SocketChannel[] s = pair();
    PollingChannel reader = PollingChannel.of(s[0]);
    AtomicReference<Throwable> ended = new AtomicReference<>();
    Thread t = waitingRead(reader, ended);
    t.interrupt();
    t.join(Duration.ofSeconds(5));
    assertThat(ended.get()).isInstanceOf(ClosedByInterruptException.class);
    assertThat(reader.isOpen()).isFalse();
    assertThatThrownBy(() -> reader.read(ByteBuffer.allocate(1)))
        .isInstanceOf(ClosedChannelException.class);
    s[1].close();
  }

  @Test
  void theEndOfTheStreamIsMinusOneNotAWait() throws Exception {
    SocketChannel[] s = pair();
    try (PollingChannel reader = PollingChannel.of(s[0])) {
      s[1].close();
      assertThat(reader.read(ByteBuffer.allocate(8))).isEqualTo(-1);
    }
  }
}
