package io.ihsm.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * File-system permissions for state, key stores and sockets: only their own user may touch them.
 */
public final class OwnerOnly {
  public static final Set<PosixFilePermission> DIRECTORY =
      PosixFilePermissions.fromString("rwx------");
  public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

  private OwnerOnly() {}

  /** Creates the directory (and parents) if needed; a directory this call creates is owner-only. */
  public static Path createDirectories(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, DIRECTORY);
    }
    return dir;
  }

  public static void restrictFile(Path file) throws IOException {
    Files.setPosixFilePermissions(file, FILE);
  }
}
