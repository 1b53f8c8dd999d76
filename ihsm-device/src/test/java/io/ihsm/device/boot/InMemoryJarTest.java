package io.ihsm.device.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;

/**
 * The firmware's jars are indexed from their central directory and inflated entry by entry: what
 * comes out is what went in, and a jar that does not read as its directory says is refused.
 */
class InMemoryJarTest {
  static byte[] jar(boolean storeSecond) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(out)) {
      z.putNextEntry(new ZipEntry("dir/"));
      z.closeEntry();
      z.putNextEntry(new ZipEntry("a/One.class"));
      z.write("one one one one one one".getBytes());
      z.closeEntry();
      byte[] two = "two".getBytes();
      ZipEntry e = new ZipEntry("b/two.txt");
      if (storeSecond) {
        e.setMethod(ZipEntry.STORED);
        e.setSize(two.length);
        CRC32 crc = new CRC32();
        crc.update(two);
        e.setCrc(crc.getValue());
      }
      z.putNextEntry(e);
      z.write(two);
      z.closeEntry();
    }
    return out.toByteArray();
  }

  @Test
  void storedAndDeflatedEntriesReadBackAsWrittenAndDirectoriesAreLeftOut() throws Exception {
    InMemoryJar j = InMemoryJar.of("t.jar", jar(true), new FirmwareImage.ExpansionBudget());
    assertThat(j.names()).containsExactly("a/One.class", "b/two.txt");
    assertThat(new String(j.read("a/One.class"))).isEqualTo("one one one one one one");
    assertThat(new String(j.read("b/two.txt"))).isEqualTo("two");
    assertThat(j.read("c/none")).isNull();
  }

  @Test
  void aJarThatDoesNotReadAsItsDirectorySaysIsRefused() throws Exception {
    byte[] good = jar(false);
    FirmwareImage.ExpansionBudget budget = new FirmwareImage.ExpansionBudget();
    assertThatThrownBy(() -> InMemoryJar.of("t.jar", Arrays.copyOf(good, good.length - 30), budget))
        .isInstanceOf(FirmwareImage.InvalidImageException.class);
    assertThatThrownBy(() -> InMemoryJar.of("t.jar", new byte[100], budget))
        .isInstanceOf(FirmwareImage.InvalidImageException.class)
        .hasMessageContaining("no end of central directory");
    // Deflated data damaged after indexing: its entry does not inflate to its declared size.
    byte[] damaged = good.clone();
    int at = indexOf(damaged, "a/One.class".getBytes()) + "a/One.class".length();
    for (int i = at; i < at + 8; i++) {
      damaged[i] = (byte) 0xFF;
    }
    InMemoryJar j = InMemoryJar.of("t.jar", damaged, new FirmwareImage.ExpansionBudget());
    assertThatThrownBy(() -> j.read("a/One.class"))
        .isInstanceOf(FirmwareImage.InvalidImageException.class);
  }

  private static int indexOf(byte[] in, byte[] what) {
    outer:
    for (int i = 0; i + what.length <= in.length; i++) {
      for (int k = 0; k < what.length; k++) {
        if (in[i + k] != what[k]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
