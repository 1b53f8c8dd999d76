package io.ihsm.host;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Properties;

/**
 * Crash-safe file replacement: write a temporary file in the same directory, sync it, rename it
 * over the target atomically, sync the directory. After a crash the file holds its old or its new
 * content, never a mix, and an acknowledged write is on disk. Files are owner-only.
 */
public final class AtomicFile {
  private AtomicFile() {}

  public static void write(Path target, byte[] content) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Path tmp = dir.resolve("." + target.getFileName() + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      OwnerOnly.restrictFile(tmp);
      ByteBuffer b = ByteBuffer.wrap(content);
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    syncDirectory(dir);
  }

  /**
   * Writes properties atomically, without the date comment {@code Properties.store} adds, so that
   * equal content gives equal files.
   */
  public static void writeProperties(Path target, Properties p) throws IOException {
    write(target, propertiesBytes(p));
  }

  /**
   * Properties as {@code Properties.store} writes them (ISO 8859-1) without its date comment, so
   * that equal content gives equal bytes: in a file, or in a record of the fleet store.
   */
  public static byte[] propertiesBytes(Properties p) {
    StringWriter w = new StringWriter();
    try {
      p.store(w, null);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    String text =
        w.toString().lines().filter(l -> !l.startsWith("#")).reduce("", (a, b) -> a + b + "\n");
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }

  public static void delete(Path target) throws IOException {
    if (Files.deleteIfExists(target)) {
      syncDirectory(target.toAbsolutePath().getParent());
    }
  }

  private static void syncDirectory(Path dir) throws IOException {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
  }
}
