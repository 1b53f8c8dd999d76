package io.ihsm.device.nv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ihsm.ddi.spi.CorruptRecordException;
import io.ihsm.ddi.spi.NonVolatileStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records as files: whole writes, appends in place, bounds and names; every record versioned and
 * authenticated, and any damage reported naming the record, never read as a default.
 */
class FileNonVolatileStoreTest {
  static final byte[] KEY = new byte[32];

  static {
    Arrays.fill(KEY, (byte) 7);
  }

  @TempDir Path dir;

  FileNonVolatileStore open() throws Exception {
    return new FileNonVolatileStore(dir.resolve("nv"), KEY);
  }

  @Test
  void appendsMakeARecordThenAddToItInPlace() throws Exception {
    FileNonVolatileStore nv = open();
    nv.append("log", "one\n".getBytes(StandardCharsets.UTF_8));
    nv.append("log", "two\n".getBytes(StandardCharsets.UTF_8));
    assertThat(new String(nv.read("log").orElseThrow(), StandardCharsets.UTF_8))
        .isEqualTo("one\ntwo\n");
    nv.write("log", "fresh\n".getBytes(StandardCharsets.UTF_8));
    nv.append("log", "more\n".getBytes(StandardCharsets.UTF_8));
    assertThat(new String(nv.read("log").orElseThrow(), StandardCharsets.UTF_8))
        .isEqualTo("fresh\nmore\n");
    assertThat(new String(open().read("log").orElseThrow(), StandardCharsets.UTF_8))
        .isEqualTo("fresh\nmore\n");
    assertThat(Files.list(dir.resolve("nv")).map(p -> p.getFileName().toString()))
        .containsExactlyInAnyOrder("log", "catalog");
  }

  @Test
  void anAppendPastTheRecordLimitOrWithABadNameIsRefusedAndChangesNothing() throws Exception {
    FileNonVolatileStore nv = open();
    nv.write("big", new byte[NonVolatileStore.MAX_RECORD_BYTES - 1]);
    assertThatThrownBy(() -> nv.append("big", new byte[2]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(nv.read("big").orElseThrow()).hasSize(NonVolatileStore.MAX_RECORD_BYTES - 1);
    assertThatThrownBy(() -> nv.append("../escape", new byte[1]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> nv.write("catalog", new byte[1]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(dir.resolve("escape")).doesNotExist();
  }

  @Test
  void aFlippedByteAnywhereInARecordIsReportedNamingIt() throws Exception {
    open().write("pin-failures-1", new byte[] {0, 0, 0, 9});
    Path file = dir.resolve("nv/pin-failures-1");
    byte[] good = Files.readAllBytes(file);
    for (int i = 0; i < good.length; i++) {
      byte[] bad = good.clone();
      bad[i] ^= 0x40;
      Files.write(file, bad);
      assertThatThrownBy(this::open)
          .as("byte " + i)
          .isInstanceOfSatisfying(
              CorruptRecordException.class,
              e -> assertThat(e.record()).isEqualTo("pin-failures-1"));
    }
    Files.write(file, good);
    assertThat(open().read("pin-failures-1").orElseThrow()).containsExactly(0, 0, 0, 9);
  }

  @Test
  void aDeletedTruncatedOrSwappedRecordIsReportedNeverReadAsAbsent() throws Exception {
    FileNonVolatileStore nv = open();
    nv.write("sealing-secret", new byte[32]);
    nv.write("other-secret", new byte[32]);
    Path file = dir.resolve("nv/sealing-secret");
    byte[] good = Files.readAllBytes(file);

    Files.delete(file);
    assertThatThrownBy(this::open)
        .isInstanceOf(CorruptRecordException.class)
        .hasMessageContaining("'sealing-secret' is missing");
    Files.write(file, Arrays.copyOf(good, 16));
    assertThatThrownBy(this::open)
        .isInstanceOf(CorruptRecordException.class)
        .hasMessageContaining("sealing-secret");
    // Another record's authentic file under this name: the name is bound under the tag.
    Files.copy(dir.resolve("nv/other-secret"), file, StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(this::open)
        .isInstanceOf(CorruptRecordException.class)
        .hasMessageContaining("does not verify");
    Files.write(file, good);
    Files.delete(dir.resolve("nv/catalog"));
    assertThatThrownBy(this::open)
        .isInstanceOf(CorruptRecordException.class)
        .hasMessageContaining("'catalog' is missing");
  }

  @Test
  void aStoreWrittenUnderAnotherKeyDoesNotVerify() throws Exception {
    open().write("partitions", new byte[] {1, 2, 3});
    byte[] otherKey = KEY.clone();
    otherKey[0] ^= 1;
    assertThatThrownBy(() -> new FileNonVolatileStore(dir.resolve("nv"), otherKey))
        .isInstanceOf(CorruptRecordException.class);
  }

  @Test
  void aTornAppendIsDroppedAndTheNextAppendGoesOnFromTheLastWholeChunk() throws Exception {
    FileNonVolatileStore nv = open();
    nv.append("audit-log-0", "one\n".getBytes(StandardCharsets.UTF_8));
    nv.append("audit-log-0", "two\n".getBytes(StandardCharsets.UTF_8));
    // A crash in the middle of a third append: part of a chunk, no tag.
    Files.write(
        dir.resolve("nv/audit-log-0"),
        new byte[] {0, 0, 0, 6, 't', 'h'},
        StandardOpenOption.APPEND);
    FileNonVolatileStore again = open();
    assertThat(new String(again.read("audit-log-0").orElseThrow(), StandardCharsets.UTF_8))
        .isEqualTo("one\ntwo\n");
    again.append("audit-log-0", "three\n".getBytes(StandardCharsets.UTF_8));
    assertThat(new String(open().read("audit-log-0").orElseThrow(), StandardCharsets.UTF_8))
        .isEqualTo("one\ntwo\nthree\n");
  }

  @Test
  void aFileTheCatalogDoesNotNameIsAnUnfinishedChangeAndIsRemoved() throws Exception {
    open().write("kept", new byte[] {1});
    Files.write(dir.resolve("nv/stray"), new byte[] {9, 9});
    FileNonVolatileStore nv = open();
    assertThat(dir.resolve("nv/stray")).doesNotExist();
    assertThat(nv.read("stray")).isEmpty();
    assertThat(nv.read("kept").orElseThrow()).containsExactly(1);
  }

  @Test
  void aRecordOfTheWrongSizeIsCorruptNotADefault() throws Exception {
    FileNonVolatileStore nv = open();
    nv.write("pin-failures-2", new byte[] {0, 0, 9});
    assertThatThrownBy(() -> nv.readCounter("pin-failures-2"))
        .isInstanceOf(CorruptRecordException.class)
        .hasMessageContaining("is 3 bytes, not 4");
    assertThat(nv.readCounter("pin-failures-3")).as("absent is zero").isZero();
  }

  @Test
  void aWholeRecordWithABytePastItsChunkIsAlteredButAnAppendedRecordMayBeTorn() throws Exception {
    open().write("partitions", new byte[] {1, 2, 3});
    Files.write(dir.resolve("nv/partitions"), new byte[] {0}, StandardOpenOption.APPEND);
    assertThatThrownBy(this::open)
        .isInstanceOf(CorruptRecordException.class)
        .hasMessageContaining("beyond its one chunk");
  }
}
