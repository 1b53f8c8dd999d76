package io.ihsm.firmware;

import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.message.DeviceState;
import io.ihsm.ddi.message.SealedCredential;
import io.ihsm.ddi.spi.NonVolatileStore;
import io.ihsm.ddi.spi.Port;
import io.ihsm.firmware.audit.AuditLog;
import io.ihsm.firmware.keys.KeyService;
import io.ihsm.firmware.policy.ApprovedMode;
import io.ihsm.firmware.selftest.SelfTestRunner;
import io.ihsm.firmware.session.Session;
import io.ihsm.firmware.session.SessionTable;
import io.ihsm.firmware.state.DeviceStateMachine;
import io.ihsm.firmware.state.TamperCounter;
import io.ihsm.firmware.vault.Vault;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Tamper response, zeroization and re-initialization. Zeroization destroys every session, every
 * loaded key, every partition's secrets and the device sealing secret, so every masked blob made
 * before is permanently unusable; the module then stays TAMPERED or ZEROIZED, across restarts,
 * until the Crypto Officer re-initializes it. A tamper also raises a persistent counter.
 */
final class ModuleLifecycle {
  static final Set<String> SENSORS = Set.of("case-open", "voltage", "temperature");

  private final DeviceStateMachine state;
  private final SessionTable sessions;
  private final KeyService keys;
  private final Vault vault;
  private final SelfTestRunner selfTests;
  private final NonVolatileStore nv;
  private final TamperCounter tamperCounter;
  private final ApprovedMode mode;

  ModuleLifecycle(
      DeviceStateMachine state,
      SessionTable sessions,
      KeyService keys,
      Vault vault,
      SelfTestRunner selfTests,
      ApprovedMode mode,
      NonVolatileStore nv) {
    this.mode = mode;
    this.tamperCounter = new TamperCounter(nv);
    this.state = state;
    this.sessions = sessions;
    this.keys = keys;
    this.vault = vault;
    this.selfTests = selfTests;
    this.nv = nv;
  }

  synchronized void tamper(String sensor) throws DdiException {
    if (!SENSORS.contains(sensor)) {
      throw new DdiException(Status.INVALID_PARAMETER, "tamper sensors are " + SENSORS);
    }
    tamperCounter.increment();
    lockOut(DeviceState.TAMPERED, "tamper: " + sensor);
  }

  synchronized void zeroize() {
    lockOut(DeviceState.ZEROIZED, "zeroized by the Crypto Officer");
  }

  /** The Crypto Officer's re-initialization: a new sealing secret, then the self-tests again. */
  synchronized void reinitialize(Port port, SealedCredential credential) throws DdiException {
    if (state.state() != DeviceState.TAMPERED && state.state() != DeviceState.ZEROIZED) {
      throw new DdiException(
          Status.INVALID_PARAMETER, "only a tampered or zeroized module is re-initialized");
    }
    if (vault.authenticate(port, credential, Opcode.REINITIALIZE) != Session.Role.CRYPTO_OFFICER) {
      throw new DdiException(Status.PERMISSION_DENIED, "only the Crypto Officer may do this");
    }
    vault.reinitialize();
    nv.delete(Vault.LOCKOUT);
    if (state.state() == DeviceState.TAMPERED) {
      state.moveTo(DeviceState.ZEROIZED, "re-initializing");
    }
    state.moveTo(DeviceState.SELF_TEST, "");
    selfTests
        .runAll()
        .ifPresentOrElse(
            failure -> state.moveTo(DeviceState.ERROR, failure),
            () -> state.moveTo(DeviceState.OPERATIONAL, ""));
  }

  /**
   * The host-side recovery of a locked-out or lost Crypto Officer, at power-on after passing
   * self-tests: audited first, then every partition, key and secret is destroyed as by zeroization,
   * the Crypto Officer and its failure count are removed, and a new sealing secret is made. The
   * module is OPERATIONAL without a Crypto Officer; `INIT_CRYPTO_OFFICER` makes a new one.
   */
  synchronized void recover(AuditLog audit) {
    if (!state.isOperational()) {
      return; // a module in ERROR recovers nothing
    }
    audit.record(
        "RECOVERY",
        "requested by the host owning the card's state: partitions, keys and the Crypto Officer destroyed");
    sessions.clear();
    keys.powerOff();
    vault.zeroize();
    vault.removeCryptoOfficer();
    mode.reset();
    nv.delete(Vault.LOCKOUT);
    vault.reinitialize();
  }

  /** At power-on, after the self-tests: a module locked out before the restart stays locked out. */
  synchronized void restoreLockout() {
    nv.read(Vault.LOCKOUT)
        .ifPresent(
            b -> {
              String[] parts = new String(b, StandardCharsets.UTF_8).split("\n", 2);
              DeviceState locked = DeviceState.valueOf(parts[0]);
              if (state.state() == DeviceState.ERROR) {
                if (locked == DeviceState.TAMPERED) {
                  state.moveTo(DeviceState.TAMPERED, parts[1]);
                }
              } else if (state.state() != locked) {
                state.moveTo(locked, parts[1]);
              }
            });
  }

  private void lockOut(DeviceState to, String reason) {
    nv.write(Vault.LOCKOUT, (to.name() + "\n" + reason).getBytes(StandardCharsets.UTF_8));
    sessions.clear();
    keys.powerOff();
    vault.zeroize();
    mode.reset();
    if (state.state() != to) {
      state.moveTo(to, reason);
    }
  }
}
