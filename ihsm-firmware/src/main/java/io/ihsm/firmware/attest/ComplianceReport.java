package io.ihsm.firmware.attest;

import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.attest.Claims;
import io.ihsm.ddi.json.Json;
import io.ihsm.ddi.message.PartitionList;
import io.ihsm.ddi.message.SignedDocument;
import io.ihsm.ddi.spi.DevicePlatform;
import io.ihsm.ddi.spi.FirmwareMeasurement;
import io.ihsm.firmware.audit.AuditLog;
import io.ihsm.firmware.crypto.CryptoEngine;
import io.ihsm.firmware.identity.DiceIdentity;
import io.ihsm.firmware.keys.KeyService;
import io.ihsm.firmware.policy.AlgorithmTable;
import io.ihsm.firmware.policy.ApprovedMode;
import io.ihsm.firmware.rng.RandomSource;
import io.ihsm.firmware.selftest.SelfTestRunner;
import io.ihsm.firmware.state.DeviceStateMachine;
import io.ihsm.firmware.state.TamperCounter;
import io.ihsm.firmware.vault.Vault;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;

/**
 * The compliance report: what an assessor asks of the module, made and signed by the module itself
 * (JSON, with a detached COSE_Sign1 by the Alias key), so the host cannot edit it. Fields:
 * docs/compliance.md, "Compliance report".
 */
public final class ComplianceReport {
  private final DiceIdentity identity;
  private final DevicePlatform platform;
  private final CryptoEngine engine;
  private final DeviceStateMachine state;
  private final ApprovedMode mode;
  private final SelfTestRunner selfTests;
  private final RandomSource random;
  private final AuditLog audit;
  private final Vault vault;
  private final KeyService keys;

  public ComplianceReport(
      DiceIdentity identity,
      DevicePlatform platform,
      CryptoEngine engine,
      DeviceStateMachine state,
      ApprovedMode mode,
      SelfTestRunner selfTests,
      RandomSource random,
      AuditLog audit,
      Vault vault,
      KeyService keys) {
    this.identity = identity;
    this.platform = platform;
    this.engine = engine;
    this.state = state;
    this.mode = mode;
    this.selfTests = selfTests;
    this.random = random;
    this.audit = audit;
    this.vault = vault;
    this.keys = keys;
  }

  public SignedDocument signed() throws DdiException {
    byte[] document = document().toString().getBytes(StandardCharsets.UTF_8);
    return new SignedDocument(document, identity.signAsAlias(document, true).encode());
  }

  Json document() {
    FirmwareMeasurement firmware = platform.measurement();
    var device = platform.identity();
    Json report =
        new Json()
            .put("format", Claims.COMPLIANCE_REPORT)
            .put("generated", Instant.now().toString());
    report.put(
        "module",
        new Json()
            .put("vendor", device.vendor())
            .put("model", device.model())
            .put("serialNumber", device.serialNumber())
            .put("cryptoEngine", engine.name()));
    report.put(
        "firmware",
        new Json()
            .put("version", firmware.version())
            .put("svn", firmware.svn())
            .put("fusedSvn", platform.fusedSvn())
            .put("digest", firmware.digest())
            .put("signer", firmware.signer())
            .put("source", firmware.source()));
    report.put(
        "state",
        new Json()
            .put("state", state.state().name())
            .put("reason", state.reason())
            .put("approvedMode", mode.approvedOnly()));
    report.put(
        "selfTests",
        selfTests.results().stream()
            .map(
                r ->
                    new Json()
                        .put("name", r.name())
                        .put(
                            "result",
                            r.lastRunMillis() == 0 ? "not run" : r.passed() ? "pass" : "fail")
                        .put(
                            "lastRun",
                            r.lastRunMillis() == 0
                                ? null
                                : Instant.ofEpochMilli(r.lastRunMillis()).toString()))
            .toList());
    RandomSource.Health health = random.health();
    report.put(
        "randomness",
        new Json()
            .put("drbg", health.drbg())
            .put("healthy", health.failure().isEmpty())
            .put("failure", health.failure().orElse(null))
            .put("generatesSinceReseed", health.generatesSinceReseed())
            .put("reseedInterval", health.reseedInterval())
            .put(
                "entropy",
                new Json()
                    .put("claimedMinEntropyPerSample", health.claimedMinEntropyPerSample())
                    .put("repetitionCountCutoff", health.repetitionCountCutoff())
                    .put("adaptiveProportionCutoff", health.adaptiveProportionCutoff())));
    report.put(
        "algorithms",
        AlgorithmTable.ROWS.stream()
            .map(
                r ->
                    new Json()
                        .put("algorithm", r.algorithm())
                        .put("parameters", r.parameters())
                        .put("status", r.status()))
            .toList());
    report.put(
        "tamper",
        new Json()
            .put("count", new TamperCounter(platform.nonVolatileStore()).count())
            .put(
                "events",
                audit.entries("TAMPER").stream()
                    .map(
                        e ->
                            new Json()
                                .put("sequence", e.sequence())
                                .put("time", Instant.ofEpochMilli(e.timeMillis()).toString())
                                .put("detail", e.detail()))
                    .toList()));
    AuditLog.Head head = audit.head();
    report.put(
        "auditLog",
        new Json()
            .put("sequence", head.sequence())
            .put("hash", HexFormat.of().formatHex(head.hash())));
    PartitionList partitions = vault.list();
    report.put(
        "partitions",
        partitions.partitions().stream()
            .map(
                p ->
                    new Json()
                        .put("id", p.id())
                        .put("name", p.name())
                        .put("provisioned", p.provisioned())
                        .put("established", p.established())
                        .put("locked", p.locked())
                        .put("loadedKeys", keys.loadedKeys(p.id())))
            .toList());
    return report;
  }
}
