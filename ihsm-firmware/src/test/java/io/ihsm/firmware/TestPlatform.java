package io.ihsm.firmware;

import io.ihsm.ddi.spi.DeviceIdentity;
import io.ihsm.ddi.spi.DevicePlatform;
import io.ihsm.ddi.spi.FirmwareMeasurement;
import io.ihsm.ddi.spi.NonVolatileStore;
import io.ihsm.ddi.spi.VirtualFunctions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntFunction;
import java.util.function.Predicate;

/** An in-memory card for firmware tests. */
final class TestPlatform implements DevicePlatform, NonVolatileStore, VirtualFunctions {
  final Map<String, byte[]> records = new HashMap<>();

  /** The card's noise; tests replace it with a stuck or biased one. */
  IntFunction<byte[]> noise =
      n -> {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
      };

  @Override
  public byte[] noise(int samples) {
    return noise.apply(samples);
  }

  final Set<Integer> enabled = new TreeSet<>();

  @Override
  public DeviceIdentity identity() {
    return new DeviceIdentity("test vendor", "test model", "IHSM-TEST");
  }

  /** What the boot ROM measured; tests change it to stand for other firmware. */
  FirmwareMeasurement measurement =
      new FirmwareMeasurement("1.2.3-test", 1, "00".repeat(48), "test signer", "test");

  @Override
  public FirmwareMeasurement measurement() {
    return measurement;
  }

  @Override
  public NonVolatileStore nonVolatileStore() {
    return this;
  }

  @Override
  public VirtualFunctions virtualFunctions() {
    return this;
  }

  @Override
  public Optional<byte[]> read(String name) {
    return Optional.ofNullable(records.get(name)).map(byte[]::clone);
  }

  /** Records whose writes fail, as a worn-out or full storage would. */
  Predicate<String> failWrites = name -> false;

  @Override
  public void write(String name, byte[] value) {
    if (failWrites.test(name)) {
      throw new UncheckedIOException(new IOException("write failed: " + name));
    }
    records.put(name, value.clone());
  }

  @Override
  public void delete(String name) {
    records.remove(name);
  }

  int powerCycleRequests;
  int selfTestIntervalSeconds;

  @Override
  public int selfTestIntervalSeconds() {
    return selfTestIntervalSeconds;
  }

  int fusedSvn;
  byte[] installed;

  @Override
  public int fusedSvn() {
    return fusedSvn;
  }

  @Override
  public Optional<String> installFirmware(byte[] image) {
    if (image.length < 4) {
      return Optional.of("too short to be an image");
    }
    installed = image.clone();
    return Optional.empty();
  }

  @Override
  public void commitSvn() {
    fusedSvn = Math.max(fusedSvn, measurement().svn());
  }

  @Override
  public void requestPowerCycle() {
    powerCycleRequests++;
  }

  /** Set by a test for the next power-on's Crypto Officer recovery. */
  boolean recovery;

  @Override
  public boolean recoveryRequested() {
    boolean asked = recovery;
    recovery = false;
    return asked;
  }

  @Override
  public void enable(int partitionId) {
    enabled.add(partitionId);
  }

  @Override
  public void disable(int partitionId) {
    enabled.remove(partitionId);
  }
}
