package io.ihsm.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ihsm.ddi.ApiRevision;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.message.DeviceState;
import io.ihsm.ddi.message.DeviceStatus;
import io.ihsm.device.Device;
import io.ihsm.device.DeviceConfig;
import io.ihsm.device.StandInFirmware;
import io.ihsm.device.daemon.DeviceDaemon;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same calls against the embedded device and a daemon, plus what only a socket can do wrong.
 */
class IhsmClientTest {
  @TempDir Path tmp;

  @Test
  void embeddedDeviceAnswersUnderItsHome() {
    try (IhsmClient hsm = IhsmClient.connect(DeviceAddress.embedded(tmp))) {
      assertThat(hsm.apiRevision()).isEqualTo(ApiRevision.V1_0);
      assertThat(hsm.deviceStatus().state()).isEqualTo(DeviceState.OPERATIONAL);
      assertThat(hsm.deviceInfo().serialNumber()).startsWith("IHSM-");
      assertThat(hsm.randomBytes(24)).hasSize(24);
      assertThat(hsm.describeTransport()).contains("embedded").contains("development only");
    }
    assertThat(tmp.resolve("device/rom/serial")).exists();
  }

  @Test
  void clientsInOneProcessShareOneEmbeddedDeviceAndReleaseIt() throws Exception {
    String serial;
    try (IhsmClient a = IhsmClient.connect(DeviceAddress.embedded(tmp));
        IhsmClient b = IhsmClient.connect(DeviceAddress.embedded(tmp))) {
      serial = a.deviceInfo().serialNumber();
      assertThat(b.deviceInfo().serialNumber()).isEqualTo(serial);
    }
    // Released: a daemon may now own the same state directory.
    try (Device d = Device.powerOn(DeviceConfig.of(tmp.resolve("device")))) {
      assertThat(d.identity().serialNumber()).isEqualTo(serial);
    }
  }

