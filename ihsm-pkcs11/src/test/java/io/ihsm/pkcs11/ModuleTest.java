package io.ihsm.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.ddi.message.PartitionLimits;
import io.ihsm.ddi.testing.ExternalCommand;
import io.ihsm.sdk.DeviceAddress;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.PartitionClient;
import io.ihsm.sdk.store.HostKeyStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The C module called as applications call it, with bad input on purpose
 * (src/test/c/module_test.c): NULL pointers, short buffers, unknown handles, wrong session state,
 * unsupported mechanisms and attributes each get their CKR_*, nothing crashes, a forked child
 * starts again cleanly, and a stopped daemon is "token not present", not a hang.
 */
class ModuleTest {
  static String program() {
    return Pkcs11Daemon.module().resolveSibling("module-test").toString();
  }

  @Test
  void badInputGetsTheRightReturnValueAndAForkedChildStartsAgain(@TempDir Path dir)
      throws Exception {
    try (Pkcs11Daemon d = Pkcs11Daemon.start(dir, true)) {
      ExternalCommand.Result r =
          d.run(program(), Pkcs11Daemon.module().toString(), "running", Pkcs11Daemon.PIN);
      assertThat(r.output()).doesNotContain("FAIL").contains("all passed");
      assertThat(r.exitCode()).isZero();
      // A sample of what the program checks, so a program that checks less cannot pass.
      assertThat(r.output())
          .contains(
              "ok encrypt into a short buffer",
              "ok short buffer told the length",
              "ok read a secret key's value",
              "ok two usages for one key",
              "ok an unknown attribute",
              "ok token object in a read-only session",
              "ok sign single-part in the middle of parts",
              "ok verify a changed signature",
              "ok a forked child re-initializes",
              "ok the parent still works after the fork",
              "ok ECDSA with SHA-1 in approved-only mode",
              "ok AES-GCM with a caller's IV in approved-only mode",
              "ok four threads sign side by side",
              "ok a 5 MiB part",
              "ok the operation ended with the oversized part",
              "ok the bridge holds none of the application's descriptors");
      assertThat(d.bridgeLog()).doesNotContain(Pkcs11Daemon.PIN);
    }
  }

  @Test
  void operationStateRulesHoldThroughTheModule(@TempDir Path dir) throws Exception {
    try (Pkcs11Daemon d = Pkcs11Daemon.start(dir, true)) {
      ExternalCommand.Result r =
          d.run(program(), Pkcs11Daemon.module().toString(), "staterules", Pkcs11Daemon.PIN);
      assertThat(r.output()).doesNotContain("FAIL").contains("all passed");
      assertThat(r.exitCode()).isZero();
      assertThat(r.output())
          .contains(
              "ok encrypt a NULL input with a length",
              "ok encrypt after the bad call",
              "ok encrypt after the NULL length",
              "ok one-shot digest after an update",
              "ok digest final after the mixing call",
              "ok digest final after a one-shot length query",
              "ok encrypt update after a one-shot length query",
              "ok verify a signature of the wrong length",
              "ok RSA-OAEP encrypt init with an AES key",
              "ok no SHA-1 signing offered in approved-only mode");
    }
  }

  @Test
  void privateSessionObjectsEndWithTheLoginAndACertificateTemplateMustNameItsType(@TempDir Path dir)
      throws Exception {
    try (Pkcs11Daemon d = Pkcs11Daemon.start(dir, true)) {
      ExternalCommand.Result r =
          d.run(program(), Pkcs11Daemon.module().toString(), "objectrules", Pkcs11Daemon.PIN);
      assertThat(r.output()).doesNotContain("FAIL").contains("all passed");
      assertThat(r.exitCode()).isZero();
      assertThat(r.output())
          .contains(
              "ok found while logged in",
              "ok the private session object went with the logout",
              "ok a certificate without CKA_CERTIFICATE_TYPE",
              "ok an AES key asked not sensitive",
              "ok an AES key asked not private",
              "ok a public key asked not private");
    }
  }

