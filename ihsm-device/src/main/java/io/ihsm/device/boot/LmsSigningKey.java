package io.ihsm.device.boot;

import io.ihsm.host.AtomicFile;
import io.ihsm.host.OwnerOnly;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.concurrent.locks.ReentrantLock;
import org.bouncycastle.crypto.params.HSSKeyGenerationParameters;
import org.bouncycastle.crypto.params.HSSPrivateKeyParameters;
import org.bouncycastle.crypto.params.LMOtsParameters;
import org.bouncycastle.crypto.params.LMSParameters;
import org.bouncycastle.crypto.params.LMSigParameters;
import org.bouncycastle.crypto.signers.HSSSigner;

/**
 * A stateful HSS/LMS firmware signing key (RFC 8554, SP 800-208) kept in a file. Every signature
 * uses a one-time key that must never be used again, so the file holds the key's state: a signature
 * first reserves its one-time key by writing the advanced state to disk (atomically, under a lock
 * that other processes honour too), and only then signs. A crash in between loses one unused
 * one-time key; nothing can make one sign twice, short of copying an old state file back, which is
 * why the file must never be restored from a backup.
 *
 * <p>The key has two levels of LMS_SHA256_M32_H10 with LMOTS_SHA256_N32_W4: 2^20 signatures, a
 * 60-byte public key, 5076-byte signatures. The JDK verifies them ({@code Signature "HSS/LMS"});
 * Bouncy Castle makes and signs them, since the JDK does not. The state's format is Bouncy Castle's
 * (no standard defines one).
 */
public final class LmsSigningKey {
  /** The public key's file beside the state: {@code NAME.spki}. */
  public static final String PUBLIC_SUFFIX = ".spki";

  private static final LMSParameters LEVEL =
      LMSParameters.create(LMSigParameters.lms_sha256_n32_h10, LMOtsParameters.sha256_n32_w4);

  /** Signing in this JVM: a file lock is per process, so threads take this one first. */
  private static final ReentrantLock IN_PROCESS = new ReentrantLock();

  private static final int MAX_STATE_BYTES = 1 << 20;

  private final Path file;
  private final PublicKey publicKey;

  private LmsSigningKey(Path file, PublicKey publicKey) {
    this.file = file;
    this.publicKey = publicKey;
  }

  /** Makes a new key in {@code file} (which must not exist) and its public key beside it. */
  public static LmsSigningKey generate(Path file) throws IOException, GeneralSecurityException {
    return generate(file, LEVEL, LEVEL);
  }

  /** A key of other LMS levels (tests use small ones to use a key up). */
  static LmsSigningKey generate(Path file, LMSParameters... levels)
      throws IOException, GeneralSecurityException {
    Path dir = file.toAbsolutePath().getParent();
    OwnerOnly.createDirectories(dir);
    return locked(
        file,
        () -> {
          if (Files.exists(file)) {
            throw new IOException(file + " exists already: an LMS key is never overwritten");
          }
          HSSPrivateKeyParameters key =
              HSSPrivateKeyParameters.generate(
                  new HSSKeyGenerationParameters(levels, new SecureRandom()));
          try {
            byte[] spki = spki(key.getPublicKey().getEncoded());
            AtomicFile.write(publicFile(file), spki);
            AtomicFile.write(file, key.getEncoded());
            return new LmsSigningKey(file, FirmwareKeys.lmsPublicKey(spki));
          } finally {
            key.destroy();
          }
        });
  }

  /** The key in {@code file}, made there first when {@code create} and it does not exist. */
  public static LmsSigningKey open(Path file, boolean create)
      throws IOException, GeneralSecurityException {
    if (create && !Files.exists(file)) {
      try {
        return generate(file);
      } catch (IOException e) {
        if (!Files.exists(file)) {
          throw e;
        } // another process made it first: use that one
      }
    }
    HSSPrivateKeyParameters key = read(file);
    try {
      return new LmsSigningKey(
          file, FirmwareKeys.lmsPublicKey(spki(key.getPublicKey().getEncoded())));
    } finally {
      key.destroy();
    }
  }

