package io.ihsm.firmware;

import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.message.DeviceState;
import io.ihsm.ddi.spi.ClientBinding;
import io.ihsm.ddi.spi.CorruptRecordException;
import io.ihsm.ddi.spi.DevicePlatform;
import io.ihsm.ddi.spi.FirmwareInstance;
import io.ihsm.ddi.spi.Port;
import io.ihsm.firmware.attest.Attestation;
import io.ihsm.firmware.attest.ComplianceReport;
import io.ihsm.firmware.audit.AuditLog;
import io.ihsm.firmware.crypto.CryptoEngine;
import io.ihsm.firmware.crypto.CryptoEngines;
import io.ihsm.firmware.dispatch.AttestationHandlers;
import io.ihsm.firmware.dispatch.AuditHandlers;
import io.ihsm.firmware.dispatch.CounterHandlers;
import io.ihsm.firmware.dispatch.DeviceHandlers;
import io.ihsm.firmware.dispatch.Dispatcher;
import io.ihsm.firmware.dispatch.DomainHandlers;
import io.ihsm.firmware.dispatch.Handler;
import io.ihsm.firmware.dispatch.IdentityHandlers;
import io.ihsm.firmware.dispatch.KeyHandlers;
import io.ihsm.firmware.dispatch.VaultHandlers;
import io.ihsm.firmware.domain.DomainBackups;
import io.ihsm.firmware.domain.DomainJoin;
import io.ihsm.firmware.domain.SecurityDomain;
import io.ihsm.firmware.identity.DiceIdentity;
import io.ihsm.firmware.keys.KeyOperations;
import io.ihsm.firmware.keys.KeyService;
import io.ihsm.firmware.policy.ApprovedMode;
import io.ihsm.firmware.rng.RandomSource;
import io.ihsm.firmware.selftest.KnownAnswerTests;
import io.ihsm.firmware.selftest.PeriodicSelfTests;
import io.ihsm.firmware.selftest.SelfTest;
import io.ihsm.firmware.selftest.SelfTestRunner;
import io.ihsm.firmware.session.SessionTable;
import io.ihsm.firmware.state.DeviceStateMachine;
import io.ihsm.firmware.update.FirmwareUpdate;
import io.ihsm.firmware.vault.Vault;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** A running firmware: state machine, sessions and the dispatcher, from power-on to power-off. */
public final class Firmware implements FirmwareInstance {
  private final DeviceStateMachine state;
  private final SessionTable sessions;
  private final Vault vault;
  private final KeyService keys;
  private final PeriodicSelfTests periodic;
  private final RandomSource random;
  private final Dispatcher dispatcher;

  /** vault, keys and periodic are null when power-on stopped before them (no entropy). */
  Firmware(
      DeviceStateMachine state,
      SessionTable sessions,
      Vault vault,
      KeyService keys,
      PeriodicSelfTests periodic,
      RandomSource random,
      Dispatcher dispatcher) {
    this.state = state;
    this.sessions = sessions;
    this.vault = vault;
    this.keys = keys;
    this.periodic = periodic;
    this.random = random;
    this.dispatcher = dispatcher;
  }

  /** Power-on: self-tests first; the module becomes OPERATIONAL only when all of them pass. */
  static Firmware powerOn(DevicePlatform platform) {
    return powerOn(platform, UnaryOperator.identity());
  }

  /**
   * @param suite edits the self-test suite before it runs: the identity in production; tests use it
   *     to make a named test fail (there is no fault-injection hook in the module itself)
   */
  static Firmware powerOn(DevicePlatform platform, UnaryOperator<List<SelfTest>> suite) {
    return powerOn(platform, suite, AuditLog.Capacity.DEFAULT);
  }

  /**
   * @param auditCapacity how much the audit log holds (tests fill a small one)
   */
  static Firmware powerOn(
      DevicePlatform platform,
      UnaryOperator<List<SelfTest>> suite,
      AuditLog.Capacity auditCapacity) {
    long bootNanos = System.nanoTime();
    DeviceStateMachine state = new DeviceStateMachine();
    CryptoEngine engine = CryptoEngines.best();
    SelfTestRunner selfTests = new SelfTestRunner(suite.apply(KnownAnswerTests.suite(engine)));
    RandomSource random = new RandomSource(engine, platform::noise, state::fail);
    try {
      return powerOn(platform, auditCapacity, bootNanos, state, engine, selfTests, random);
    } catch (CorruptRecordException e) {
      // Stored state that does not read back as written: never guess; serve status only, naming the
      // record.
      SessionTable sessions = new SessionTable(random, 0);
      state.fail(e.getMessage());
      Dispatcher statusOnly =
          new Dispatcher(
              state,
              sessions,
              DeviceHandlers.create(
                  platform,
                  engine,
                  state,
                  sessions,
                  random,
                  selfTests,
                  ApprovedMode.fixed(),
                  bootNanos),
              null);
      return new Firmware(state, sessions, null, null, null, random, statusOnly);
    }
  }

