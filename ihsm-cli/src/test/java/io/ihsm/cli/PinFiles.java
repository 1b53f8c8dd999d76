package io.ihsm.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Owner-only PIN files for tests: the CLI takes a PIN from a file, never from its command line. */
final class PinFiles {
  private static final Map<String, String> FILES = new ConcurrentHashMap<>();

  private PinFiles() {}

  /** The path of a file holding {@code pin} as its one line. */
  static String of(String pin) {
    return FILES.computeIfAbsent(
        pin,
        p -> {
          try {
            Path f =
                Files.createTempFile(
                    "ihsm-test-pin-",
                    ".txt",
                    PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rw-------")));
            Files.writeString(f, p + "\n", StandardCharsets.UTF_8);
            f.toFile().deleteOnExit();
            return f.toString();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }
}
