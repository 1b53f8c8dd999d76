package io.ihsm.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.ddi.message.DeviceState;
import io.ihsm.ddi.message.PartitionLimits;
import io.ihsm.device.Device;
import io.ihsm.device.DeviceConfig;
import io.ihsm.device.daemon.ConnectionLimits;
import io.ihsm.device.daemon.DeviceDaemon;
import io.ihsm.sdk.store.HostKeyStore;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Floods and slow clients against a real daemon: idle and half-sent connections, many more than the
 * port holds ({@value #FLOOD_DEFAULT} by default), and a client that sends one byte at a time. A
 * client with a session keeps working through all of it, a new client still gets in, and the daemon
 * closes the slow and idle connections itself.
 */
class FloodTest {
  static final ConnectionLimits TIGHT =
      new ConnectionLimits(
          32, Duration.ofMillis(600), Duration.ofSeconds(2), Duration.ofMinutes(5));
  static final int FLOOD_DEFAULT = 300;

  /**
   * Connections the flood opens; more with -Dihsm.flood.connections=N (each one file descriptor).
   */
  static final int FLOOD = Integer.getInteger("ihsm.flood.connections", FLOOD_DEFAULT);

  @TempDir Path tmp;

  static SocketChannel connect(Path socket) throws Exception {
    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
    ch.connect(UnixDomainSocketAddress.of(socket));
    return ch;
  }

  /** Whether the daemon has closed this connection (a read sees the end of the stream). */
  static boolean closedByDaemon(SocketChannel ch) throws Exception {
    ch.configureBlocking(false);
    ByteBuffer b = ByteBuffer.allocate(64);
    try {
      return ch.read(b) < 0;
    } catch (IOException reset) {
      return true;
    }
  }

  @Test
  void aClientWithASessionKeepsWorkingThroughAFloodOfIdleAndHalfSentConnections() throws Exception {
    try (Device device = Device.powerOn(DeviceConfig.of(tmp.resolve("state")));
        DeviceDaemon daemon = DeviceDaemon.start(device, tmp.resolve("sock"), Map.of(), TIGHT);
        IhsmClient hsm = IhsmClient.connect(DeviceAddress.daemon(tmp.resolve("sock")))) {
      HostKeyStore store = HostKeyStore.at(tmp.resolve("home"));
      PartitionClientTest.setUp(hsm, store, PartitionLimits.DEFAULTS);
      Path socket = tmp.resolve("sock").resolve(DeviceDaemon.partitionSocketName(1));
      try (PartitionClient app = PartitionClient.open(hsm, store, "app", PartitionClientTest.PIN)) {
        HostKeyStore.StoredKey k = app.generate("k", KeyKind.EC_P256, KeyUsage.SIGN, false);
        List<SocketChannel> flood = new ArrayList<>();
        try {
          for (int i = 0; i < FLOOD; i++) {
            SocketChannel ch = connect(socket);
            if (i % 2 == 0) {
              ch.write(
                  ByteBuffer.wrap(new byte[] {0, 0, 1})); // half a length prefix, never finished
            }
            flood.add(ch);
            if (i % 25 == 0) {
              byte[] msg = ("during the flood " + i).getBytes();
              assertThat(
                      PartitionClientTest.jdkVerifies(
                          k, msg, app.sign("k", PartitionClientTest.ecdsa(msg))))
                  .as("sign during the flood, after " + i + " connections")
                  .isTrue();
            }
          }
          // A client arriving in the middle of the flood gets in too: its connection evicts an idle
          // one.
          try (IhsmClient late = IhsmClient.connect(DeviceAddress.daemon(tmp.resolve("sock")));
              PartitionClient other =
                  PartitionClient.open(late, store, "app", PartitionClientTest.PIN)) {
            byte[] msg = "a late client".getBytes();
            assertThat(
                    PartitionClientTest.jdkVerifies(
                        k, msg, other.sign("k", PartitionClientTest.ecdsa(msg))))
                .isTrue();
          }
          long open = flood.stream().filter(SocketChannel::isOpen).count();
          int closed = 0;
          for (SocketChannel ch : flood) {
            if (closedByDaemon(ch)) {
              closed++;
            }
          }
          assertThat(closed)
              .as("the port held at most its limit: the rest were evicted")
              .isGreaterThanOrEqualTo(FLOOD - TIGHT.maxConnections());
          assertThat(open).isEqualTo(FLOOD);
        } finally {
          for (SocketChannel ch : flood) {
            ch.close();
          }
        }
        byte[] msg = "after the flood".getBytes();
        assertThat(
                PartitionClientTest.jdkVerifies(
                    k, msg, app.sign("k", PartitionClientTest.ecdsa(msg))))
            .isTrue();
      }
    }
  }

  @Test
  void aSlowSenderAndAnIdleConnectionAreClosedByTheDaemonOnTime() throws Exception {
    try (Device device = Device.powerOn(DeviceConfig.of(tmp.resolve("state")));
        DeviceDaemon daemon = DeviceDaemon.start(device, tmp.resolve("sock"), Map.of(), TIGHT)) {
      Path socket = daemon.managementSocket();
      try (SocketChannel slow = connect(socket);
          SocketChannel idle = connect(socket)) {
        long start = System.nanoTime();
        boolean slowClosed = false;
        // A frame of 64 bytes announced, then one byte every 100 ms: it cannot complete within the
        // 600 ms timeout.
        slow.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 64}));
        for (int i = 0; i < 40 && !slowClosed; i++) {
          try {
            slow.write(ByteBuffer.wrap(new byte[] {0}));
          } catch (IOException closed) {
            slowClosed = true;
          }
          Thread.sleep(100);
        }
        assertThat(slowClosed).as("the slow sender was cut off").isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
        Thread.sleep(TIGHT.untrustedIdle().toMillis() + 1500);
        assertThat(closedByDaemon(idle)).as("the idle connection was closed").isTrue();
      }
      // The port still serves.
      try (IhsmClient hsm = IhsmClient.connect(DeviceAddress.daemon(tmp.resolve("sock")))) {
        assertThat(hsm.deviceStatus().state()).isEqualTo(DeviceState.OPERATIONAL);
      }
    }
  }
}
