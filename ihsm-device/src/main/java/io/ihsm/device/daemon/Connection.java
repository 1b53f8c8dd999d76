package io.ihsm.device.daemon;

import io.ihsm.ddi.FrameReader;
import io.ihsm.ddi.Frames;
import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.PollingChannel;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.StreamFraming;
import io.ihsm.ddi.message.BindClientRequest;
import io.ihsm.ddi.spi.ClientBinding;
import io.ihsm.ddi.spi.Port;
import io.ihsm.device.Device;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One client connection. A client that waits for each answer before it sends again (the SDK: one
 * call per connection at a time) is served by the thread that reads its frames, so a request costs
 * one wake-up in the daemon. A client seen to pipeline (a frame already waiting behind the one just
 * read) gets concurrency instead: from then on each frame's reader passes the reading of the next
 * to another worker before it serves its own, so many requests are in flight at once; responses go
 * back as they finish, matched by the client through their request ids. Threads are bounded: one
 * per connection plus {@value #MAX_SPARE_WORKERS} spare ones daemon-wide. The number in flight is
 * bounded: when it is reached the reader stops reading until one finishes, which pushes back on the
 * client.
 *
 * <p>Each connection starts bound to a client of its own; a {@code BIND_CLIENT} request the
 * firmware accepts rebinds it to the client's token, so the client's connections share its
 * sessions. The port's server closes connections that idle or send too slowly ({@link
 * ConnectionLimits}); one that has used a session counts as trusted.
 */
final class Connection {
  static final int MAX_IN_FLIGHT = 64;

  /**
   * Readers and requests run on pooled platform threads: a blocked read is woken by the kernel
   * directly, without the virtual-thread poller's hop, which is most of a small request's time.
   * Idle workers end after a minute.
   */
  private static final ExecutorService WORKERS =
      Executors.newCachedThreadPool(Thread.ofPlatform().daemon().name("ihsm-req-", 0).factory());

  /**
   * Workers beyond one per connection, daemon-wide: past this, a connection serves its requests in
   * turn.
   */
  static final int MAX_SPARE_WORKERS = 512;

  private static final Semaphore SPARE_WORKERS = new Semaphore(MAX_SPARE_WORKERS);

  private final SocketChannel socket;

  /** The socket, polled briefly before a read or write sleeps (the client's next request). */
  private final PollingChannel channel;

  private final Device device;
  private final Port port;
  private final Runnable onClose;
  private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
  private final Object writeLock = new Object();

  /** Used by whichever worker reads at the moment. */
  private final FrameReader reader;

  /** Set once the client has been seen to pipeline; read and written only by the reading worker. */
  private boolean pipelining;

  private volatile ClientBinding binding = ClientBinding.random();

  /** Set once a request carrying a session, or opening one, succeeded on this connection. */
  private volatile boolean trusted;

  /** When the connection was accepted or last finished a request (System.nanoTime). */
  private volatile long lastActiveNanos = System.nanoTime();

  Connection(SocketChannel socket, Device device, Port port, Runnable onClose) throws IOException {
    this.socket = socket;
    this.channel = PollingChannel.of(socket);
    this.device = device;
    this.port = port;
    this.onClose = onClose;
    this.reader = new FrameReader(channel);
  }

  void start() {
    WORKERS.execute(this::serve);
  }

  /**
   * Reads frames and serves them. For a pipelining client, after reading a frame it hands the
   * reading of the next to another worker (leader/follower) and serves its own: the hand-off
   * happens while this request is served, off its path, and a blocked reader is woken by the kernel
   * directly. Otherwise, and when the daemon has no spare worker, it serves the frame itself and
   * reads on, so threads stay bounded.
   */
  private void serve() {
    while (true) {
      byte[] frame;
      try {
        frame = reader.next();
        if (frame == null) {
          drainThenClose(); // the client closed its end
          return;
        }
        inFlight.acquire();
      } catch (FrameReader.OversizedFrameException e) {
        // The header cannot be read without reading the whole frame, so answer with request
        // id 0 and close: skipping an unbounded frame would let a client tie up the daemon.
        send(Frames.errorResponse(Status.FRAME_TOO_LARGE, 0));
        drainThenClose();
        return;
      } catch (IOException e) {
        drainThenClose(); // the client vanished or the daemon is closing: nothing to answer
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        drainThenClose();
        return;
      }
      pipelining |= reader.hasBuffered();
      boolean handedOff = pipelining && SPARE_WORKERS.tryAcquire();
      if (handedOff) {
        WORKERS.execute(
            () -> {
              try {
                serve();
              } finally {
                SPARE_WORKERS.release();
              }
            });
      }
      try {
        send(serveOne(frame));
      } finally {
        lastActiveNanos = System.nanoTime();
        inFlight.release();
      }
      if (handedOff) {
        return; // another worker reads this connection now
      }
    }
  }

  private byte[] serveOne(byte[] frame) {
    byte[] response = device.process(port, binding, frame);
    if (Frames.isSuccess(response)) {
      int opcode = Frames.opcodeOf(frame);
      if (opcode == Opcode.BIND_CLIENT.code()) {
        // The firmware accepted the token; the connection now speaks for that client.
        binding = BindClientRequest.tokenOf(frame).map(ClientBinding::ofToken).orElse(binding);
      } else if (opcode == Opcode.OPEN_SESSION.code() || Frames.sessionIdOf(frame) != 0) {
        trusted = true;
      }
    }
    return response;
  }

  boolean trusted() {
    return trusted;
  }

  /**
   * Whether a request of this connection is with the device now (such a connection is never
   * evicted).
   */
  boolean serving() {
    return inFlight.availablePermits() < MAX_IN_FLIGHT;
  }

  long lastActiveNanos() {
    return lastActiveNanos;
  }

  /** See {@link FrameReader#partialFrameSinceNanos()}. */
  long partialFrameSinceNanos() {
    return reader.partialFrameSinceNanos();
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

  /**
   * Lets requests already read finish (briefly) so a client that half-closes still gets answers.
   */
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
      socket.shutdownInput();
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
