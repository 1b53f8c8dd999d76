package io.ihsm.device.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ihsm.ddi.ApiRevision;
import io.ihsm.ddi.Frames;
import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.RequestHeader;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.message.DeviceState;
import io.ihsm.ddi.message.DeviceStatus;
import io.ihsm.ddi.message.GetRandomRequest;
import io.ihsm.ddi.message.RandomBytes;
import io.ihsm.device.Device;
import io.ihsm.device.DeviceConfig;
import io.ihsm.device.StandInFirmware;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceDaemonTest {
  @TempDir Path tmp;

  Device device;
  DeviceDaemon daemon;

  void startWithFactoryFirmware() throws Exception {
    device = Device.powerOn(DeviceConfig.of(tmp.resolve("state")));
    daemon = DeviceDaemon.start(device, tmp.resolve("sock"));
  }

  StandInFirmware startWithStandIn() throws Exception {
    StandInFirmware fw = new StandInFirmware();
    device = Device.powerOnUnverified(DeviceConfig.of(tmp.resolve("state")), fw);
    daemon = DeviceDaemon.start(device, tmp.resolve("sock"));
    return fw;
  }

  @AfterEach
  void stop() throws Exception {
    if (daemon != null) {
      daemon.close();
    }
    if (device != null) {
      device.close();
    }
  }

  static byte[] status(int id) {
    return Frames.encodeRequest(
        RequestHeader.of(ApiRevision.V1_0, Opcode.GET_DEVICE_STATUS, 0, id), new byte[0]);
  }

  static byte[] random(int id, int n) {
    return Frames.encodeRequest(
        RequestHeader.of(ApiRevision.V1_0, Opcode.GET_RANDOM, 0, id),
        new GetRandomRequest(n).toBytes());
  }

  static void assertStillServes(RawClient c, int id) throws Exception {
    c.sendFrame(status(id));
    Frames.Response r = c.read();
    assertThat(r.header().status()).isEqualTo(Status.SUCCESS);
    assertThat(r.header().requestId()).isEqualTo(id);
  }

  @Test
  void socketsAreOwnerOnly() throws Exception {
    startWithFactoryFirmware();
    Path mgmt = tmp.resolve("sock").resolve(DeviceDaemon.MANAGEMENT_SOCKET);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(mgmt)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("sock"))))
        .isEqualTo("rwx------");
    try (var files = Files.list(tmp.resolve("sock"))) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactly(DeviceDaemon.MANAGEMENT_SOCKET);
    }
  }

  @Test
  void servesStatusOverTheManagementSocket() throws Exception {
    startWithFactoryFirmware();
    try (RawClient c = new RawClient(daemon.managementSocket())) {
      c.sendFrame(status(1));
      Frames.Response r = c.read();
      assertThat(DeviceStatus.read(r.body()).state()).isEqualTo(DeviceState.OPERATIONAL);
    }
  }

  @Test
  void pipelinedRequestsAreAllAnsweredAndMatchedById() throws Exception {
    startWithFactoryFirmware();
    int n = 300;
    try (RawClient c = new RawClient(daemon.managementSocket())) {
      ByteBuffer burst = ByteBuffer.allocate(n * 64);
      for (int id = 1; id <= n; id++) {
        byte[] f = random(id, 1 + id % 32);
        burst.putInt(f.length).put(f);
      }
      c.sendRaw(Arrays.copyOf(burst.array(), burst.position()));
      Map<Integer, Integer> lengths = new HashMap<>();
      for (int i = 0; i < n; i++) {
        Frames.Response r = c.read();
        assertThat(r.header().status()).isEqualTo(Status.SUCCESS);
        lengths.put(r.header().requestId(), RandomBytes.read(r.body()).bytes().length);
      }
      assertThat(lengths).hasSize(n);
      lengths.forEach((id, len) -> assertThat(len).isEqualTo(1 + id % 32));
    }
  }

  @Test
  void requestsAreServedConcurrentlyNotOneAfterAnother() throws Exception {
    StandInFirmware fw = startWithStandIn();
    fw.delayMillis = 300;
    try (RawClient c = new RawClient(daemon.managementSocket())) {
      long start = System.nanoTime();
      for (int id = 1; id <= 10; id++) {
        c.sendFrame(random(id, 4));
      }
      for (int i = 0; i < 10; i++) {
        assertThat(c.read().header().status()).isEqualTo(Status.SUCCESS);
      }
      // Ten 300 ms requests served one by one would take 3 s.
      assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2500);
    }
  }

  @Test
  void zeroLengthTruncatedAndGarbageFramesAreAnsweredAndTheConnectionStaysUsable()
      throws Exception {
    startWithFactoryFirmware();
    try (RawClient c = new RawClient(daemon.managementSocket())) {
      c.sendFrame(new byte[0]);
      assertThat(c.read().header())
          .extracting("status", "requestId")
          .containsExactly(Status.TRUNCATED_FRAME, 0);
      c.sendFrame(new byte[] {1, 1, 0, 0, 0});
      assertThat(c.read().header().status()).isEqualTo(Status.TRUNCATED_FRAME);
      byte[] garbage = new byte[40];
      Arrays.fill(garbage, (byte) 0xEE);
      c.sendFrame(garbage);
      assertThat(c.read().header().status()).isEqualTo(Status.MALFORMED_FRAME);
      c.sendFrame(
          Frames.encodeRequest(new RequestHeader(ApiRevision.V1_0, 0x4242, 0, 7), new byte[0]));
      assertThat(c.read().header())
          .extracting("status", "requestId")
          .containsExactly(Status.UNKNOWN_OPCODE, 7);
      c.sendFrame(
          Frames.encodeRequest(
              RequestHeader.of(new ApiRevision(3, 0), Opcode.GET_DEVICE_INFO, 0, 8), new byte[0]));
      assertThat(c.read().header().status()).isEqualTo(Status.UNSUPPORTED_API_REVISION);
      c.sendFrame(
          Frames.encodeRequest(
              RequestHeader.of(ApiRevision.NONE, Opcode.GET_DEVICE_INFO, 0, 9), new byte[0]));
      assertThat(c.read().header().status()).isEqualTo(Status.MISSING_API_REVISION);
      c.sendFrame(
          Frames.encodeRequest(
              RequestHeader.of(ApiRevision.V1_0, Opcode.GET_DEVICE_INFO, 55, 10), new byte[0]));
      assertThat(c.read().header().status()).isEqualTo(Status.SESSION_NOT_ALLOWED);
      assertStillServes(c, 11);
    }
  }

  @Test
  void anOversizedFrameIsRefusedAndOnlyThatConnectionCloses() throws Exception {
    startWithFactoryFirmware();
    try (RawClient bad = new RawClient(daemon.managementSocket());
        RawClient good = new RawClient(daemon.managementSocket())) {
      bad.sendRaw(ByteBuffer.allocate(4).putInt(Frames.MAX_FRAME_BYTES + 1).array());
      assertThat(bad.read().header())
          .extracting("status", "requestId")
          .containsExactly(Status.FRAME_TOO_LARGE, 0);
      assertThat(bad.read()).as("the daemon closes the connection cleanly").isNull();
      // A length of 4 GiB - 1 must not be taken as negative or allocated.
      try (RawClient huge = new RawClient(daemon.managementSocket())) {
        huge.sendRaw(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
        assertThat(huge.read().header().status()).isEqualTo(Status.FRAME_TOO_LARGE);
      }
      assertStillServes(good, 1);
    }
  }

  @Test
  void clientsThatVanishMidFrameOrMidRequestHarmNothing() throws Exception {
    StandInFirmware fw = startWithStandIn();
    try (RawClient c = new RawClient(daemon.managementSocket())) {
      c.sendRaw(
          ByteBuffer.allocate(14)
              .putInt(100)
              .put(new byte[10])
              .array()); // promises 100 bytes, sends 10
    }
    try (RawClient c = new RawClient(daemon.managementSocket())) {
      c.sendRaw(new byte[] {0, 0}); // vanishes inside the length prefix
    }
    fw.delayMillis = 200;
    try (RawClient c = new RawClient(daemon.managementSocket())) {
      c.sendFrame(random(1, 8)); // vanishes while its request is being served
    }
    Thread.sleep(300);
    try (RawClient c = new RawClient(daemon.managementSocket())) {
      assertStillServes(c, 2);
    }
  }

  @Test
  void partitionSocketsFollowTheFirmwaresVirtualFunctions() throws Exception {
    StandInFirmware fw = startWithStandIn();
    Path p7 = tmp.resolve("sock").resolve(DeviceDaemon.partitionSocketName(7));
    assertThat(p7).doesNotExist();
    fw.platform.virtualFunctions().enable(7);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p7)))
        .isEqualTo("rw-------");
    try (RawClient c = new RawClient(p7)) {
      c.sendFrame(status(1));
      // The stand-in reports the port the device stamped on the request.
      assertThat(DeviceStatus.read(c.read().body()).reason()).isEqualTo("partition-7");
    }
    try (RawClient c = new RawClient(daemon.managementSocket())) {
      c.sendFrame(status(1));
      assertThat(DeviceStatus.read(c.read().body()).reason()).isEqualTo("management");
    }
    fw.platform.virtualFunctions().disable(7);
    assertThat(p7).doesNotExist();
  }

  @Test
  void closeAnswersRequestsInFlightThenRemovesTheSockets() throws Exception {
    StandInFirmware fw = startWithStandIn();
    fw.platform.virtualFunctions().enable(3);
    fw.delayMillis = 300;
    try (RawClient c = new RawClient(daemon.managementSocket())) {
      c.sendFrame(random(5, 8));
      Thread.sleep(50);
      daemon.close();
      Frames.Response r = c.read();
      assertThat(r.header()).extracting("status", "requestId").containsExactly(Status.SUCCESS, 5);
      assertThat(c.read()).isNull();
    }
    daemon = null;
    try (var files = Files.list(tmp.resolve("sock"))) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void aStaleSocketIsReplacedButALiveDaemonIsNotDisturbed() throws Exception {
    startWithFactoryFirmware();
    Device other = Device.powerOn(DeviceConfig.of(tmp.resolve("state2")));
    try {
      assertThatThrownBy(() -> DeviceDaemon.start(other, tmp.resolve("sock")))
          .hasMessageContaining("in use by a running daemon");
      try (RawClient c = new RawClient(daemon.managementSocket())) {
        assertStillServes(c, 1);
      }
      // Simulate a crash: a socket file nobody listens on.
      Path dir = tmp.resolve("sock2");
      Files.createDirectories(dir);
      try (var s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
        s.bind(UnixDomainSocketAddress.of(dir.resolve(DeviceDaemon.MANAGEMENT_SOCKET)));
      }
      assertThat(dir.resolve(DeviceDaemon.MANAGEMENT_SOCKET)).exists();
      try (DeviceDaemon second = DeviceDaemon.start(other, dir);
          RawClient c = new RawClient(second.managementSocket())) {
        assertStillServes(c, 2);
      }
    } finally {
      other.close();
    }
  }

  @Test
  void aPartitionSocketCanBeHandedToItsWorkloadUser() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        "root".equals(System.getProperty("user.name")),
        "changing a socket's owner needs root or CAP_CHOWN");
    StandInFirmware fw = new StandInFirmware();
    device = Device.powerOnUnverified(DeviceConfig.of(tmp.resolve("state")), fw);
    daemon = DeviceDaemon.start(device, tmp.resolve("sock"), Map.of(4, "nobody"));
    fw.platform.virtualFunctions().enable(4);
    fw.platform.virtualFunctions().enable(5);
    Path p4 = tmp.resolve("sock").resolve(DeviceDaemon.partitionSocketName(4));
    Path p5 = tmp.resolve("sock").resolve(DeviceDaemon.partitionSocketName(5));
    assertThat(Files.getOwner(p4).getName()).isEqualTo("nobody");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p4)))
        .isEqualTo("rw-------");
    assertThat(Files.getOwner(p5).getName()).isEqualTo("root");
    assertThat(Files.getOwner(daemon.managementSocket()).getName()).isEqualTo("root");
  }
}
