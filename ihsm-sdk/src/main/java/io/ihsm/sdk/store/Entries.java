package io.ihsm.sdk.store;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Where the host key store's entries live: owner-only files under the home directory, or the
 * fleet's shared store. Paths are relative and use {@code /}: {@code NAME/partition.properties},
 * {@code NAME/keys/LABEL.key}.
 */
interface Entries {
  /**
   * @throws DamagedEntryException when the entry exists but is not properties of a sane size
   */
  Optional<Properties> read(String path);

  /** Creates or replaces the entry. */
  void write(String path, Properties p);

  /** Creates the entry only if there is none; answers whether it did. */
  boolean create(String path, Properties p);

  /**
   * Replaces the entry with {@code next} only if it still holds what {@code expected} accepts (in a
   * fleet, a compare-and-swap on the revision read); false, changing nothing, otherwise.
   */
  boolean replace(String path, Predicate<Properties> expected, Properties next);

  void delete(String path);

  /** The names directly under {@code dir} ("" for the top), files and folders alike, sorted. */
  List<String> children(String dir);

  /**
   * When an entry directly under {@code dir} was last created, replaced or deleted, where the
   * backing can tell without reading them (a directory's time); empty where it cannot. Callers that
   * cache what they read under it compare this, and trust it only once it is a little in the past
   * (the clock that stamps it is coarse).
   */
  Optional<Instant> changed(String dir);

  /** When the entry was last written, where the backing knows. */
  Optional<Instant> modified(String path);

  /**
   * Calls {@code deleted} with the path of every entry under {@code dir} deleted from now on, by
   * any process (in a fleet, any server); closing the answer stops it. Files: nothing to watch.
   */
  AutoCloseable watchDeletions(String dir, Consumer<String> deleted);

  /** How an error names the entry. */
  Path where(String path);
}