  /** The public key, as the JDK's "HSS/LMS" key (its SPKI is RFC 9708's). */
  public PublicKey publicKey() {
    return publicKey;
  }

  /** Signatures the key can still make. */
  public long remaining() throws IOException {
    if (Files.exists(usedUpFile(file))) {
      return 0;
    }
    HSSPrivateKeyParameters key = read(file);
    try {
      return key.getUsagesRemaining();
    } finally {
      key.destroy();
    }
  }

  /**
   * Signs {@code message} with the next one-time key, after the state that retires it is on disk.
   *
   * @throws GeneralSecurityException when every one-time key has been used
   */
  public byte[] sign(byte[] message) throws IOException, GeneralSecurityException {
    HSSPrivateKeyParameters reserved =
        locked(
            file,
            () -> {
              HSSPrivateKeyParameters key = read(file);
              if (key.getUsagesRemaining() <= 0 || Files.exists(usedUpFile(file))) {
                key.destroy();
                throw new GeneralSecurityException(
                    "the LMS key " + file + " is used up: every one-time key has signed");
              }
              if (key.getUsagesRemaining() == 1) {
                // The last one-time key: a state past it cannot be written, so a marker beside
                // the file retires the key before it signs.
                AtomicFile.write(usedUpFile(file), new byte[0]);
                return key;
              }
              try {
                HSSPrivateKeyParameters one = key.extractKeyShard(1);
                AtomicFile.write(file, key.getEncoded());
                return one;
              } finally {
                key.destroy();
              }
            });
    try {
      HSSSigner signer = new HSSSigner();
      signer.init(true, reserved);
      return signer.generateSignature(message);
    } finally {
      reserved.destroy();
    }
  }

  /** The SubjectPublicKeyInfo of an HSS public key: id-alg-hss-lms-hashsig, the key as it is. */
  static byte[] spki(byte[] hssPublicKey) {
    byte[] algorithm = {
      0x30,
      0x0D,
      0x06,
      0x0B,
      0x2A,
      (byte) 0x86,
      0x48,
      (byte) 0x86,
      (byte) 0xF7,
      0x0D,
      0x01,
      0x09,
      0x10,
      0x03,
      0x11
    };
    ByteArrayOutputStream bits = new ByteArrayOutputStream();
    bits.writeBytes(new byte[] {0x03, (byte) (hssPublicKey.length + 1), 0});
    bits.writeBytes(hssPublicKey);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {0x30, (byte) (algorithm.length + bits.size())});
    out.writeBytes(algorithm);
    out.writeBytes(bits.toByteArray());
    return out.toByteArray();
  }

  /** Present once the last one-time key is reserved: the key signs no more. */
  static Path usedUpFile(Path file) {
    return file.resolveSibling(file.getFileName() + ".used-up");
  }

  static Path publicFile(Path file) {
    return file.resolveSibling(file.getFileName() + PUBLIC_SUFFIX);
  }

  private static HSSPrivateKeyParameters read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("no LMS key at " + file);
    }
    if (Files.size(file) > MAX_STATE_BYTES) {
      throw new IOException("the LMS key " + file + " is not one: too large");
    }
    try {
      return HSSPrivateKeyParameters.getInstance(Files.readAllBytes(file));
    } catch (IOException | RuntimeException e) {
      throw new IOException("the LMS key " + file + " is damaged and cannot be used", e);
    }
  }

  private interface Step<T> {
    T run() throws IOException, GeneralSecurityException;
  }

  /** Runs {@code step} holding this JVM's lock and the file lock beside {@code file}. */
  private static <T> T locked(Path file, Step<T> step)
      throws IOException, GeneralSecurityException {
    Path lock = file.resolveSibling(file.getFileName() + ".lock");
    IN_PROCESS.lock();
    try (FileChannel ch =
        FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      OwnerOnly.restrictFile(lock);
      ch.lock(); // released when the channel closes
      return step.run();
    } finally {
      IN_PROCESS.unlock();
    }
  }
}
