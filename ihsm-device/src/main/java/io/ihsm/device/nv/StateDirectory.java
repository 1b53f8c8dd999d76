package io.ihsm.device.nv;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The card's persistent state on disk, held under an exclusive lock so that one device (a daemon
 * or one embedded process) owns it at a time. Layout: {@code rom/} for what the card itself keeps
 * (serial number), {@code nv/} for the firmware's non-volatile records.
 */
public final class StateDirectory implements AutoCloseable {
  private final Path root;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final FileNonVolatileStore rom;
  private final FileNonVolatileStore firmwareNv;

  private StateDirectory(Path root, FileChannel lockChannel, FileLock lock) throws IOException {
    this.root = root;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.rom = new FileNonVolatileStore(root.resolve("rom"));
    this.firmwareNv = new FileNonVolatileStore(root.resolve("nv"));
  }

  /** @throws IllegalStateException when another device (in this or another process) holds it */
  public static StateDirectory open(Path root) throws IOException {
    Path dir = OwnerOnly.createDirectories(root.toAbsolutePath().normalize());
    Path lockFile = dir.resolve("lock");
    FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      ch.close();
      throw new IllegalStateException("device state directory " + dir
          + " is in use by another ihsm device (a running daemon or another process)");
    }
    OwnerOnly.restrictFile(lockFile);
    return new StateDirectory(dir, ch, lock);
  }

  public Path root() {
    return root;
  }

  public FileNonVolatileStore rom() {
    return rom;
  }

  public FileNonVolatileStore firmwareNv() {
    return firmwareNv;
  }

  @Override
  public void close() throws IOException {
    lock.release();
    lockChannel.close();
  }
}
