package io.ihsm.sdk.store;

import java.nio.file.Path;

/**
 * A file of the host key store that cannot be read as what it should hold (empty, cut, edited,
 * binary): the message names the file and what is wrong with it. Only that entry is affected; the
 * rest of the store keeps serving.
 */
public final class DamagedEntryException extends IllegalStateException {
  private final transient Path file;

  DamagedEntryException(Path file, String problem) {
    super("key store file " + file + " is damaged: " + problem);
    this.file = file;
  }

  /** The damaged file. */
  public Path file() {
    return file;
  }
}
