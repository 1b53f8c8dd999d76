package io.ihsm.device.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bouncycastle.crypto.params.LMOtsParameters;
import org.bouncycastle.crypto.params.LMSParameters;
import org.bouncycastle.crypto.params.LMSigParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stateful HSS/LMS firmware signing key: a one-time key never signs twice. */
class LmsSigningKeyTest {
  @TempDir Path dir;

  /** One level of LMS_SHA256_M32_H5: 32 signatures, made in milliseconds. */
  static LmsSigningKey small(Path file) throws Exception {
    return LmsSigningKey.generate(
        file,
        LMSParameters.create(LMSigParameters.lms_sha256_n32_h5, LMOtsParameters.sha256_n32_w4));
  }

  /**
   * The leaf a one-level HSS signature used (RFC 8554 section 6.2: Nspk, then the LMS signature,
   * which begins with q).
   */
  static int leaf(byte[] hssSignature) {
    ByteBuffer b = ByteBuffer.wrap(hssSignature);
    assertThat(b.getInt()).as("signed public keys of a one-level key").isZero();
    return b.getInt();
  }

  static boolean verifies(LmsSigningKey key, byte[] message, byte[] signature) throws Exception {
    Signature v = Signature.getInstance("HSS/LMS");
    v.initVerify(key.publicKey());
    v.update(message);
    return v.verify(signature);
  }

  @Test
  void everySignatureUsesANewOneTimeKeyAcrossReopeningTheFile() throws Exception {
    Path file = dir.resolve("release.lms");
    small(file);
    List<Integer> leaves = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      // A new object each time, as separate `ihsm firmware sign` runs would have.
      LmsSigningKey key = LmsSigningKey.open(file, false);
      byte[] before = Files.readAllBytes(file);
      byte[] sig = key.sign(("image " + i).getBytes());
      assertThat(verifies(key, ("image " + i).getBytes(), sig)).isTrue();
      assertThat(Files.readAllBytes(file)).as("the state advanced on disk").isNotEqualTo(before);
      leaves.add(leaf(sig));
    }
    assertThat(leaves).containsExactly(0, 1, 2, 3);
    assertThat(LmsSigningKey.open(file, false).remaining()).isEqualTo(28);
  }

  @Test
  void signersRacingOnOneFileNeverShareAOneTimeKey() throws Exception {
    Path file = dir.resolve("shared.lms");
    small(file);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> signed = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        signed.add(pool.submit(() -> leaf(LmsSigningKey.open(file, false).sign(new byte[] {1}))));
      }
      List<Integer> leaves = new ArrayList<>();
      for (Future<Integer> f : signed) {
        leaves.add(f.get());
      }
      Collections.sort(leaves);
      assertThat(leaves).doesNotHaveDuplicates().hasSize(16);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aUsedUpKeyRefusesToSignAndSaysSo() throws Exception {
    Path file = dir.resolve("used.lms");
    LmsSigningKey key = small(file);
    for (int i = 0; i < 32; i++) {
      key.sign(new byte[] {(byte) i});
    }
    assertThat(key.remaining()).isZero();
    assertThat(LmsSigningKey.usedUpFile(file)).exists();
    byte[] state = Files.readAllBytes(file);
    assertThatThrownBy(() -> key.sign(new byte[] {9}))
        .isInstanceOf(GeneralSecurityException.class)
        .hasMessageContaining("is used up");
    assertThat(Files.readAllBytes(file)).isEqualTo(state);
  }

  @Test
  void aDamagedOrMissingStateIsRefusedAndLeftAsItWas() throws Exception {
    Path file = dir.resolve("damaged.lms");
    small(file);
    byte[] good = Files.readAllBytes(file);
    byte[] cut = java.util.Arrays.copyOf(good, good.length / 2);
    Files.write(file, cut);
    assertThatThrownBy(() -> LmsSigningKey.open(file, false))
        .hasMessageContaining("is damaged and cannot be used");
    assertThat(Files.readAllBytes(file)).isEqualTo(cut);
    assertThatThrownBy(() -> LmsSigningKey.open(dir.resolve("absent.lms"), false))
        .hasMessageContaining("no LMS key at");
    assertThat(dir.resolve("absent.lms")).doesNotExist();
  }

  @Test
  void aKeyIsNeverOverwrittenAndItsFilesAreOwnerOnly() throws Exception {
    Path file = dir.resolve("once.lms");
    LmsSigningKey first = small(file);
    byte[] state = Files.readAllBytes(file);
    assertThatThrownBy(() -> small(file)).hasMessageContaining("exists already");
    assertThat(Files.readAllBytes(file)).isEqualTo(state);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(FirmwareKeys.lmsPublicKey(Files.readAllBytes(LmsSigningKey.publicFile(file))))
        .isEqualTo(first.publicKey());
  }

  @Test
  void theFullSizeKeyMakesSignaturesTheJdkVerifies() throws Exception {
    LmsSigningKey key = LmsSigningKey.generate(dir.resolve("full.lms"));
    assertThat(key.remaining()).isEqualTo(1L << 20);
    byte[] sig = key.sign("manifest".getBytes());
    assertThat(sig).hasSize(5076);
    assertThat(verifies(key, "manifest".getBytes(), sig)).isTrue();
    assertThat(verifies(key, "manifesT".getBytes(), sig)).isFalse();
  }
}
