package io.ihsm.firmware;

import static io.ihsm.firmware.Requests.answer;
import static io.ihsm.firmware.Requests.frame;
import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.ddi.ApiRevision;
import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.message.DeviceState;
import io.ihsm.ddi.message.DeviceStatus;
import io.ihsm.ddi.message.Empty;
import io.ihsm.ddi.message.GetRandomRequest;
import io.ihsm.ddi.message.Id;
import io.ihsm.ddi.spi.Port;
import io.ihsm.firmware.crypto.CryptoEngine;
import io.ihsm.firmware.crypto.CryptoEngines;
import io.ihsm.firmware.selftest.KnownAnswerTests;
import io.ihsm.firmware.selftest.SelfTest;
import io.ihsm.firmware.selftest.SelfTestRunner;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Known-answer self-tests: all pass on every engine, and each one forced to fail stops the module.
 */
class SelfTestsTest {
  static List<CryptoEngine> engines() {
    List<CryptoEngine> all = new ArrayList<>();
    CryptoEngines.accp().ifPresent(all::add);
    all.add(CryptoEngines.jdk());
    return all;
  }

  /**
   * The suite with the named test replaced by one that fails from its {@code passes + 1}-th run on.
   */
  static UnaryOperator<List<SelfTest>> failing(String name, int passes) {
    AtomicInteger runs = new AtomicInteger();
    return suite ->
        suite.stream()
            .map(
                t ->
                    !t.name().equals(name)
                        ? t
                        : KnownAnswerTests.test(
                            name, () -> runs.incrementAndGet() <= passes && t.run()))
            .toList();
  }

  static DeviceStatus status(Firmware fw) throws Exception {
    return DeviceStatus.read(
        answer(fw.process(Port.MANAGEMENT, Requests.CLIENT, frame(Opcode.GET_DEVICE_STATUS, 0, 1)))
            .body());
  }

  @Test
  void everyKnownAnswerTestPassesOnEveryEngine() {
    for (CryptoEngine e : engines()) {
      SelfTestRunner r = new SelfTestRunner(KnownAnswerTests.suite(e));
      assertThat(r.runAll()).as(e.name()).isEmpty();
      assertThat(r.names())
          .hasSize(22)
          .contains(
              "AES-GCM KAT",
              "ML-DSA-65 KAT",
              "ML-KEM-768 KAT",
              "AES-CTR KAT",
              "AES-CMAC KAT",
              "AES-XTS KAT",
              "AES-KW KAT",
              "ECDSA verify KAT",
              "ECDSA sign test",
              "RSA sign KAT",
              "RSA decrypt KAT",
              "ECDH KAT",
              "HKDF-SHA256 KAT",
              "KBKDF KAT",
              "CTR_DRBG KAT");
      assertThat(r.summary().passed()).isEqualTo(22);
    }
  }

  @Test
  void statusReportsTheSelfTests() throws Exception {
    DeviceStatus s = status(Firmware.powerOn(new TestPlatform()));
    assertThat(s.state()).isEqualTo(DeviceState.OPERATIONAL);
    assertThat(s.selfTestsPassed()).isEqualTo(22);
    assertThat(s.selfTestsTotal()).isEqualTo(22);
  }

  @Test
  void eachSelfTestForcedToFailLeavesTheModuleInErrorWithOnlyStatusServed() throws Exception {
    for (String name : new SelfTestRunner(KnownAnswerTests.suite(CryptoEngines.jdk())).names()) {
      Firmware fw = Firmware.powerOn(new TestPlatform(), failing(name, 0));
      DeviceStatus s = status(fw);
      assertThat(s.state()).as(name).isEqualTo(DeviceState.ERROR);
      assertThat(s.reason()).isEqualTo("self-test failed: " + name);
      assertThat(
              answer(
                      fw.process(
                          Port.partition(1),
                          Requests.CLIENT,
                          frame(
                              ApiRevision.V1_0, Opcode.GET_RANDOM, 0, 2, new GetRandomRequest(8))))
                  .header()
                  .status())
          .isEqualTo(Status.DEVICE_NOT_OPERATIONAL);
      assertThat(
              answer(
                      fw.process(
                          Port.MANAGEMENT, Requests.CLIENT, frame(Opcode.GET_DEVICE_INFO, 0, 3)))
                  .header()
                  .status())
          .isEqualTo(Status.SUCCESS);
      fw.close();
    }
  }

  @Test
  void periodicRunsCatchALaterFailure() throws Exception {
    TestPlatform platform = new TestPlatform();
    platform.selfTestIntervalSeconds = 1;
    Firmware fw = Firmware.powerOn(platform, failing("SHA-256 KAT", 1)); // first in the round
    assertThat(status(fw).state()).isEqualTo(DeviceState.OPERATIONAL);
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (status(fw).state() == DeviceState.OPERATIONAL && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertThat(status(fw).state()).isEqualTo(DeviceState.ERROR);
    assertThat(status(fw).reason()).isEqualTo("self-test failed: SHA-256 KAT");
    fw.close();
  }

  @Test
  void onDemandRunsNeedTheCryptoOfficerAndAFailureStopsTheModule() throws Exception {
    Firmware fw = Firmware.powerOn(new TestPlatform(), failing("RSA sign KAT", 1));
    FirmwareClient mgmt = new FirmwareClient(fw, Port.MANAGEMENT);
    mgmt.ok(
        Opcode.INIT_CRYPTO_OFFICER,
        0,
        mgmt.seal(Opcode.INIT_CRYPTO_OFFICER, VaultTest.CO),
        Empty::read);
    int co =
        mgmt.ok(Opcode.OPEN_SESSION, 0, mgmt.seal(Opcode.OPEN_SESSION, VaultTest.CO), Id::read)
            .value();
    assertThat(mgmt.status(Opcode.RUN_SELF_TESTS, 0, Empty.INSTANCE))
        .isEqualTo(Status.SESSION_REQUIRED);
    assertThat(mgmt.status(Opcode.RUN_SELF_TESTS, co, Empty.INSTANCE))
        .isEqualTo(Status.SELF_TEST_FAILED);
    assertThat(status(fw).state()).isEqualTo(DeviceState.ERROR);
    assertThat(status(fw).reason()).isEqualTo("self-test failed: RSA sign KAT");
  }

  @Test
  void aStuckNoiseSourceLeavesTheModuleInErrorWithOnlyStatusServed() throws Exception {
    TestPlatform platform = new TestPlatform();
    platform.noise = n -> new byte[n];
    Firmware fw = Firmware.powerOn(platform);
    DeviceStatus s = status(fw);
    assertThat(s.state()).isEqualTo(DeviceState.ERROR);
    assertThat(s.reason()).contains("entropy source failed its repetition count test");
    assertThat(
            answer(
                    fw.process(
                        Port.partition(1),
                        Requests.CLIENT,
                        frame(ApiRevision.V1_0, Opcode.GET_RANDOM, 0, 2, new GetRandomRequest(8))))
                .header()
                .status())
        .isEqualTo(Status.DEVICE_NOT_OPERATIONAL);
    fw.close();
  }
}
