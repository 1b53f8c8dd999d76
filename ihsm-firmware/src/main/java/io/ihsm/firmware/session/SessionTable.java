package io.ihsm.firmware.session;

import io.ihsm.ddi.ApiRevision;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.spi.ClientBinding;
import io.ihsm.ddi.spi.Port;
import io.ihsm.firmware.rng.RandomSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Open sessions, bounded per port. A session is found only through the port and the client
 * (transport binding) that opened it, so an id seen or guessed elsewhere opens nothing. Ids are
 * random non-zero u32s whose top byte is the power-on count, so an id from before a reset never
 * names a new session.
 */
public final class SessionTable {
  private final RandomSource random;
  private final Map<Integer, Session> sessions = new HashMap<>();
  private final Map<Integer, Long> lastUsed = new HashMap<>();
  private final Map<Integer, Long> idleLimit = new HashMap<>();
  private final List<Consumer<Session>> closeListeners = new CopyOnWriteArrayList<>();

  private final int epoch;

  /**
   * @param epoch this power-on's number (low 8 bits used): session ids carry it in their top byte,
   *     so a session from before a reset is recognised as such, not mistaken for another
   */
  public SessionTable(RandomSource random, int epoch) {
    this.random = random;
    this.epoch = epoch & 0xFF;
  }

  /**
   * @param idleTimeoutSeconds the session closes when unused this long (checked whenever sessions
   *     are looked up or counted, so an idle session never outlives its limit in any answer)
   */
  public Session open(
      Port port,
      ClientBinding client,
      ApiRevision revision,
      Session.Role role,
      int maxOnPort,
      int idleTimeoutSeconds)
      throws DdiException {
    expireIdle();
    synchronized (this) {
      return openLocked(port, client, revision, role, maxOnPort, idleTimeoutSeconds);
    }
  }

  private Session openLocked(
      Port port,
      ClientBinding client,
      ApiRevision revision,
      Session.Role role,
      int maxOnPort,
      int idleTimeoutSeconds)
      throws DdiException {
    long onPort = sessions.values().stream().filter(s -> s.port().equals(port)).count();
    if (onPort >= maxOnPort) {
      throw new DdiException(
          Status.TOO_MANY_SESSIONS, "session limit of " + maxOnPort + " reached");
    }
    int id;
    do {
      id = (epoch << 24) | (random.nonZeroInt() & 0x00FFFFFF);
    } while (id == 0 || sessions.containsKey(id));
    Session s = new Session(id, port, client, revision, role);
    sessions.put(id, s);
    lastUsed.put(id, System.nanoTime());
    idleLimit.put(id, idleTimeoutSeconds * 1_000_000_000L);
    return s;
  }

  /**
   * How often the idle sessions are looked for: limits are whole seconds, and looking on every
   * request cost a tenth of a small request's time in the module (docs/performance.md).
   */
  static final long EXPIRY_CHECK_NANOS = 100_000_000L;

  /** When idle sessions were last looked for (System.nanoTime), or 0. */
  private volatile long lastExpiryCheck;

  /** Closes the sessions that have been idle past their limit. */
  public void expireIdle() {
    List<Session> expired;
    long now = System.nanoTime();
    long last = lastExpiryCheck;
    if (last != 0 && now - last < EXPIRY_CHECK_NANOS) {
      return;
    }
    lastExpiryCheck = now == 0 ? 1 : now;
    synchronized (this) {
      expired =
          sessions.values().stream()
              .filter(s -> now - lastUsed.get(s.id()) > idleLimit.get(s.id()))
              .toList();
      expired.forEach(s -> forget(s.id()));
    }
    closed(expired);
  }

  /** How many sessions are open now, on every port (idle-expired ones are closed first). */
  public int open() {
    expireIdle();
    synchronized (this) {
      return sessions.size();
    }
  }

  /**
   * The session with this id opened on this port by this client, marked as used; another port's,
   * another client's or an idle-expired one is not found.
   */
  public Optional<Session> find(Port port, ClientBinding client, int id) {
    expireIdle();
    Session idle = null;
    synchronized (this) {
      Session s = sessions.get(id);
      if (s == null || !s.port().equals(port) || !s.client().equals(client)) {
        return Optional.empty();
      }
      long now = System.nanoTime();
      if (now - lastUsed.get(id) > idleLimit.get(id)) {
        // Past its limit since the last look for idle sessions: it ends now, not revived.
        forget(id);
        idle = s;
      } else {
        lastUsed.put(id, now);
        return Optional.of(s);
      }
    }
    closed(List.of(idle));
    return Optional.empty();
  }

  private void forget(int id) {
    sessions.remove(id);
    lastUsed.remove(id);
    idleLimit.remove(id);
  }

  /** Called for every session that ends, by close, closeAll or clear (session keys go with it). */
  public void onClose(Consumer<Session> listener) {
    closeListeners.add(listener);
  }

  /** Ends a session the dispatcher found for its caller. */
  public boolean close(Session session) {
    synchronized (this) {
      if (sessions.get(session.id()) != session) {
        return false;
      }
      forget(session.id());
    }
    closed(List.of(session));
    return true;
  }

  /** Closes every session of a port (its partition was deleted or lost its state). */
  public void closeAll(Port port) {
    List<Session> ended;
    synchronized (this) {
      ended = sessions.values().stream().filter(s -> s.port().equals(port)).toList();
      ended.forEach(s -> forget(s.id()));
    }
    closed(ended);
  }

  public void clear() {
    List<Session> ended;
    synchronized (this) {
      ended = List.copyOf(sessions.values());
      ended.forEach(s -> forget(s.id()));
    }
    closed(ended);
  }

  private void closed(List<Session> ended) {
    for (Session s : ended) {
      closeListeners.forEach(l -> l.accept(s));
    }
  }
}