  @Test
  void thePinFlagsFollowTheDevicesLockout(@TempDir Path dir) throws Exception {
    PartitionLimits threeTries = new PartitionLimits(0, 0, 0, 3, 0, 0);
    try (Pkcs11Daemon d = Pkcs11Daemon.start(dir, threeTries)) {
      Path conf = dir.resolve("ihsm-pkcs11.conf");
      Files.writeString(
          conf, "socket-dir = " + d.socketDir + "\nhome = " + d.home + "\nmax-pin-failures = 3\n");
      ExternalCommand.Result r =
          d.run(
              List.of(program(), Pkcs11Daemon.module().toString(), "lockout", Pkcs11Daemon.PIN),
              Map.of("IHSM_PKCS11_CONF", conf.toString()));
      assertThat(r.output())
          .doesNotContain("FAIL")
          .contains("ok the final try", "ok the PIN is locked", "all passed");
      assertThat(r.exitCode()).isZero();
      d.unlock();
      try (IhsmClient hsm = IhsmClient.connect(DeviceAddress.daemon(d.socketDir));
          PartitionClient p =
              PartitionClient.open(
                  hsm, HostKeyStore.at(d.home), Pkcs11Daemon.PARTITION, Pkcs11Daemon.PIN)) {
        assertThat(p.name())
            .as("the Crypto Officer's unlock lets the user in again")
            .isEqualTo(Pkcs11Daemon.PARTITION);
      }
    }
  }

  @Test
  void theSecurityOfficerIsThePartitionOwnerAndSetsANewUserPin(@TempDir Path dir) throws Exception {
    try (Pkcs11Daemon d = Pkcs11Daemon.start(dir, true)) {
      d.fileOwnerKey("so-pin-24680");
      ExternalCommand.Result r =
          d.run(
              program(),
              Pkcs11Daemon.module().toString(),
              "owner",
              Pkcs11Daemon.PIN,
              "so-pin-24680");
      assertThat(r.output())
          .doesNotContain("FAIL")
          .contains(
              "ok the SO sets a new user PIN",
              "ok the new user PIN does",
              "ok SO login with a wrong SO PIN",
              "all passed");
      assertThat(r.exitCode()).isZero();
      assertThat(d.bridgeLog()).doesNotContain("so-pin-24680").doesNotContain(Pkcs11Daemon.PIN);
    }
  }

  @Test
  void cInitTokenReinitialisesThePartitionUnderTheSoPinAndTheUserPinWaitsForCInitPin(
      @TempDir Path dir) throws Exception {
    try (Pkcs11Daemon d = Pkcs11Daemon.start(dir, true)) {
      d.fileOwnerKey("so-pin-13579");
      ExternalCommand.Result r =
          d.run(
              program(),
              Pkcs11Daemon.module().toString(),
              "inittoken",
              Pkcs11Daemon.PIN,
              "so-pin-13579");
      assertThat(r.output())
          .doesNotContain("FAIL")
          .contains(
              "ok C_InitToken with a session open",
              "ok the refusals changed nothing: the user PIN works",
              "ok the token has the new label",
              "ok the user PIN is not initialised",
              "ok the old user PIN",
              "ok the new user PIN does",
              "ok no data object is left",
              "ok no secret key is left",
              "all passed");
      assertThat(r.exitCode()).isZero();
      assertThat(HostKeyStore.at(d.home).keys(Pkcs11Daemon.PARTITION))
          .as("the host store keeps no key record")
          .isEmpty();
      assertThat(d.bridgeLog()).doesNotContain("so-pin-13579").doesNotContain(Pkcs11Daemon.PIN);
    }
  }

