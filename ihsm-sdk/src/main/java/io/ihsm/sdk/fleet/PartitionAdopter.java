package io.ihsm.sdk.fleet;

import io.ihsm.host.store.FleetStore;
import io.ihsm.host.store.StoreException;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.IhsmException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * A member's daemon keeps its device holding every partition of the fleet's key store: it adopts
 * each one at start and each new one as the store's watch reports it, so an application that may
 * reach only its own partition's socket finds its partition there, made on any member. Adoption
 * needs no secret: the partition blob authenticates itself to the device.
 */
public final class PartitionAdopter implements AutoCloseable {
  static final String PREFIX = "host/partitions/";
  static final String SUFFIX = "/partition.properties";

  private final IhsmClient hsm;
  private final Consumer<String> log;
  private final AutoCloseable watch;

  private PartitionAdopter(IhsmClient hsm, FleetStore store, Consumer<String> log) {
    this.hsm = hsm;
    this.log = log;
    this.watch =
        store.watch(
            PREFIX,
            change -> {
              if (change.kind() == FleetStore.Change.Kind.PUT && change.key().endsWith(SUFFIX)) {
                adopt(change.key(), change.value());
              }
            });
    for (FleetStore.Entry e : store.list(PREFIX)) {
      if (e.key().endsWith(SUFFIX)) {
        adopt(e.key(), e.value());
      }
    }
  }

  /**
   * Adopts every partition of {@code store} into {@code hsm}'s device now and as they come; says
   * what it did (never anything secret) to {@code log}.
   */
  public static PartitionAdopter start(IhsmClient hsm, FleetStore store, Consumer<String> log) {
    return new PartitionAdopter(hsm, store, log);
  }

  private void adopt(String key, byte[] entry) {
    String name = key.substring(PREFIX.length(), key.length() - SUFFIX.length());
    try {
      Properties p = new Properties();
      p.load(new StringReader(new String(entry, StandardCharsets.ISO_8859_1)));
      String blob = p.getProperty("partitionBlob", "");
      int id = hsm.adoptPartition(Base64.getDecoder().decode(blob));
      log.accept("partition " + name + " is id " + id + " on this device");
    } catch (IhsmException e) {
      log.accept("partition " + name + " not adopted: " + e.getMessage() + " [" + e.status() + "]");
    } catch (IOException | IllegalArgumentException | StoreException e) {
      log.accept("partition " + name + " not adopted: its entry does not read");
    }
  }

  @Override
  public void close() {
    try {
      watch.close();
    } catch (Exception e) {
      log.accept("the store's watch did not close cleanly: " + e.getMessage());
    }
  }
}
