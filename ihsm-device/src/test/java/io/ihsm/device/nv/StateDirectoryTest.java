package io.ihsm.device.nv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateDirectoryTest {
  @TempDir Path tmp;

  @Test
  void recordsRoundTripAndAreOwnerOnly() throws Exception {
    try (StateDirectory s = StateDirectory.open(tmp.resolve("state"))) {
      s.firmwareNv().write("counter", new byte[] {1, 2});
      s.firmwareNv().write("counter", new byte[] {3});
      assertThat(s.firmwareNv().read("counter"))
          .hasValueSatisfying(v -> assertThat(v).containsExactly(3));
      assertThat(s.firmwareNv().read("absent")).isEmpty();
      assertThat(
              PosixFilePermissions.toString(
                  Files.getPosixFilePermissions(tmp.resolve("state/nv/counter"))))
          .isEqualTo("rw-------");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("state"))))
          .isEqualTo("rwx------");
      s.firmwareNv().delete("counter");
      assertThat(s.firmwareNv().read("counter")).isEmpty();
    }
  }

  @Test
  void aLeftoverTemporaryFileFromACrashDoesNotChangeTheRecord() throws Exception {
    try (StateDirectory s = StateDirectory.open(tmp.resolve("state"))) {
      s.firmwareNv().write("counter", new byte[] {7});
      Files.write(tmp.resolve("state/nv/.counter.tmp"), new byte[] {9, 9, 9});
      assertThat(s.firmwareNv().read("counter"))
          .hasValueSatisfying(v -> assertThat(v).containsExactly(7));
      s.firmwareNv().write("counter", new byte[] {8});
      assertThat(s.firmwareNv().read("counter"))
          .hasValueSatisfying(v -> assertThat(v).containsExactly(8));
    }
  }

  @Test
  void recordNamesAreValidated() throws Exception {
    try (StateDirectory s = StateDirectory.open(tmp.resolve("state"))) {
      for (String bad : new String[] {"../escape", "", "UPPER", ".hidden", "a/b", "x".repeat(65)}) {
        assertThatThrownBy(() -> s.firmwareNv().write(bad, new byte[1]))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.firmwareNv().read(bad))
            .isInstanceOf(IllegalArgumentException.class);
      }
      assertThat(Files.exists(tmp.resolve("escape"))).isFalse();
    }
  }

  @Test
  void oneDeviceAtATimeOwnsAStateDirectory() throws Exception {
    try (StateDirectory first = StateDirectory.open(tmp.resolve("state"))) {
      assertThatThrownBy(() -> StateDirectory.open(tmp.resolve("state")))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("is in use by another ihsm device");
    }
    StateDirectory.open(tmp.resolve("state")).close();
  }

  @Test
  void aMissingIntegrityKeyOrADamagedRecordLeavesNoStoreAndSaysWhich() throws Exception {
    try (StateDirectory s = StateDirectory.open(tmp.resolve("state"))) {
      assertThat(s.integrityFailure()).isEmpty();
      s.firmwareNv().write("partitions", new byte[] {1, 2, 3});
    }
    Path nvFile = tmp.resolve("state/nv/partitions");
    byte[] good = Files.readAllBytes(nvFile);
    byte[] bad = good.clone();
    bad[bad.length - 1] ^= 1; // in the tag
    Files.write(nvFile, bad);
    try (StateDirectory s = StateDirectory.open(tmp.resolve("state"))) {
      assertThat(s.integrityFailure())
          .hasValueSatisfying(r -> assertThat(r).contains("'partitions'", "does not verify"));
      assertThatThrownBy(s::firmwareNv).isInstanceOf(IllegalStateException.class);
    }
    Files.write(nvFile, good);
    Files.delete(tmp.resolve("state/rom/.integrity-key"));
    try (StateDirectory s = StateDirectory.open(tmp.resolve("state"))) {
      assertThat(s.integrityFailure())
          .hasValueSatisfying(r -> assertThat(r).contains(".integrity-key", "is missing"));
    }
    assertThat(tmp.resolve("state/rom/.integrity-key"))
        .as("never remade over existing records")
        .doesNotExist();
  }
}
