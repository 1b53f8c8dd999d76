package io.ihsm.pkcs11;

import io.ihsm.ddi.PollingChannel;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The user's bridge service: one JVM that serves every application using the PKCS#11 module, so
 * that C_Initialize connects to a socket instead of starting a JVM. It listens on {@code
 * DIR/NAME.sock} (the module makes DIR 0700 and checks it is the user's), holds {@code
 * DIR/NAME.lock} while it runs so that two starting at once leave one, accepts only callers running
 * as its own user (SO_PEERCRED), gives each connection a thread and a bridge of its own, and leaves
 * when no application has been connected for the idle time, or when its socket file is removed.
 */
final class BridgeService {
  static final Duration DEFAULT_IDLE = Duration.ofMinutes(10);

  /** Applications connected at once, at most: each has a thread and a daemon connection. */
  static final int MAX_APPLICATIONS = 1024;

  private final ServerSocketChannel server;
  private final Path socket;
  private final UserPrincipal owner;
  private final Duration idle;
  private final BridgeLog log = BridgeLog.service();
  private final AtomicLong connections = new AtomicLong();
  private int active;
  private long idleSince = System.nanoTime();
  private boolean closing;

  private BridgeService(ServerSocketChannel server, Path socket, Duration idle) throws IOException {
    this.server = server;
    this.socket = socket;
    this.owner = Files.getOwner(socket);
    this.idle = idle;
  }

  /** Serves on DIR/NAME.sock until idle; returns at once when another service holds the lock. */
  static void run(Path dir, String name, Duration idle) throws IOException {
    BridgeLog log = BridgeLog.service();
    Path socket = dir.resolve(name + ".sock");
    try (FileChannel lockFile =
            FileChannel.open(
                dir.resolve(name + ".lock"),
                Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")));
        FileLock lock = lockFile.tryLock()) {
      if (lock == null) {
        log.line(
            "another service is starting or serving on " + socket + "; leaving it to that one");
        return;
      }
      Files.deleteIfExists(socket); // left by a service that was killed
      try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
        server.bind(UnixDomainSocketAddress.of(socket));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        log.line(
            "serving on "
                + socket
                + " (pid "
                + ProcessHandle.current().pid()
                + ", leaves after "
                + idle.toSeconds()
                + " s idle)");
        new BridgeService(server, socket, idle).acceptUntilIdle();
      } finally {
        Files.deleteIfExists(socket);
      }
    }
  }

  private void acceptUntilIdle() {
    Thread.ofPlatform().daemon().name("bridge-idle").start(this::watch);
    while (true) {
      SocketChannel ch;
      try {
        ch = server.accept();
      } catch (ClosedChannelException e) { // closed by the idle watch
        return;
      } catch (IOException e) {
        log.line("accepting: " + e.getMessage());
        pause(); // out of descriptors, say: do not spin
        continue;
      }
      if (!admit(ch)) {
        close(ch);
        continue;
      }
      long n = connections.incrementAndGet();
      Thread.ofPlatform().name("application-" + n).start(() -> serve(ch));
    }
  }

  /** Only a caller running as this service's user, and only while the service is not leaving. */
  private boolean admit(SocketChannel ch) {
    try {
      UnixDomainPrincipal peer = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
      if (!peer.user().equals(owner)) {
        log.line("refused a connection from user " + peer.user().getName() + ": not " + owner);
        return false;
      }
    } catch (IOException | UnsupportedOperationException e) {
      log.line("refused a connection whose user cannot be told: " + e.getMessage());
      return false;
    }
    synchronized (this) {
      if (closing) {
        return false;
      }
      if (active >= MAX_APPLICATIONS) {
        log.line("refused a connection: " + MAX_APPLICATIONS + " applications are connected");
        return false;
      }
      active++;
      return true;
    }
  }

  private static void pause() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void serve(SocketChannel ch) {
    // Polled briefly before a read sleeps: an application's next call usually follows at once.
    try (ch;
        PollingChannel polled = PollingChannel.of(ch)) {
      Bridge.serve(
          Bridge::open,
          null,
          new BufferedInputStream(Channels.newInputStream(polled)),
          new BufferedOutputStream(Channels.newOutputStream(polled)));
    } catch (IOException | RuntimeException e) {
      log.line("an application's connection ended: " + e);
    } finally {
      synchronized (this) {
        active--;
        idleSince = System.nanoTime();
      }
    }
  }

  /** Closes the server when idle for long enough, or when its socket file is gone. */
  private void watch() {
    while (true) {
      try {
        Thread.sleep(Math.min(1000, Math.max(10, idle.toMillis() / 4)));
      } catch (InterruptedException e) {
        return;
      }
      String why = null;
      synchronized (this) {
        if (!Files.exists(socket)) {
          why = "its socket " + socket + " was removed";
        } else if (active == 0 && System.nanoTime() - idleSince >= idle.toNanos()) {
          why = "idle for " + idle.toSeconds() + " s";
        }
        if (why != null) {
          closing = true;
        }
      }
      if (why != null) {
        log.line("leaving: " + why);
        close(server);
        return;
      }
    }
  }

  private void close(Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      log.line("closing: " + e.getMessage());
    }
  }
}
