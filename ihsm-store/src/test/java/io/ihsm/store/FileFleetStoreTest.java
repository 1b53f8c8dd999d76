package io.ihsm.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ihsm.host.store.FileFleetStore;
import io.ihsm.host.store.FleetStore;
import io.ihsm.host.store.StoreException;
import io.ihsm.host.store.StoreException.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileFleetStoreTest extends FleetStoreContract {
  @TempDir Path dir;

  @Override
  FleetStore server() {
    return FileFleetStore.open(dir.resolve("store"));
  }

  @Test
  void aDamagedRecordIsCorruptNeverSkippedOrMisread() throws Exception {
    store.create("keys/p1/k", b("blob"));
    Path record;
    try (Stream<Path> s = Files.list(dir.resolve("store/records"))) {
      record = s.findFirst().orElseThrow();
    }
    Files.write(record, new byte[] {0, 0, 0});
    assertThatThrownBy(() -> store.get("keys/p1/k"))
        .isInstanceOfSatisfying(
            StoreException.class, x -> assertThat(x.reason()).isEqualTo(Reason.CORRUPT))
        .hasMessageContaining("restore the store from a backup");
    assertThatThrownBy(() -> store.list("keys/"))
        .isInstanceOfSatisfying(
            StoreException.class, x -> assertThat(x.reason()).isEqualTo(Reason.CORRUPT));
    assertThat(Files.getPosixFilePermissions(dir.resolve("store")).toString())
        .isEqualTo("[OWNER_READ, OWNER_WRITE, OWNER_EXECUTE]");
  }
}