  @Test
  void anEmbeddedDeviceWhoseStateIsHeldElsewhereIsUnavailableOnceItsWaitIsOver() throws Exception {
    System.setProperty("ihsm.lockWaitSeconds", "1");
    try (Device held = Device.powerOn(DeviceConfig.of(tmp.resolve("device")))) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> IhsmClient.connect(DeviceAddress.embedded(tmp)))
          .isInstanceOfSatisfying(
              IhsmException.class,
              e -> {
                assertThat(e.status()).isEqualTo(Status.TRANSPORT_UNAVAILABLE);
                assertThat(e.getMessage())
                    .contains("in use by another ihsm device")
                    .contains("waited 1 s");
              });
      assertThat(System.nanoTime() - start).as("it waited").isGreaterThan(900_000_000L);
    } finally {
      System.clearProperty("ihsm.lockWaitSeconds");
    }
  }

  @Test
  void anEmbeddedDeviceWaitsForAnotherToLetGoOfItsState() throws Exception {
    Device held = Device.powerOn(DeviceConfig.of(tmp.resolve("device")));
    Thread release =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    Thread.sleep(700);
                    held.close();
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                });
    try (IhsmClient hsm = IhsmClient.connect(DeviceAddress.embedded(tmp))) {
      assertThat(hsm.deviceStatus().state().name()).isEqualTo("OPERATIONAL");
    }
    release.join();
  }

  @Test
  void daemonAnswersTheSameCalls() throws Exception {
    try (Device device = Device.powerOn(DeviceConfig.of(tmp.resolve("state")));
        DeviceDaemon daemon = DeviceDaemon.start(device, tmp.resolve("sock"));
        IhsmClient hsm = IhsmClient.connect(DeviceAddress.daemon(tmp.resolve("sock")))) {
      assertThat(hsm.deviceStatus().state()).isEqualTo(DeviceState.OPERATIONAL);
      assertThat(hsm.deviceInfo().serialNumber()).isEqualTo(device.identity().serialNumber());
      assertThat(hsm.describeTransport()).contains("management.sock");
    }
  }

  @Test
  void moreThreadsThanConnectionsEachGetTheirOwnAnswers() throws Exception {
    try (Device device = Device.powerOn(DeviceConfig.of(tmp.resolve("state")));
        DeviceDaemon daemon = DeviceDaemon.start(device, tmp.resolve("sock"));
        IhsmClient hsm = IhsmClient.connect(DeviceAddress.daemon(tmp.resolve("sock")))) {
      // 40 callers, more than a client's 32 connections: the rest wait their turn.
      assertThat(callConcurrently(hsm, 40, 50)).isTrue();
    }
  }

  @Test
  void keptConnectionsAreRenewedWhenTheDaemonRestartsWithoutFailingACall() throws Exception {
    Path sock = tmp.resolve("sock");
    Device device = Device.powerOn(DeviceConfig.of(tmp.resolve("state")));
    DeviceDaemon daemon = DeviceDaemon.start(device, sock);
    try (IhsmClient hsm = IhsmClient.connect(DeviceAddress.daemon(sock))) {
      assertThat(callConcurrently(hsm, 8, 20)).isTrue(); // several connections are kept now
      daemon.close();
      device.close();
      device = Device.powerOn(DeviceConfig.of(tmp.resolve("state")));
      daemon = DeviceDaemon.start(device, sock);
      // Each kept connection's write fails (the old daemon closed it), so the request never
      // reached a daemon and goes again on a new connection.
      assertThat(callConcurrently(hsm, 8, 20)).isTrue();
    } finally {
      daemon.close();
      device.close();
    }
  }

  /**
   * True when every one of {@code threads} × {@code calls} random-byte calls got the length it
   * asked.
   */
  private static boolean callConcurrently(IhsmClient hsm, int threads, int calls) throws Exception {
    try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      List<Future<Integer>> results = new ArrayList<>();
      CountDownLatch start = new CountDownLatch(1);
      for (int t = 0; t < threads; t++) {
        int len = 8 + t;
        Callable<Integer> job =
            () -> {
              start.await();
              int total = 0;
              for (int i = 0; i < calls; i++) {
                total += hsm.randomBytes(len).length;
              }
              return total;
            };
        results.add(pool.submit(job));
      }
      start.countDown();
      for (int t = 0; t < threads; t++) {
        if (results.get(t).get() != calls * (8 + t)) {
          return false;
        }
      }
      return true;
    }
  }

  @Test
  void aDeviceInErrorStillReportsStatusButRefusesServiceWithItsStatus() throws Exception {
    Path bad = tmp.resolve("bad.img");
    Files.write(bad, new byte[] {0});
    try (Device device = Device.powerOn(new DeviceConfig(tmp.resolve("state"), Optional.of(bad)));
        DeviceDaemon daemon = DeviceDaemon.start(device, tmp.resolve("sock"));
        IhsmClient hsm = IhsmClient.connect(DeviceAddress.daemon(tmp.resolve("sock")))) {
      DeviceStatus s = hsm.deviceStatus();
      assertThat(s.state()).isEqualTo(DeviceState.ERROR);
      assertThat(s.reason()).contains("firmware image");
      assertThatThrownBy(() -> hsm.randomBytes(8))
          .isInstanceOfSatisfying(
              IhsmException.class,
              e -> {
                assertThat(e.status()).isEqualTo(Status.DEVICE_NOT_OPERATIONAL);
                assertThat(e.isTransportFailure()).isFalse();
              });
    }
  }

  @Test
  void noDaemonIsATransportFailureWithAClearMessage() {
    assertThatThrownBy(() -> IhsmClient.connect(DeviceAddress.daemon(tmp.resolve("nothing-here"))))
        .isInstanceOfSatisfying(
            IhsmException.class,
            e -> {
              assertThat(e.status()).isEqualTo(Status.TRANSPORT_UNAVAILABLE);
              assertThat(e.isTransportFailure()).isTrue();
              assertThat(e.getMessage()).contains("nothing-here").contains("ihsm daemon");
            });
  }

  @Test
  void aSlowDeviceTimesOutAndTheConnectionStaysUsable() throws Exception {
    StandInFirmware fw = new StandInFirmware();
    try (Device device = Device.powerOnUnverified(DeviceConfig.of(tmp.resolve("state")), fw);
        DeviceDaemon daemon = DeviceDaemon.start(device, tmp.resolve("sock"));
        IhsmClient hsm =
            IhsmClient.connect(DeviceAddress.daemon(tmp.resolve("sock")), Duration.ofMillis(300))) {
      fw.delayMillis = 2000;
      assertThatThrownBy(() -> hsm.randomBytes(8))
          .isInstanceOfSatisfying(
              IhsmException.class, e -> assertThat(e.status()).isEqualTo(Status.TIMEOUT));
      fw.delayMillis = 0;
      assertThat(hsm.randomBytes(8)).hasSize(8);
    }
  }

  @Test
  void theClientReconnectsAfterTheDaemonRestarts() throws Exception {
    Path sock = tmp.resolve("sock");
    Device device = Device.powerOn(DeviceConfig.of(tmp.resolve("state")));
    DeviceDaemon daemon = DeviceDaemon.start(device, sock);
    try (IhsmClient hsm = IhsmClient.connect(DeviceAddress.daemon(sock))) {
      String serial = hsm.deviceInfo().serialNumber();
      daemon.close();
      device.close();
      assertThatThrownBy(hsm::deviceStatus)
          .isInstanceOfSatisfying(
              IhsmException.class, e -> assertThat(e.isTransportFailure()).isTrue());

      device = Device.powerOn(DeviceConfig.of(tmp.resolve("state")));
      daemon = DeviceDaemon.start(device, sock);
      assertThat(hsm.deviceInfo().serialNumber()).isEqualTo(serial);
      assertThat(hsm.deviceStatus().state()).isEqualTo(DeviceState.OPERATIONAL);
    } finally {
      daemon.close();
      device.close();
    }
  }

  @Test
  void timeoutsMustBePositive() {
    assertThatThrownBy(() -> IhsmClient.connect(DeviceAddress.embedded(tmp), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
