package io.ihsm.sdk.internal;

import io.ihsm.ddi.ApiRevision;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Frames;
import io.ihsm.ddi.RequestHeader;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.StreamFraming;
import io.ihsm.sdk.IhsmException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A pipelined connection to one daemon socket: many requests in flight, responses matched by
 * request id as they arrive. A lost connection fails the requests in flight with CONNECTION_LOST
 * (they are not resent: the device may have acted on them) and the next request reconnects.
 */
public final class SocketTransport implements Transport {
  private final Path socket;
  private final Object lock = new Object();
  private Link link;
  private boolean closed;

  public SocketTransport(Path socket) {
    this.socket = socket;
  }

  /** One connection and its requests in flight. */
  private final class Link {
    final SocketChannel channel;
    final RequestIds ids = new RequestIds();
    final Map<Integer, CompletableFuture<Frames.Response>> pending = new ConcurrentHashMap<>();
    final Object writeLock = new Object();
    volatile boolean dead;

    Link(SocketChannel channel) {
      this.channel = channel;
      // A platform thread: a blocking socket read wakes it directly, without the virtual-thread poller hop.
      Thread.ofPlatform().daemon().name("ihsm-client-reader").start(this::readLoop);
    }

    private void readLoop() {
      Status failure = Status.CONNECTION_LOST;
      String why = "the daemon closed the connection";
      try {
        while (true) {
          long length = StreamFraming.readLength(channel);
          if (length < 0) {
            break;
          }
          if (length > Frames.MAX_FRAME_BYTES) {
            why = "the daemon sent an oversized frame";
            break;
          }
          Frames.Response r = Frames.decodeResponse(StreamFraming.readFrame(channel, (int) length));
          if (r.header().requestId() == 0) {
            // The daemon could not read one of our frames: the stream is out of step.
            failure = r.header().status();
            why = "the daemon rejected a frame: " + r.header().status().description();
            break;
          }
          CompletableFuture<Frames.Response> f = pending.remove(r.header().requestId());
          if (f != null) {
            f.complete(r);
          }
        }
      } catch (IOException e) {
        why = "connection to " + socket + " lost: " + e.getMessage();
      } catch (DdiException e) {
        why = "the daemon sent a malformed frame: " + e.getMessage();
      }
      fail(new IhsmException(failure, why));
    }

    void fail(IhsmException e) {
      dead = true;
      try {
        channel.close();
      } catch (IOException ignored) {
        // closing is best effort
      }
      for (Integer id : pending.keySet()) {
        CompletableFuture<Frames.Response> f = pending.remove(id);
        if (f != null) {
          f.completeExceptionally(e);
        }
      }
    }

    CompletableFuture<Frames.Response> send(ApiRevision revision, int opcode, int sessionId, byte[] body) {
      int id = ids.next();
      CompletableFuture<Frames.Response> f = new CompletableFuture<>();
      // A timed-out or cancelled caller must not leave its entry behind.
      f.whenComplete((r, e) -> pending.remove(id));
      pending.put(id, f);
      byte[] frame = Frames.encodeRequest(new RequestHeader(revision, opcode, sessionId, id), body);
      try {
        synchronized (writeLock) {
          StreamFraming.write(channel, frame);
        }
      } catch (IOException e) {
        fail(new IhsmException(Status.CONNECTION_LOST, "connection to " + socket + " lost: " + e.getMessage()));
      }
      if (dead) {
        // fail() may have run before our entry was added.
        f.completeExceptionally(new IhsmException(Status.CONNECTION_LOST, "connection to " + socket + " lost"));
      }
      return f;
    }
  }

  @Override
  public CompletableFuture<Frames.Response> send(ApiRevision revision, int opcode, int sessionId, byte[] body) {
    Link l;
    try {
      l = connected();
    } catch (IhsmException e) {
      return CompletableFuture.failedFuture(e);
    }
    return l.send(revision, opcode, sessionId, body);
  }

  private Link connected() {
    synchronized (lock) {
      if (closed) {
        throw new IhsmException(Status.TRANSPORT_UNAVAILABLE, "this client is closed");
      }
      if (link == null || link.dead) {
        try {
          SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
          try {
            ch.connect(UnixDomainSocketAddress.of(socket));
          } catch (IOException e) {
            ch.close();
            throw e;
          }
          link = new Link(ch);
        } catch (IOException e) {
          throw new IhsmException(Status.TRANSPORT_UNAVAILABLE,
              "cannot connect to the ihsm daemon at " + socket + " (" + e.getMessage() + "); is `ihsm daemon` running?", e);
        }
      }
      return link;
    }
  }

  @Override
  public String describe() {
    return "daemon socket " + socket;
  }

  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      if (link != null) {
        link.fail(new IhsmException(Status.CONNECTION_LOST, "the client was closed"));
      }
    }
  }
}
