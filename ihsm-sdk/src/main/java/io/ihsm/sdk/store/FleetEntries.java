package io.ihsm.sdk.store;

import io.ihsm.host.AtomicFile;
import io.ihsm.host.store.FleetStore;
import io.ihsm.host.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Entries in the fleet's shared store, under {@value #PREFIX}: what one member files, every member
 * reads. A create is the store's conditional create, so two servers filing one label at once give
 * one winner; a replacement compare-and-swaps on the revision just read.
 */
final class FleetEntries implements Entries {
  static final String PREFIX = "host/partitions/";
  private static final int ATTEMPTS = 5;

  private final FleetStore store;

  FleetEntries(FleetStore store) {
    this.store = store;
  }

  @Override
  public Optional<Properties> read(String path) {
    return store
        .get(PREFIX + path)
        .map(
            e ->
                HostKeyStore.parse(
                    where(path), new String(e.value(), StandardCharsets.ISO_8859_1)));
  }

  @Override
  public void write(String path, Properties p) {
    byte[] value = AtomicFile.propertiesBytes(p);
    for (int attempt = 1; ; attempt++) {
      try {
        Optional<FleetStore.Entry> current = store.get(PREFIX + path);
        if (current.isPresent()) {
          store.update(PREFIX + path, current.get().revision(), value);
        } else {
          store.create(PREFIX + path, value);
        }
        return;
      } catch (StoreException e) {
        boolean raced =
            e.reason() == StoreException.Reason.CONFLICT
                || e.reason() == StoreException.Reason.EXISTS
                || e.reason() == StoreException.Reason.NOT_FOUND;
        if (!raced || attempt == ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  @Override
  public boolean create(String path, Properties p) {
    try {
      store.create(PREFIX + path, AtomicFile.propertiesBytes(p));
      return true;
    } catch (StoreException e) {
      if (e.reason() == StoreException.Reason.EXISTS) {
        return false;
      }
      throw e;
    }
  }

  @Override
  public boolean replace(String path, Predicate<Properties> expected, Properties next) {
    Optional<FleetStore.Entry> now = store.get(PREFIX + path);
    if (now.isEmpty()
        || !expected.test(
            HostKeyStore.parse(
                where(path), new String(now.get().value(), StandardCharsets.ISO_8859_1)))) {
      return false;
    }
    try {
      store.update(PREFIX + path, now.get().revision(), AtomicFile.propertiesBytes(next));
      return true;
    } catch (StoreException e) {
      if (e.reason() == StoreException.Reason.CONFLICT
          || e.reason() == StoreException.Reason.NOT_FOUND) {
        return false;
      }
      throw e;
    }
  }

  @Override
  public void delete(String path) {
    for (int attempt = 1; ; attempt++) {
      Optional<FleetStore.Entry> current = store.get(PREFIX + path);
      if (current.isEmpty()) {
        return;
      }
      try {
        store.delete(PREFIX + path, current.get().revision());
        return;
      } catch (StoreException e) {
        if (e.reason() == StoreException.Reason.NOT_FOUND) {
          return;
        }
        if (e.reason() != StoreException.Reason.CONFLICT || attempt == ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  @Override
  public List<String> children(String dir) {
    String prefix = PREFIX + (dir.isEmpty() ? "" : dir + "/");
    TreeSet<String> names = new TreeSet<>();
    for (FleetStore.Entry e : store.list(prefix)) {
      String rest = e.key().substring(prefix.length());
      int slash = rest.indexOf('/');
      names.add(slash < 0 ? rest : rest.substring(0, slash));
    }
    return List.copyOf(names);
  }

  @Override
  public Optional<Instant> changed(String dir) {
    return Optional.empty(); // other servers write too: read the entries each time
  }

  @Override
  public Optional<Instant> modified(String path) {
    return Optional.empty(); // the store keeps revisions, not times: entries carry "filed"
  }

  @Override
  public AutoCloseable watchDeletions(String dir, Consumer<String> deleted) {
    return store.watch(
        PREFIX + dir + "/",
        change -> {
          if (change.kind() == FleetStore.Change.Kind.DELETE) {
            deleted.accept(change.key().substring(PREFIX.length()));
          }
        });
  }

  @Override
  public Path where(String path) {
    return Path.of("fleet-store", PREFIX + path);
  }
}
