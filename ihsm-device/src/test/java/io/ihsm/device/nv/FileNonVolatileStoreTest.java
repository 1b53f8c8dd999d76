package io.ihsm.device.nv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ihsm.ddi.spi.NonVolatileStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Records as files: whole writes, appends in place, bounds and names. */
class FileNonVolatileStoreTest {
  @TempDir
  Path dir;

  @Test
  void appendsMakeARecordThenAddToItInPlace() throws Exception {
    FileNonVolatileStore nv = new FileNonVolatileStore(dir.resolve("nv"));
    nv.append("log", "one\n".getBytes(StandardCharsets.UTF_8));
    nv.append("log", "two\n".getBytes(StandardCharsets.UTF_8));
    assertThat(new String(nv.read("log").orElseThrow(), StandardCharsets.UTF_8)).isEqualTo("one\ntwo\n");
    nv.write("log", "fresh\n".getBytes(StandardCharsets.UTF_8));
    nv.append("log", "more\n".getBytes(StandardCharsets.UTF_8));
    assertThat(new String(nv.read("log").orElseThrow(), StandardCharsets.UTF_8)).isEqualTo("fresh\nmore\n");
    assertThat(Files.list(dir.resolve("nv")).map(p -> p.getFileName().toString())).containsExactly("log");
  }

  @Test
  void anAppendPastTheRecordLimitOrWithABadNameIsRefusedAndChangesNothing() throws Exception {
    FileNonVolatileStore nv = new FileNonVolatileStore(dir.resolve("nv"));
    nv.write("big", new byte[NonVolatileStore.MAX_RECORD_BYTES - 1]);
    assertThatThrownBy(() -> nv.append("big", new byte[2])).isInstanceOf(IllegalArgumentException.class);
    assertThat(nv.read("big").orElseThrow()).hasSize(NonVolatileStore.MAX_RECORD_BYTES - 1);
    assertThatThrownBy(() -> nv.append("../escape", new byte[1])).isInstanceOf(IllegalArgumentException.class);
    assertThat(dir.resolve("escape")).doesNotExist();
  }
}
