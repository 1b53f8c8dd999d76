package io.ihsm.sdk.internal;

import io.ihsm.ddi.ApiRevision;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.FrameReader;
import io.ihsm.ddi.Frames;
import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.PollingChannel;
import io.ihsm.ddi.RequestHeader;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.StreamFraming;
import io.ihsm.ddi.message.BindClientRequest;
import io.ihsm.ddi.message.Body;
import io.ihsm.ddi.spi.ClientBinding;
import io.ihsm.sdk.IhsmException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Calls over connections to one daemon socket. Each call borrows a connection of its own, writes
 * its request and reads its own answer on its own thread: no reader thread stands between the
 * socket and the caller, so a call costs one wake-up on this side. Concurrent calls use concurrent
 * connections (at most {@value #MAX_CONNECTIONS}; further callers wait their turn), kept open for
 * the next calls.
 *
 * <p>A connection that fails, or whose call timed out, is closed and never reused: a request that
 * reached the daemon is not sent again (the device may have acted on it). A request whose write
 * failed on a reused connection never reached a daemon (the peer had closed, e.g. a restart), so it
 * is sent once more on a new connection.
 *
 * <p>Every new connection first binds itself to this client's secret token ({@code BIND_CLIENT}),
 * so the client's sessions work on all its connections and on no one else's.
 */
public final class SocketTransport implements Transport {
  static final int MAX_CONNECTIONS = 32;
  private static final Duration BIND_TIMEOUT = Duration.ofSeconds(10);
  private final Path socket;
  private final ClientBinding client;
  private final RequestIds ids = new RequestIds();
  private final Semaphore permits = new Semaphore(MAX_CONNECTIONS);
  private final Object lock = new Object();

  /** Guarded by lock. */
  private final Deque<Link> idle = new ArrayDeque<>();

  private final Set<Link> open = new HashSet<>();
  private boolean closed;

  public SocketTransport(Path socket, ClientBinding client) {
    this.socket = socket;
    this.client = client;
  }

  /** One connection, used by one call at a time. */
  private final class Link implements CallTimer.Call {
    /** The socket, polled briefly before a read sleeps: most answers come within that time. */
    final PollingChannel channel;

    final FrameReader reader;

    /** Guarded by this: a call's deadline can only end that call, never the link's next one. */
    private long deadline;

    private boolean waiting;
    private boolean expired;

    Link(PollingChannel channel) {
      this.channel = channel;
      this.reader = new FrameReader(channel);
    }

    /** The answer to this request; on any failure the link is closed. */
    Frames.Response call(int id, byte[] frame, Duration timeout) throws IOException {
      synchronized (this) {
        deadline = System.nanoTime() + timeout.toNanos();
        waiting = true;
      }
      CallTimer.watch(this);
      try {
        try {
          StreamFraming.write(channel, frame);
        } catch (IOException e) {
          throw new NotSent(e);
        }
        return readAnswer(id);
      } finally {
        synchronized (this) {
          waiting = false;
        }
        CallTimer.unwatch(this);
      }
    }

    private Frames.Response readAnswer(int id) throws IOException {
      byte[] in;
      try {
        in = reader.next();
      } catch (FrameReader.OversizedFrameException e) {
        throw broken(Status.CONNECTION_LOST, "the daemon sent an oversized frame");
      }
      if (in == null) {
        throw broken(Status.CONNECTION_LOST, "the daemon closed the connection");
      }
      Frames.Response r;
      try {
        r = Frames.decodeResponse(in);
      } catch (DdiException e) {
        throw broken(
            Status.CONNECTION_LOST, "the daemon sent a malformed frame: " + e.getMessage());
      }
      if (r.header().requestId() == 0) {
        // The daemon could not read our frame: the stream is out of step.
        throw broken(
            r.header().status(),
            "the daemon rejected a frame: " + r.header().status().description());
      }
      if (r.header().requestId() != id) {
        throw broken(
            Status.CONNECTION_LOST,
            "the daemon answered request "
                + r.header().requestId()
                + " while "
                + id
                + " was awaited");
      }
      return r;
    }

    /** Closing the channel wakes the read blocked on it. */
    @Override
    public synchronized void expireIfDue(long nowNanos) {
      if (waiting && nowNanos - deadline > 0) {
        expired = true;
        closeChannel();
      }
    }

    synchronized boolean expired() {
      return expired;
    }

    void closeChannel() {
      try {
        channel.close();
      } catch (IOException ignored) {
        // closing is best effort
      }
    }
  }

  /** A write that failed: the request did not reach the daemon. */
  private static final class NotSent extends IOException {
    NotSent(IOException cause) {
      super(cause.getMessage(), cause);
    }
  }

  @Override
  public Frames.Response call(
      ApiRevision revision, int opcode, int sessionId, Body body, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    int id = ids.next();
    byte[] frame =
        Frames.encodeRequest(new RequestHeader(revision, opcode, sessionId, id), body::writeTo);
    try {
      if (!permits.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        throw new IhsmException(
            Status.TIMEOUT,
            "no connection to the "
                + describe()
                + " became free within "
                + timeout.toMillis()
                + " ms");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IhsmException(
          Status.TIMEOUT, "interrupted while waiting for a connection to the " + describe());
    }
    try {
      Link reused = takeIdle();
      Link link = reused != null ? reused : connect();
      try {
        return finish(link, link.call(id, frame, remaining(deadline)));
      } catch (NotSent e) {
        if (reused == null || link.expired() || Thread.currentThread().isInterrupted()) {
          throw failure(link, e.getCause(), timeout);
        }
        // The daemon had closed this kept connection (it restarted, say): the others are stale too.
        discard(link);
        discardIdle();
        Link fresh = connect();
        try {
          return finish(fresh, fresh.call(id, frame, remaining(deadline)));
        } catch (IOException again) {
          throw failure(fresh, again instanceof NotSent ns ? ns.getCause() : again, timeout);
        }
      } catch (IOException e) {
        throw failure(link, e, timeout);
      }
    } finally {
      permits.release();
    }
  }

  private Frames.Response finish(Link link, Frames.Response response) {
    synchronized (lock) {
      if (closed) {
        open.remove(link);
        link.closeChannel();
      } else {
        idle.push(link); // most recently used first: its daemon worker is the warmest
      }
    }
    return response;
  }

  private IhsmException failure(Link link, Throwable e, Duration timeout) {
    discard(link);
    if (link.expired()) {
      return new IhsmException(
          Status.TIMEOUT,
          "no answer from the " + describe() + " within " + timeout.toMillis() + " ms");
    }
    if (e instanceof ClosedByInterruptException) {
      return new IhsmException(
          Status.TIMEOUT, "the call to the " + describe() + " was interrupted");
    }
    if (e.getCause() instanceof IhsmException answer) {
      return answer;
    }
    synchronized (lock) {
      if (closed) {
        return new IhsmException(Status.CONNECTION_LOST, "the client was closed");
      }
    }
    discardIdle();
    return new IhsmException(
        Status.CONNECTION_LOST, "connection to " + socket + " lost: " + e.getMessage(), e);
  }

  /** A broken stream, carrying the answer its caller gets. */
  private static IOException broken(Status status, String why) {
    return new IOException(why, new IhsmException(status, why));
  }

  private static Duration remaining(long deadline) {
    return Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
  }

  private Link takeIdle() {
    synchronized (lock) {
      return idle.poll();
    }
  }

  private void discard(Link link) {
    link.closeChannel();
    synchronized (lock) {
      open.remove(link);
    }
  }

  private void discardIdle() {
    synchronized (lock) {
      for (Link l : idle) {
        l.closeChannel();
        open.remove(l);
      }
      idle.clear();
    }
  }

  private Link connect() {
    synchronized (lock) {
      if (closed) {
        throw new IhsmException(Status.TRANSPORT_UNAVAILABLE, "this client is closed");
      }
    }
    PollingChannel ch;
    try {
      SocketChannel s = SocketChannel.open(StandardProtocolFamily.UNIX);
      try {
        s.connect(UnixDomainSocketAddress.of(socket));
        ch = PollingChannel.of(s);
      } catch (IOException e) {
        s.close();
        throw e;
      }
    } catch (IOException e) {
      throw new IhsmException(
          Status.TRANSPORT_UNAVAILABLE,
          "cannot connect to the ihsm daemon at "
              + socket
              + " ("
              + e.getMessage()
              + "); is `ihsm daemon` running?",
          e);
    }
    Link link = new Link(ch);
    synchronized (lock) {
      if (closed) {
        link.closeChannel();
        throw new IhsmException(Status.TRANSPORT_UNAVAILABLE, "this client is closed");
      }
      open.add(link);
    }
    bind(link);
    return link;
  }

  /** Binds a new connection to this client before its first call. */
  private void bind(Link link) {
    int id = ids.next();
    byte[] frame =
        Frames.encodeRequest(
            RequestHeader.of(ApiRevision.V1_0, Opcode.BIND_CLIENT, 0, id),
            new BindClientRequest(client.token())::writeTo);
    Frames.Response r;
    try {
      r = link.call(id, frame, BIND_TIMEOUT);
    } catch (IOException e) {
      throw failure(link, e instanceof NotSent ns ? ns.getCause() : e, BIND_TIMEOUT);
    }
    // A firmware without client binding (UNKNOWN_OPCODE) has no bound sessions either: go on.
    if (r.header().status() != Status.SUCCESS && r.header().status() != Status.UNKNOWN_OPCODE) {
      discard(link);
      throw new IhsmException(
          r.header().status(),
          "the daemon at "
              + socket
              + " refused to bind the connection: "
              + r.header().status().description());
    }
  }

  @Override
  public String describe() {
    return "daemon socket " + socket;
  }

  /** Closes every connection; calls still waiting end with CONNECTION_LOST. */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      for (Link l : open) {
        l.closeChannel();
      }
      open.clear();
      idle.clear();
    }
  }
}
