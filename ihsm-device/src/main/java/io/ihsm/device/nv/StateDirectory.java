package io.ihsm.device.nv;

import io.ihsm.ddi.spi.CorruptRecordException;
import io.ihsm.host.AtomicFile;
import io.ihsm.host.OwnerOnly;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The card's persistent state on disk, held under an exclusive lock so that one device (a daemon or
 * one embedded process) owns it at a time. Layout: {@code rom/} for what the card itself keeps
 * (serial number, fused SVN, and {@code .integrity-key}, the emulated fuse that authenticates every
 * record), {@code nv/} for the firmware's non-volatile records. Both stores are checked whole when
 * the directory opens; a failure is reported by {@link #integrityFailure()}, and then neither store
 * is available (the card comes up in ERROR naming the record).
 */
public final class StateDirectory implements AutoCloseable {
  static final String INTEGRITY_KEY = ".integrity-key";
  private static final int KEY_BYTES = 32;
  private static final int CHECK_BYTES = 16;

  private final Path root;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private FileNonVolatileStore rom;
  private FileNonVolatileStore firmwareNv;
  private String integrityFailure;

  private StateDirectory(Path root, FileChannel lockChannel, FileLock lock) {
    this.root = root;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /**
   * @throws IllegalStateException when another device (in this or another process) holds it
   */
  public static StateDirectory open(Path root) throws IOException {
    return open(root, Duration.ZERO);
  }

  /**
   * Opens the directory, waiting up to {@code wait} while another device holds it (an embedded
   * device of another command on the same home, which lets go when that command ends).
   *
   * @throws IllegalStateException when another device still holds it after {@code wait}
   */
  public static StateDirectory open(Path root, Duration wait) throws IOException {
    Path dir = OwnerOnly.createDirectories(root.toAbsolutePath().normalize());
    Path lockFile = dir.resolve("lock");
    FileChannel ch =
        FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    long deadline = System.nanoTime() + wait.toNanos();
    FileLock lock;
    while (true) {
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock != null || System.nanoTime() >= deadline) {
        break;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (lock == null) {
      ch.close();
      throw new IllegalStateException(
          "device state directory "
              + dir
              + " is in use by another ihsm device (a running daemon or another process)"
              + (wait.isZero() ? "" : "; waited " + wait.toSeconds() + " s for it"));
    }
    OwnerOnly.restrictFile(lockFile);
    StateDirectory s = new StateDirectory(dir, ch, lock);
    try {
      byte[] key = integrityKey(dir);
      s.rom = new FileNonVolatileStore(dir.resolve("rom"), key);
      s.firmwareNv = new FileNonVolatileStore(dir.resolve("nv"), key);
      Arrays.fill(key, (byte) 0);
    } catch (CorruptRecordException e) {
      s.rom = null;
      s.firmwareNv = null;
      s.integrityFailure = e.getMessage();
    }
    return s;
  }

  /**
   * The card's fused integrity key, made at first power-on of an empty card and never remade. Its
   * file holds the key and a check value of it, so a damaged key is named as such rather than
   * blamed on the first record it fails to verify.
   */
  private static byte[] integrityKey(Path dir) throws IOException {
    Path romDir = OwnerOnly.createDirectories(dir.resolve("rom"));
    Path file = romDir.resolve(INTEGRITY_KEY);
    if (Files.exists(file)) {
      byte[] stored = Files.readAllBytes(file);
      if (stored.length != KEY_BYTES + CHECK_BYTES) {
        throw new CorruptRecordException(
            "rom/" + INTEGRITY_KEY,
            "is " + stored.length + " bytes, not " + (KEY_BYTES + CHECK_BYTES));
      }
      byte[] key = Arrays.copyOf(stored, KEY_BYTES);
      if (!MessageDigest.isEqual(
          check(key), Arrays.copyOfRange(stored, KEY_BYTES, stored.length))) {
        throw new CorruptRecordException(
            "rom/" + INTEGRITY_KEY, "does not match its check value (altered)");
      }
      return key;
    }
    if (FileNonVolatileStore.hasRecords(romDir)
        || FileNonVolatileStore.hasRecords(dir.resolve("nv"))) {
      throw new CorruptRecordException(
          "rom/" + INTEGRITY_KEY,
          "is missing while the card holds records (deleted, or state made by an older ihsm)");
    }
    byte[] key = new byte[KEY_BYTES];
    new SecureRandom().nextBytes(key);
    byte[] stored = Arrays.copyOf(key, KEY_BYTES + CHECK_BYTES);
    System.arraycopy(check(key), 0, stored, KEY_BYTES, CHECK_BYTES);
    AtomicFile.write(file, stored);
    return key;
  }

  private static byte[] check(byte[] key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return Arrays.copyOf(
          mac.doFinal("ihsm integrity key check".getBytes(StandardCharsets.US_ASCII)), CHECK_BYTES);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is missing from this JDK", e);
    }
  }

  public Path root() {
    return root;
  }

  /** Why the card's stored state cannot be trusted, naming the record; empty when it verified. */
  public Optional<String> integrityFailure() {
    return Optional.ofNullable(integrityFailure);
  }

  /**
   * @throws IllegalStateException when the state did not verify ({@link #integrityFailure()})
   */
  public FileNonVolatileStore rom() {
    if (rom == null) {
      throw new IllegalStateException(integrityFailure);
    }
    return rom;
  }

  /**
   * @throws IllegalStateException when the state did not verify ({@link #integrityFailure()})
   */
  public FileNonVolatileStore firmwareNv() {
    if (firmwareNv == null) {
      throw new IllegalStateException(integrityFailure);
    }
    return firmwareNv;
  }

  @Override
  public void close() throws IOException {
    lock.release();
    lockChannel.close();
  }
}
