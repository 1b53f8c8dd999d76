package io.ihsm.device.daemon;

import io.ihsm.ddi.spi.Port;
import io.ihsm.device.Device;
import io.ihsm.host.OwnerOnly;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Serves one port on one Unix-domain socket. The socket is bound in a private directory, made
 * owner-only and only then moved into place, so there is no moment when another user could connect
 * to it. Connections are bounded and swept ({@link ConnectionLimits}): a frame that does not arrive
 * whole in time, or a connection idle too long, is closed; a new connection on a full port evicts
 * an idle one, untrusted first, so a flood cannot lock out clients with sessions.
 */
final class PortServer implements AutoCloseable {
  /** How long a graceful close waits for requests in flight. */
  private static final long GRACE_NANOS = 5_000_000_000L;

  private final Device device;
  private final Port port;
  private final Path socketPath;
  private final ServerSocketChannel server;
  private final ConnectionLimits limits;
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private PortServer(
      Device device,
      Port port,
      Path socketPath,
      ServerSocketChannel server,
      ConnectionLimits limits) {
    this.device = device;
    this.port = port;
    this.socketPath = socketPath;
    this.server = server;
    this.limits = limits;
  }

  /**
   * @param owner who may connect besides root: the daemon's own user when empty, else the workload
   *     user the socket is handed to (needs CAP_CHOWN)
   */
  static PortServer start(
      Device device, Port port, Path socketPath, Optional<String> owner, ConnectionLimits limits)
      throws IOException {
    removeStaleSocket(socketPath);
    Path bindDir =
        Files.createTempDirectory(
            socketPath.getParent(),
            ".bind-",
            PosixFilePermissions.asFileAttribute(OwnerOnly.DIRECTORY));
    Path temp = bindDir.resolve("s");
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      server.bind(UnixDomainSocketAddress.of(temp));
      OwnerOnly.restrictFile(temp);
      if (owner.isPresent()) {
        UserPrincipal user =
            temp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(owner.get());
        Files.setOwner(temp, user);
      }
      Files.move(temp, socketPath, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      server.close();
      throw e;
    } finally {
      Files.deleteIfExists(temp);
      Files.deleteIfExists(bindDir);
    }
    PortServer s = new PortServer(device, port, socketPath, server, limits);
    Thread.ofVirtual().name("ihsm-accept-" + port).start(s::acceptLoop);
    Thread.ofVirtual().name("ihsm-sweep-" + port).start(s::sweepLoop);
    return s;
  }

  Path socketPath() {
    return socketPath;
  }

  private void acceptLoop() {
    while (!closed) {
      SocketChannel ch;
      try {
        ch = server.accept();
      } catch (IOException e) {
        if (closed) {
          return;
        }
        pause(); // e.g. out of file descriptors: do not spin
        continue;
      }
      if (closed || (connections.size() >= limits.maxConnections() && !evictOne())) {
        closeQuietly(ch);
        continue;
      }
      Connection[] self = new Connection[1];
      try {
        self[0] = new Connection(ch, device, port, () -> connections.remove(self[0]));
      } catch (IOException e) {
        closeQuietly(ch); // it could not be made non-blocking: it is gone already
        continue;
      }
      connections.add(self[0]);
      self[0].start();
    }
  }

  /**
   * Makes room for a new connection: closes the untrusted connection idle longest, else the trusted
   * one idle longest; never one whose request is with the device. False when none can go.
   */
  private boolean evictOne() {
    Connection victim = null;
    for (Connection c : connections) {
      if (c.serving()) {
        continue;
      }
      if (victim == null
          || (victim.trusted() && !c.trusted())
          || (victim.trusted() == c.trusted()
              && c.lastActiveNanos() - victim.lastActiveNanos() < 0)) {
        victim = c;
      }
    }
    if (victim == null) {
      return false;
    }
    victim.closeQuietly();
    return true;
  }

  /** Closes connections whose frame is overdue or that idled past their limit. */
  private void sweepLoop() {
    long tick = Math.max(10, Math.min(1000, limits.frameTimeout().toMillis() / 4));
    while (!closed) {
      try {
        Thread.sleep(tick);
      } catch (InterruptedException e) {
        return;
      }
      sweep(System.nanoTime());
    }
  }

  void sweep(long now) {
    for (Connection c : connections) {
      long partial = c.partialFrameSinceNanos();
      boolean overdue = partial != 0 && now - partial > limits.frameTimeout().toNanos();
      long idleLimit = (c.trusted() ? limits.trustedIdle() : limits.untrustedIdle()).toNanos();
      boolean idle = partial == 0 && !c.serving() && now - c.lastActiveNanos() > idleLimit;
      if (overdue || idle) {
        c.closeQuietly();
      }
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    Files.deleteIfExists(socketPath);
    for (Connection c : Set.copyOf(connections)) {
      c.stopReading();
    }
    long deadline = System.nanoTime() + GRACE_NANOS;
    while (!connections.isEmpty() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    for (Connection c : Set.copyOf(connections)) {
      c.closeQuietly();
    }
  }

  /** A socket file left by a daemon that died; refuse if a live daemon still answers on it. */
  private static void removeStaleSocket(Path socketPath) throws IOException {
    if (!Files.exists(socketPath)) {
      return;
    }
    try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socketPath))) {
      throw new IllegalStateException("socket " + socketPath + " is in use by a running daemon");
    } catch (IOException notListening) {
      Files.delete(socketPath);
    }
  }

  private static void pause() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
    }
  }

  private static void closeQuietly(SocketChannel ch) {
    try {
      ch.close();
    } catch (IOException ignored) {
      // best effort
    }
  }
}
