package io.ihsm.cli;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Commands run in-process against the embedded device under a fresh home, one per test. */
abstract class InHomeCliTest {
  @TempDir Path home;

  CliRun ihsm(String... args) {
    return CliRun.inHome(home, args);
  }

  /** A run that must succeed (the failure shows the command and its standard error). */
  CliRun ok(String... args) {
    return CliRun.okInHome(home, args);
  }
}
