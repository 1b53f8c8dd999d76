package io.ihsm.kms;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The KMS v2 plugin's gRPC server on a Unix socket (netty's epoll domain-socket transport, as the
 * API server dials it): owner-only, bounded in message size and calls per connection, served by a
 * fixed pool of threads.
 */
public final class KmsPlugin implements AutoCloseable {
  private static final int THREADS = 8;

  private final Path socket;
  private final Server server;
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final ExecutorService executor;

  private KmsPlugin(
      Path socket,
      Server server,
      EventLoopGroup boss,
      EventLoopGroup workers,
      ExecutorService executor) {
    this.socket = socket;
    this.server = server;
    this.boss = boss;
    this.workers = workers;
    this.executor = executor;
  }

  /**
   * The socket path of an endpoint as Kubernetes writes it: {@code unix:///run/ihsm/kms.sock}.
   *
   * @throws IllegalArgumentException for anything else
   */
  public static Path socketOf(String endpoint) {
    String prefix = "unix://";
    if (!endpoint.startsWith(prefix) || !endpoint.startsWith("/", prefix.length())) {
      throw new IllegalArgumentException(
          "the endpoint is unix:// and an absolute path (unix:///run/ihsm/kms.sock), got "
              + endpoint);
    }
    return Path.of(endpoint.substring(prefix.length()));
  }

  /**
   * Serves {@code key} on {@code socket}. A stale socket file (nobody listening) is replaced; a
   * live one, or any other file, is left alone and refused.
   *
   * @throws IllegalStateException when the socket cannot be taken, saying why
   */
  public static KmsPlugin start(Path socket, KmsKey key) {
    if (!Epoll.isAvailable()) {
      throw new IllegalStateException(
          "netty's epoll transport is not available here: " + Epoll.unavailabilityCause());
    }
    prepare(socket);
    EventLoopGroup boss = new EpollEventLoopGroup(1);
    EventLoopGroup workers = new EpollEventLoopGroup(2);
    ExecutorService executor = Executors.newFixedThreadPool(THREADS, KmsPlugin::daemonThread);
    Server server =
        NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .channelType(EpollServerDomainSocketChannel.class)
            .bossEventLoopGroup(boss)
            .workerEventLoopGroup(workers)
            .executor(executor)
            .maxInboundMessageSize(KmsLimits.MAX_MESSAGE_BYTES)
            .maxInboundMetadataSize(16 * 1024)
            .maxConcurrentCallsPerConnection(KmsLimits.MAX_CALLS_PER_CONNECTION)
            .handshakeTimeout(10, TimeUnit.SECONDS)
            .permitKeepAliveTime(10, TimeUnit.SECONDS)
            .addService(new KeyManagementService(key))
            .build();
    try {
      server.start();
      Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
    } catch (IOException e) {
      server.shutdownNow();
      boss.shutdownGracefully();
      workers.shutdownGracefully();
      executor.shutdownNow();
      throw new IllegalStateException("cannot listen on " + socket + ": " + e.getMessage(), e);
    }
    return new KmsPlugin(socket, server, boss, workers, executor);
  }

  private static Thread daemonThread(Runnable r) {
    Thread t = new Thread(r, "ihsm-kms");
    t.setDaemon(true);
    return t;
  }

  /** Makes the socket's directory (owner-only) and clears a stale socket file. */
  private static void prepare(Path socket) {
    try {
      Path dir = socket.toAbsolutePath().getParent();
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(
            dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
        return;
      }
      if (Files.isRegularFile(socket, LinkOption.NOFOLLOW_LINKS)
          || Files.isDirectory(socket, LinkOption.NOFOLLOW_LINKS)
          || Files.isSymbolicLink(socket)) {
        throw new IllegalStateException(socket + " exists and is not a socket; not touching it");
      }
      if (listening(socket)) {
        throw new IllegalStateException("another process listens on " + socket);
      }
      Files.delete(socket); // stale: its server is gone
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + socket, e);
    }
  }

  private static boolean listening(Path socket) {
    try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      c.connect(UnixDomainSocketAddress.of(socket));
      return true;
    } catch (IOException refused) {
      return false;
    }
  }

  public Path socket() {
    return socket;
  }

  /** Blocks until the server stops. */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /** Stops taking calls, lets those in flight finish (5 s at most), and removes the socket. */
  @Override
  public void close() {
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
    executor.shutdownNow();
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    try {
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      // the next start clears a stale socket
    }
  }
}
