package io.ihsm.pkcs11;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Set;

/**
 * Where one application's bridge lines go: its log file ({@code log} in its configuration, or
 * {@code IHSM_PKCS11_LOG}), the service's own log, or nowhere. Lines say what failed and why, never
 * PINs or key bytes.
 */
final class BridgeLog {
  private final Path file;
  private final boolean standardError;
  private final String who;
  private final boolean trace;

  private BridgeLog(Path file, boolean standardError, String who, boolean trace) {
    this.file = file;
    this.standardError = standardError;
    this.who = who;
    this.trace = trace;
  }

  /** The service's log: its standard error, which the module opened on the service's log file. */
  static BridgeLog service() {
    return new BridgeLog(null, true, "ihsm-pkcs11", false);
  }

  /** An application's log (made 0600 when new); a null file discards its lines. */
  static BridgeLog application(Path file, String pid, boolean trace) {
    return new BridgeLog(file, false, "ihsm-pkcs11[" + pid + "]", trace);
  }

  /** Whether every call's name and outcome is logged ({@code IHSM_PKCS11_TRACE=1}). */
  boolean trace() {
    return trace;
  }

  void line(String text) {
    String line = Instant.now() + " " + who + ": " + text + "\n";
    if (standardError) {
      System.err.print(line);
    } else if (file != null) {
      try (SeekableByteChannel ch =
          Files.newByteChannel(
              file,
              Set.of(StandardOpenOption.CREATE, StandardOpenOption.APPEND),
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
        ch.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
      } catch (IOException e) {
        System.err.print(Instant.now() + " ihsm-pkcs11: cannot write " + file + ": " + e + "\n");
      }
    }
  }
}
