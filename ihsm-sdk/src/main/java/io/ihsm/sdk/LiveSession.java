package io.ihsm.sdk;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToIntFunction;

/**
 * A partition client's device session and the keys loaded in it, by label. A device reset ends both
 * together, so the client replaces the whole object then. Threads share it without a lock around
 * device calls: each key is loaded once however many threads ask for it at the same moment; a key
 * in use is leased and never unloaded to make room; the least recently used idle key is.
 */
final class LiveSession {
  final HsmSession session;
  private final Map<String, Slot> keys = new ConcurrentHashMap<>();
  private final AtomicLong clock = new AtomicLong();

  /** Notified when a lease ends, for a thread waiting for room in a full key table. */
  private final Object released = new Object();

  /**
   * A key's handle, there once its load finishes; its users (-1 once evicted); when it was last
   * used.
   */
  private static final class Slot {
    final CompletableFuture<Integer> handle = new CompletableFuture<>();
    final AtomicInteger users = new AtomicInteger();
    volatile long lastUse;

    /** Takes a use unless the slot was evicted. */
    boolean tryUse() {
      for (int u = users.get(); u >= 0; u = users.get()) {
        if (users.compareAndSet(u, u + 1)) {
          return true;
        }
      }
      return false;
    }
  }

  /** A loaded key in use: its handle stays loaded until the lease is closed. */
  final class Lease implements AutoCloseable {
    final int handle;
    private final Slot slot;

    private Lease(int handle, Slot slot) {
      this.handle = handle;
      this.slot = slot;
    }

    @Override
    public void close() {
      if (slot.users.decrementAndGet() == 0) {
        synchronized (released) {
          released.notifyAll();
        }
      }
    }
  }

  LiveSession(HsmSession session) {
    this.session = session;
  }

  /**
   * The key, leased: loaded now by {@code load} when no thread has loaded it, else the first
   * loader's handle.
   */
  Lease acquire(String label, ToIntFunction<String> load) {
    while (true) {
      // The loaded key is the usual case: looked up without making a slot that goes unused.
      Slot slot = keys.get(label);
      Slot fresh = null;
      if (slot == null) {
        fresh = new Slot();
        fresh.users.set(1);
        slot = keys.putIfAbsent(label, fresh);
      }
      if (slot == null) {
        slot = fresh;
        try {
          slot.handle.complete(load.applyAsInt(label));
        } catch (Throwable e) {
          // Whatever it was (an Error too), the threads waiting for this load must not wait
          // forever.
          keys.remove(label, slot);
          slot.users.decrementAndGet();
          slot.handle.completeExceptionally(e);
          throw e;
        }
      } else if (!slot.tryUse()) {
        continue; // evicted a moment ago: load it again
      }
      slot.lastUse = clock.incrementAndGet();
      try {
        return new Lease(slot.handle.join(), slot);
      } catch (CompletionException e) {
        slot.users.decrementAndGet();
        throw unwrapped(e); // the loader's own failure, which it threw too
      }
    }
  }

  private static RuntimeException unwrapped(CompletionException e) {
    if (e.getCause() instanceof RuntimeException r) {
      return r;
    }
    if (e.getCause() instanceof Error err) {
      throw err;
    }
    return e;
  }

  /** Records a key the device loaded while making it (generate, import, unwrap, derive). */
  void loaded(String label, int handle) {
    Slot slot = new Slot();
    slot.handle.complete(handle);
    slot.lastUse = clock.incrementAndGet();
    keys.put(label, slot);
  }

  /**
   * Forgets a handle the device no longer has, unless another thread has loaded the key again
   * since.
   */
  void forget(String label, int handle) {
    Slot slot = keys.get(label);
    Integer h = loadedHandle(slot);
    if (h != null && h == handle) {
      keys.remove(label, slot);
    }
  }

  /** Removes the key's entry; its handle, when it had one, for the caller to unload. */
  Integer remove(String label) {
    return loadedHandle(keys.remove(label));
  }

  /** Files a loaded key under a new label. */
  void rename(String from, String to) {
    Slot slot = keys.remove(from);
    if (slot != null) {
      keys.put(to, slot);
    }
  }

  /**
   * Takes the least recently used loaded key that no thread is using out of the cache and answers
   * its handle, for the caller to unload; null when every loaded key is in use (or none is loaded).
   */
  Integer evictEldest() {
    while (true) {
      Map.Entry<String, Slot> eldest = null;
      for (Map.Entry<String, Slot> e : keys.entrySet()) {
        Slot s = e.getValue();
        if (s.users.get() == 0
            && loadedHandle(s) != null
            && (eldest == null || s.lastUse < eldest.getValue().lastUse)) {
          eldest = e;
        }
      }
      if (eldest == null) {
        return null;
      }
      Slot s = eldest.getValue();
      if (s.users.compareAndSet(0, -1)) {
        keys.remove(eldest.getKey(), s);
        return loadedHandle(s);
      }
    }
  }

  /**
   * Waits a little for a lease to end (a key that could then be unloaded to make room); false at
   * once when no key of this session is in use, so waiting could not help.
   */
  boolean awaitRelease(long deadlineNanos) throws InterruptedException {
    if (keys.values().stream().noneMatch(s -> s.users.get() > 0)
        || System.nanoTime() > deadlineNanos) {
      return false;
    }
    synchronized (released) {
      released.wait(10); // short: a release just before this wait would otherwise go unseen
    }
    return true;
  }

  /** The handles of every loaded key. */
  List<Integer> handles() {
    List<Integer> all = new ArrayList<>();
    for (Slot s : keys.values()) {
      Integer h = loadedHandle(s);
      if (h != null) {
        all.add(h);
      }
    }
    return all;
  }

  private static Integer loadedHandle(Slot s) {
    return s != null && s.handle.isDone() && !s.handle.isCompletedExceptionally()
        ? s.handle.join()
        : null;
  }
}
