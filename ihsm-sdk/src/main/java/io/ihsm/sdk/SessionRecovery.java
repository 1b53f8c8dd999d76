package io.ihsm.sdk;

import io.ihsm.ddi.Status;
import io.ihsm.ddi.credential.Credential;
import java.time.Duration;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A partition client's hold on the device: the current {@link LiveSession}, opened (re-establishing
 * the partition from its blob when the device asks) on first need and replaced whole after a reset;
 * the retries that make a reset invisible to the caller; and room in a full key table.
 */
final class SessionRecovery {
  /** Statuses after which the session, and perhaps the partition, must be set up again. */
  private static final Set<Status> RECOVERABLE =
      Set.of(
          Status.KEY_NOT_FOUND,
          Status.INVALID_SESSION,
          Status.NEEDS_RENEGOTIATION,
          Status.NEEDS_REESTABLISH,
          Status.CONNECTION_LOST);

  /**
   * How often one call is tried: a reset, then a key another thread unloaded to make room, may each
   * cost one try.
   */
  private static final int ATTEMPTS = 3;

  /**
   * How long a call waits for a key of this client to be free when the device's key table is full
   * of them.
   */
  private static final Duration ROOM_WAIT = Duration.ofSeconds(30);

  /** A device call with a loaded key's handle, in the session that loaded it. */
  @FunctionalInterface
  interface KeyCall<T> {
    T apply(LiveSession live, int handle);
  }

  /** Loads a key into a session; only {@link LiveSession#acquire} calls it. */
  @FunctionalInterface
  interface Loader {
    int load(LiveSession live, String label);
  }

  private final PartitionConnection connection;
  private final Supplier<Credential> credential;
  private final Supplier<byte[]> partitionBlob;

  /** Guards opening and replacing {@link #live}; no device call of an operation runs under it. */
  private final Object lock = new Object();

  private volatile LiveSession live;
  private boolean closed;

  SessionRecovery(
      PartitionConnection connection,
      Supplier<Credential> credential,
      Supplier<byte[]> partitionBlob) {
    this.connection = connection;
    this.credential = credential;
    this.partitionBlob = partitionBlob;
  }

  /** The current session, opened on first need. */
  LiveSession live() {
    LiveSession l = live;
    if (l != null) {
      return l;
    }
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("the partition client is closed");
      }
      if (live == null) {
        live = new LiveSession(openSession());
      }
      return live;
    }
  }

  /** The current session if one is open, without opening one. */
  LiveSession current() {
    return live;
  }

  /** Opens a session, re-establishing the partition first when the device lost it (each reset). */
  private HsmSession openSession() {
    for (int attempt = 1; ; attempt++) {
      try {
        return connection.openSession(credential.get());
      } catch (IhsmException e) {
        if (e.status() != Status.NEEDS_REESTABLISH || attempt == ATTEMPTS) {
          throw e;
        }
        // Another reset may come between re-establishing and opening: then once more.
        connection.reestablish(partitionBlob.get());
      }
    }
  }

  /** Drops a session the device no longer has; another thread may have replaced it already. */
  private void invalidate(LiveSession stale) {
    synchronized (lock) {
      if (live == stale) {
        live = null;
      }
    }
  }

  /**
   * A call that does not change state on the device, or that may be repeated: after a reset it is
   * set up again and retried once (not after a lost connection: the request may have been served).
   */
  <T> T recovering(Function<LiveSession, T> call) {
    LiveSession l = live();
    try {
      return call.apply(l);
    } catch (IhsmException e) {
      if (!RECOVERABLE.contains(e.status()) || e.status() == Status.CONNECTION_LOST) {
        throw e;
      }
      invalidate(l);
      return call.apply(live());
    }
  }

  /**
   * Runs an operation with the key loaded. A handle the device lost (another client of the
   * partition unloaded the shared key, or this client unloaded it to make room) is loaded again in
   * the same session; after a reset or a lost session everything is set up again.
   */
  <T> T withKey(String label, Loader loader, KeyCall<T> op) {
    for (int attempt = 1; ; attempt++) {
      LiveSession l = live();
      int handle = -1;
      try (LiveSession.Lease lease = l.acquire(label, x -> loader.load(l, x))) {
        handle = lease.handle;
        return op.apply(l, handle);
      } catch (IhsmException e) {
        if (e.status() == Status.KEY_STATE_NOT_PERMITTED
            && attempt == 1
            && handle != -1
            && label.indexOf('#') < 0) {
          // The label may name a newer version than the one loaded (another client rotated it):
          // load the label's newest once and try again.
          l.forget(label, handle);
          try {
            l.session.unload(handle);
          } catch (IhsmException gone) {
            // unloaded already
          }
          continue;
        }
        if (attempt == ATTEMPTS || !RECOVERABLE.contains(e.status())) {
          throw e;
        }
        if (e.status() == Status.KEY_NOT_FOUND && handle != -1) {
          l.forget(label, handle);
        } else {
          invalidate(l);
        }
      }
    }
  }

  /**
   * Runs a device call that needs a slot in the key table. While the table is full, the least
   * recently used key no thread is using is unloaded; when all of this client's keys are in use,
   * the call waits for one to be free (up to {@link #ROOM_WAIT}) rather than unload a key another
   * thread is using.
   */
  <T> T withRoom(LiveSession l, Supplier<T> call) {
    long deadline = System.nanoTime() + ROOM_WAIT.toNanos();
    while (true) {
      try {
        return call.get();
      } catch (IhsmException e) {
        if (e.status() != Status.KEY_TABLE_FULL) {
          throw e;
        }
        Integer victim = l.evictEldest();
        if (victim != null) {
          try {
            l.session.unload(victim);
          } catch (IhsmException gone) {
            // another client of the partition unloaded it first: the room is there all the same
          }
        } else if (!awaitRelease(l, deadline)) {
          throw e;
        }
      }
    }
  }

  private static boolean awaitRelease(LiveSession l, long deadline) {
    try {
      return l.awaitRelease(deadline);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Unloads the keys this client loaded (the table is shared with the partition's other clients)
   * and ends the session.
   */
  void close() {
    LiveSession l;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      l = live;
      live = null;
    }
    if (l != null) {
      for (int handle : l.handles()) {
        try {
          l.session.unload(handle);
        } catch (IhsmException gone) {
          // already unloaded by a reset
        }
      }
      l.session.close();
    }
  }
}