  private static Firmware powerOn(
      DevicePlatform platform,
      AuditLog.Capacity auditCapacity,
      long bootNanos,
      DeviceStateMachine state,
      CryptoEngine engine,
      SelfTestRunner selfTests,
      RandomSource random) {
    ApprovedMode mode = new ApprovedMode(platform.nonVolatileStore());
    SessionTable sessions = new SessionTable(random, countBoot(platform));
    if (random.failure().isPresent()) {
      // No trustworthy randomness: nothing that needs it is built; only status is served.
      state.moveTo(DeviceState.ERROR, random.failure().get());
      Dispatcher statusOnly =
          new Dispatcher(
              state,
              sessions,
              DeviceHandlers.create(
                  platform, engine, state, sessions, random, selfTests, mode, bootNanos),
              null);
      return new Firmware(state, sessions, null, null, null, random, statusOnly);
    }
    AuditLog audit =
        new AuditLog(platform.nonVolatileStore(), engine, random, state::fail, auditCapacity);
    state.onChange(change -> audit.record("STATE", change));
    SecurityDomain domain = new SecurityDomain(platform.nonVolatileStore(), engine, random);
    Vault vault = new Vault(platform, engine, random, domain);
    KeyService keys = new KeyService(vault, engine, random, platform.measurement().svn());
    sessions.onClose(s -> keys.sessionClosed(s.port(), s.id()));
    Map<Opcode, Handler> handlers = new EnumMap<>(Opcode.class);
    handlers.putAll(
        DeviceHandlers.create(
            platform, engine, state, sessions, random, selfTests, mode, bootNanos));
    handlers.putAll(
        VaultHandlers.create(vault, keys, sessions, new FirmwareUpdate(platform), platform));
    handlers.putAll(KeyHandlers.create(keys, new KeyOperations(engine, random, mode)));
    ModuleLifecycle lifecycle =
        new ModuleLifecycle(
            state, sessions, keys, vault, selfTests, mode, platform.nonVolatileStore());
    handlers.putAll(ModuleHandlers.create(lifecycle, mode, audit));
    handlers.putAll(AuditHandlers.create(audit));
    handlers.putAll(CounterHandlers.create(vault, keys, sessions, audit));
    DiceIdentity identity =
        new DiceIdentity(
            platform.nonVolatileStore(),
            engine,
            random,
            platform.identity(),
            platform.measurement());
    handlers.putAll(IdentityHandlers.create(identity, vault));
    DomainJoin join = new DomainJoin(domain, identity, platform.measurement(), engine, random);
    handlers.putAll(
        DomainHandlers.create(
            join, new DomainBackups(domain, join, engine, random), domain, vault));
    handlers.putAll(
        AttestationHandlers.create(
            new Attestation(identity, platform, mode, state, selfTests, audit),
            new ComplianceReport(
                identity, platform, engine, state, mode, selfTests, random, audit, vault, keys),
            keys,
            vault));
    Dispatcher dispatcher = new Dispatcher(state, sessions, handlers, audit);
    state.moveTo(DeviceState.SELF_TEST, "");
    selfTests
        .runAll()
        .ifPresentOrElse(
            failure -> state.moveTo(DeviceState.ERROR, failure),
            () -> state.moveTo(DeviceState.OPERATIONAL, ""));
    audit.record(
        "SELF_TESTS",
        "power-on " + selfTests.summary().passed() + "/" + selfTests.summary().total() + " passed");
    if (platform.recoveryRequested()) {
      lifecycle.recover(audit);
    }
    lifecycle.restoreLockout();
    PeriodicSelfTests periodic =
        PeriodicSelfTests.start(selfTests, state, platform.selfTestIntervalSeconds());
    return new Firmware(state, sessions, vault, keys, periodic, random, dispatcher);
  }

  /** Counts power-ons in non-volatile storage; the count is this boot's session epoch. */
  private static int countBoot(DevicePlatform platform) {
    var nv = platform.nonVolatileStore();
    int boots = nv.readCounter("boot-count") + 1;
    nv.write("boot-count", ByteBuffer.allocate(4).putInt(boots).array());
    return boots;
  }

  @Override
  public byte[] process(Port port, ClientBinding client, byte[] requestFrame) {
    return dispatcher.process(port, client, requestFrame);
  }

  DeviceStateMachine stateMachine() {
    return state;
  }

  SessionTable sessions() {
    return sessions;
  }

  @Override
  public void close() {
    if (periodic != null) {
      periodic.close();
      sessions.clear();
      keys.powerOff();
      vault.powerOff();
    }
    random.uninstantiate();
  }
}
