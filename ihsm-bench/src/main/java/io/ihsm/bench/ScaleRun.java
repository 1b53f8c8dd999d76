package io.ihsm.bench;

import io.ihsm.ddi.credential.Credential;
import io.ihsm.ddi.key.KeyAttributes;
import io.ihsm.ddi.key.KeyInfo;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.ddi.message.PartitionLimits;
import io.ihsm.sdk.CryptoOfficerSession;
import io.ihsm.sdk.DeviceAddress;
import io.ihsm.sdk.HsmSession;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.PartitionClient;
import io.ihsm.sdk.PartitionConnection;
import io.ihsm.sdk.store.HostKeyStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The scale run: one daemon holding 64 partitions of 256 loaded keys each. Reports the daemon's
 * resident memory before and after the keys, the cost of a key, and the latency of loading
 * (unmasking) a key through the daemon.
 */
public final class ScaleRun {
  public static final int PARTITIONS = 64;
  public static final int KEYS = 256;

  /**
   * Keys loaded one after another before they are unloaded again; partition 0 gives up this many of
   * its keys meanwhile.
   */
  static final int LOAD_BATCH = 32;

  private ScaleRun() {}

  public record Outcome(
      long residentBeforeKeys,
      long residentAfterKeys,
      long peakResident,
      double unmaskP50Micros,
      double unmaskP99Micros) {
    public double bytesPerKey() {
      return (residentAfterKeys - residentBeforeKeys) / (double) (PARTITIONS * KEYS);
    }
  }

  public static Outcome run(List<String> daemonCommand, Path dir, Duration time, PrintWriter log)
      throws Exception {
    try (DaemonProcess daemon = DaemonProcess.start(daemonCommand, dir);
        IhsmClient device = IhsmClient.connect(DeviceAddress.daemon(daemon.socketDir()))) {
      Credential officer =
          Credential.of(
              device.randomBytes(Credential.ID_BYTES),
              HexFormat.of().formatHex(device.randomBytes(12)));
      device.initCryptoOfficer(officer);
      HostKeyStore store = HostKeyStore.at(dir.resolve("home"));
      KeyPairGenerator anchor = KeyPairGenerator.getInstance("EC");
      anchor.initialize(new ECGenParameterSpec("secp384r1"));
      List<PartitionClient> partitions = new ArrayList<>();
      try (CryptoOfficerSession co = device.loginCryptoOfficer(officer)) {
        for (int i = 0; i < PARTITIONS; i++) {
          PartitionClient.create(
              device,
              co,
              store,
              "scale-" + i,
              new PartitionLimits(8, KEYS, KEYS * 32, 10, 100, 900),
              anchor.generateKeyPair().getPublic().getEncoded(),
              IhsmPath.PIN);
          partitions.add(PartitionClient.open(device, store, "scale-" + i, IhsmPath.PIN));
        }
      }
      long before = daemon.residentBytes().orElse(0);
      log.printf(
          "scale: %d partitions made, daemon resident %d MiB; loading %d keys each%n",
          PARTITIONS, before >> 20, KEYS);
      log.flush();
      for (PartitionClient p : partitions) {
        for (int k = 0; k < KEYS; k++) {
          p.generate("k" + k, KeyKind.AES_256, KeyUsage.ENCRYPT, false);
        }
      }
      long after = daemon.residentBytes().orElse(0);
      HostKeyStore.PartitionEntry first = store.partition("scale-0").orElseThrow();
      Harness.Measured unmask;
      try (PartitionConnection c = device.partition(first.id());
          HsmSession s = c.openSession(Credential.of(first.credentialId(), IhsmPath.PIN))) {
        // The table is full of the partition's app keys: make room for a batch of loads.
        for (int i = 0; i < LOAD_BATCH; i++) {
          partitions.getFirst().deleteKey("k" + i);
        }
        KeyInfo k =
            s.generateKey(new KeyAttributes(KeyKind.AES_256, KeyUsage.ENCRYPT, true, false, ""));
        byte[] blob = k.maskedBlob();
        s.unload(k.handle());
        unmask = Harness.measureUnmask(s, blob, time, LOAD_BATCH);
      }
      Outcome o =
          new Outcome(
              before,
              after,
              daemon.peakResidentBytes().orElse(0),
              unmask.p50Micros(),
              unmask.p99Micros());
      for (PartitionClient p : partitions) {
        p.close();
      }
      return o;
    }
  }
}
