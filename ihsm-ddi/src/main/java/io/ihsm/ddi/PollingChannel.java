package io.ihsm.ddi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * A socket seen as a blocking channel that polls before it sleeps: a read or write that cannot go
 * on at once retries for up to {@link #SPIN_NANOS} before it waits in a selector. An answer to a
 * small request usually comes within that time, and a thread that never slept is not woken: on a
 * virtual machine a wake-up costs more than the request itself (docs/performance.md). The spin is
 * short and bounded, so an idle connection costs nothing once it sleeps.
 *
 * <p>Closing the socket ends a wait within {@link #WAIT_SLICE_MILLIS} (a call's timeout closes it);
 * an interrupt closes it and throws {@link ClosedByInterruptException}, as a blocking socket does.
 * One reader and one writer at a time, which may be different threads.
 */
public final class PollingChannel implements ByteChannel {
  /** How long a read or write polls before it sleeps. */
  public static final long SPIN_NANOS = 50_000;

  static final long WAIT_SLICE_MILLIS = 100;

  private final SocketChannel socket;
  private Selector readable;
  private Selector writable;

  private PollingChannel(SocketChannel socket) {
    this.socket = socket;
  }

  /** Puts the socket in non-blocking mode: from now on it is used only through this channel. */
  public static PollingChannel of(SocketChannel socket) throws IOException {
    socket.configureBlocking(false);
    return new PollingChannel(socket);
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    if (!dst.hasRemaining()) {
      return 0;
    }
    Poll poll = new Poll();
    while (true) {
      int n = socket.read(dst);
      if (n != 0) {
        return n;
      }
      if (!poll.again()) {
        await(selector(SelectionKey.OP_READ));
      }
    }
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    int written = 0;
    Poll poll = new Poll();
    while (src.hasRemaining()) {
      int n = socket.write(src);
      written += n;
      if (n != 0) {
        poll = new Poll(); // progress: the next stall polls afresh
      } else if (!poll.again()) {
        await(selector(SelectionKey.OP_WRITE));
      }
    }
    return written;
  }

  /** One stall's polling: true while within {@link #SPIN_NANOS} of its first try. */
  private static final class Poll {
    private long until;

    boolean again() {
      long now = System.nanoTime();
      if (until == 0) {
        until = now + SPIN_NANOS;
      }
      if (now - until >= 0) {
        return false; // time to sleep
      }
      Thread.yield(); // a runnable thread (the answer's maker, on a busy host) goes first
      return true;
    }
  }

  /** The selector that waits for this readiness, made when first needed. */
  private synchronized Selector selector(int interest) throws IOException {
    if (interest == SelectionKey.OP_READ) {
      if (readable == null) {
        readable = open(interest);
      }
      return readable;
    }
    if (writable == null) {
      writable = open(interest);
    }
    return writable;
  }

  private Selector open(int interest) throws IOException {
    Selector s = Selector.open();
    socket.register(s, interest);
    return s;
  }

  private void await(Selector selector) throws IOException {
    while (true) {
      if (!socket.isOpen()) {
        throw new ClosedChannelException();
      }
      int ready;
      try {
        ready = selector.select(WAIT_SLICE_MILLIS);
        selector.selectedKeys().clear();
      } catch (ClosedSelectorException e) {
        throw new ClosedChannelException(); // closed by another thread while this one waited
      }
      if (Thread.currentThread().isInterrupted()) {
        close();
        throw new ClosedByInterruptException();
      }
      if (ready > 0) {
        return;
      }
    }
  }

  @Override
  public boolean isOpen() {
    return socket.isOpen();
  }

  /** Closes the socket and the selectors. */
  @Override
  public void close() throws IOException {
    try {
      socket.close();
    } finally {
      synchronized (this) {
        if (readable != null) {
          readable.close();
        }
        if (writable != null) {
          writable.close();
        }
      }
    }
  }
}
