package io.ihsm.device.daemon;

import io.ihsm.ddi.Frames;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.StreamFraming;
import io.ihsm.ddi.spi.Port;
import io.ihsm.device.Device;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One client connection. A reader reads frames and starts each on its own virtual thread, so many
 * requests are in flight at once (pipelining); responses go back as they finish, matched by the
 * client through their request ids. The number in flight is bounded: when it is reached the
 * reader stops reading until one finishes, which pushes back on the client.
 */
final class Connection {
  static final int MAX_IN_FLIGHT = 64;

  private final SocketChannel channel;
  private final Device device;
  private final Port port;
  private final Runnable onClose;
  private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
  private final Object writeLock = new Object();

  Connection(SocketChannel channel, Device device, Port port, Runnable onClose) {
    this.channel = channel;
    this.device = device;
    this.port = port;
    this.onClose = onClose;
  }

  void start() {
    Thread.ofVirtual().name("ihsm-conn-" + port).start(this::readLoop);
  }

  private void readLoop() {
    try {
      while (true) {
        long length = StreamFraming.readLength(channel);
        if (length < 0) {
          break; // the client closed its end
        }
        if (length > Frames.MAX_FRAME_BYTES) {
          // The header cannot be read without reading the whole frame, so answer with request
          // id 0 and close: skipping an unbounded frame would let a client tie up the daemon.
          send(Frames.errorResponse(Status.FRAME_TOO_LARGE, 0));
          break;
        }
        byte[] frame = StreamFraming.readFrame(channel, (int) length);
        inFlight.acquire();
        Thread.ofVirtual().name("ihsm-req-" + port).start(() -> {
          try {
            send(device.process(port, frame));
          } finally {
            inFlight.release();
          }
        });
      }
    } catch (IOException e) {
      // The client vanished or the daemon is closing: nothing to answer.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      drainThenClose();
    }
  }

  private void send(byte[] response) {
    synchronized (writeLock) {
      if (!channel.isOpen()) {
        return;
      }
      try {
        StreamFraming.write(channel, response);
      } catch (IOException e) {
        closeQuietly();
      }
    }
  }

  /** Lets requests already read finish (briefly) so a client that half-closes still gets answers. */
  private void drainThenClose() {
    try {
      if (inFlight.tryAcquire(MAX_IN_FLIGHT, 5, TimeUnit.SECONDS)) {
        inFlight.release(MAX_IN_FLIGHT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeQuietly();
  }

  /** Graceful stop: no new requests are read; those in flight still get their answers. */
  void stopReading() {
    try {
      channel.shutdownInput();
    } catch (IOException e) {
      closeQuietly();
    }
  }

  void closeQuietly() {
    try {
      channel.close();
    } catch (IOException ignored) {
      // closing is best effort
    }
    onClose.run();
  }
}