  @Test
  void pkcs11ToolInitialisesTheTokenThenItsUserPin(@TempDir Path dir) throws Exception {
    try (Pkcs11Daemon d = Pkcs11Daemon.start(dir, true)) {
      d.fileOwnerKey("so-pin-97531");
      String module = Pkcs11Daemon.module().toString();
      ExternalCommand.Result keygen =
          d.tool(
              "--keygen", "--key-type", "AES:32", "--label", "old-key", "--sensitive", "--private");
      assertThat(keygen.exitCode()).as(keygen.output()).isZero();
      ExternalCommand.Result init =
          d.run(
              "pkcs11-tool",
              "--module",
              module,
              "--init-token",
              "--label",
              "fresh",
              "--so-pin",
              "so-pin-97531");
      assertThat(init.exitCode()).as(init.output()).isZero();
      assertThat(init.output()).contains("Token successfully initialized");
      ExternalCommand.Result slots = d.run("pkcs11-tool", "--module", module, "--list-token-slots");
      assertThat(slots.output()).contains("fresh").doesNotContain("PIN initialized");
      ExternalCommand.Result userPin =
          d.run(
              "pkcs11-tool",
              "--module",
              module,
              "--init-pin",
              "--login",
              "--login-type",
              "so",
              "--so-pin",
              "so-pin-97531",
              "--new-pin",
              "new-user-pin-1");
      assertThat(userPin.exitCode()).as(userPin.output()).isZero();
      assertThat(userPin.output()).contains("User PIN successfully initialized");
      ExternalCommand.Result objects =
          d.run(
              "pkcs11-tool",
              "--module",
              module,
              "--login",
              "--pin",
              "new-user-pin-1",
              "--list-objects",
              "--type",
              "secrkey");
      assertThat(objects.exitCode()).as(objects.output()).isZero();
      assertThat(objects.output()).doesNotContain("old-key");
    }
  }

  @Test
  void aDaemonStoppingUnderAnOpenSessionIsDeviceRemovedNotAHang(@TempDir Path dir)
      throws Exception {
    try (Pkcs11Daemon d = Pkcs11Daemon.start(dir, true)) {
      ProcessBuilder b =
          new ProcessBuilder(
                  program(), Pkcs11Daemon.module().toString(), "midway", Pkcs11Daemon.PIN)
              .redirectErrorStream(true);
      b.environment().putAll(d.environment());
      Process p = b.start();
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
      StringBuilder seen = new StringBuilder();
      for (String line = out.readLine();
          line != null && !line.equals("ready");
          line = out.readLine()) {
        seen.append(line).append('\n');
      }
      assertThat(seen.toString()).doesNotContain("FAIL");
      Instant stopped = Instant.now();
      d.stopDaemon();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the program finished").isTrue();
      String rest = out.lines().collect(Collectors.joining("\n"));
      assertThat(rest)
          .doesNotContain("FAIL")
          .contains(
              "ok random after the daemon stopped",
              "ok a key after the daemon stopped",
              "ok no token present any more",
              "ok destroying a token key with the daemon stopped",
              "ok the destroyed key is gone",
              "all passed");
      assertThat(p.exitValue()).isZero();
      assertThat(Duration.between(stopped, Instant.now())).isLessThan(Duration.ofSeconds(60));
    }
  }

  @Test
  void withoutAConfigurationInitializeFailsAtOnce(@TempDir Path dir) throws Exception {
    Map<String, String> none =
        new HashMap<>(
            Map.of(
                "IHSM_PKCS11_LOG",
                dir.resolve("bridge.log").toString(),
                "IHSM_PKCS11_BRIDGE_DIR",
                dir.resolve("bridge").toString()));
    ProcessBuilder b =
        new ProcessBuilder(program(), Pkcs11Daemon.module().toString(), "unconfigured")
            .redirectErrorStream(true);
    b.environment().remove("IHSM_SOCKET_DIR");
    b.environment().remove("IHSM_PKCS11_CONF");
    b.environment().putAll(none);
    Process p = b.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(out).isZero();
    assertThat(out).contains("ok initialize without a configuration", "all passed");
    assertThat(Files.readString(dir.resolve("bridge.log")))
        .contains("no daemon: set IHSM_SOCKET_DIR");
  }

  @Test
  void aStoppedDaemonIsTokenNotPresentNotAHang(@TempDir Path dir) throws Exception {
    try (Pkcs11Daemon d = Pkcs11Daemon.start(dir, true)) {
      d.stopDaemon();
      Instant start = Instant.now();
      ExternalCommand.Result r = d.run(program(), Pkcs11Daemon.module().toString(), "stopped");
      assertThat(r.output())
          .doesNotContain("FAIL")
          .contains("ok no token present", "ok open session with the daemon stopped", "all passed");
      assertThat(r.exitCode()).isZero();
      assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(60));
    }
  }
}
