package io.ihsm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every file of the device's state and of the host key store, each damaged in every way a disk or
 * an intruder damages files (deleted, emptied, cut in half, one byte flipped, a byte appended), one
 * at a time: the device either stops in ERROR naming the damaged record, or reads back exactly what
 * it stored (what it serves is consistent: keys sign, the audit verifies); the host side names the
 * damaged file and keeps serving the rest. Never an internal error, never a guess.
 */
class CorruptedStateTest {
  static final String PIN = "corrupt-pin-1234";

  enum Damage {
    DELETED,
    EMPTIED,
    HALVED,
    FLIPPED,
    APPENDED
  }

  @TempDir static Path work;
  static Path pristine;

  @BeforeAll
  static void aDeviceWithSomethingInEveryRecord() throws Exception {
    pristine = work.resolve("pristine");
    CliRun.okInHome(pristine, "partition", "create", "app", "--pin-file", PinFiles.of(PIN));
    CliRun.okInHome(
        pristine,
        "key",
        "generate",
        "--partition",
        "app",
        "--kind",
        "ec-p256",
        "--usage",
        "sign",
        "--label",
        "ec",
        "--pin-file",
        PinFiles.of(PIN));
    CliRun.okInHome(
        pristine,
        "key",
        "generate",
        "--partition",
        "app",
        "--kind",
        "aes-256",
        "--usage",
        "encrypt",
        "--label",
        "aes",
        "--pin-file",
        PinFiles.of(PIN));
    CliRun.okInHome(pristine, "device", "manufacture");
    CliRun.okInHome(
        pristine,
        "key",
        "attest",
        "--partition",
        "app",
        "--label",
        "ec",
        "--nonce",
        "00",
        "--out",
        work.resolve("report").toString(),
        "--pin-file",
        PinFiles.of(PIN));
    CliRun.okInHome(pristine, "device", "approved-mode", "on");
    CliRun.inHome(
        pristine, "key", "list", "--partition", "app", "--pin-file", PinFiles.of("a-wrong-pin"));
    CliRun.inHome(
        pristine,
        "sign",
        "--partition",
        "app",
        "--key",
        "ec",
        "--alg",
        "SHA256withECDSA",
        "--in",
        work.resolve("report").toString(),
        "--out",
        work.resolve("s").toString(),
        "--pin-file",
        PinFiles.of("a-wrong-pin"));
    CliRun.okInHome(pristine, "audit", "export", "--out", work.resolve("audit").toString());
  }

  static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().equals("lock"))
          .filter(p -> !p.getFileName().toString().endsWith(".tmp"))
          .sorted()
          .toList();
    }
  }

  static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  static void damage(Path file, Damage d) throws IOException {
    byte[] b = Files.readAllBytes(file);
    switch (d) {
      case DELETED -> Files.delete(file);
      case EMPTIED -> Files.write(file, new byte[0]);
      case HALVED -> Files.write(file, Arrays.copyOf(b, b.length / 2));
      case FLIPPED -> {
        if (b.length > 0) {
          b[b.length / 2] ^= 0x20;
        }
        Files.write(file, b);
      }
      case APPENDED -> Files.write(file, new byte[] {'x'}, StandardOpenOption.APPEND);
    }
  }

  static void neverInternal(CliRun r, String what) {
    assertThat(r.exitCode()).as(what + "\n" + r.err()).isNotEqualTo(ExitCodes.INTERNAL);
    assertThat(r.err())
        .as(what)
        .doesNotContain("internal error")
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
  }

  @Test
  void damagedDeviceStateStopsTheDeviceNamingTheRecordOrReadsBackConsistently() throws Exception {
    List<String> outcomes = new ArrayList<>();
    List<Path> state = files(pristine.resolve("device"));
    assertThat(state).as("the device's records").hasSizeGreaterThan(10);
    for (Path original : state) {
      String record = original.getFileName().toString();
      for (Damage d : Damage.values()) {
        Path home =
            work.resolve(
                "d-" + pristine.relativize(original).toString().replace('/', '_') + "-" + d);
        copy(pristine, home);
        damage(home.resolve(pristine.relativize(original).toString()), d);
        String what = record + " " + d;
        CliRun status = CliRun.inHome(home, "device", "status", "--json");
        neverInternal(status, what);
        String state0 =
            status.exitCode() == 0 ? CliTest.field(status.out(), "state") : "unreadable";
        if (state0.equals("ERROR")) {
          assertThat(CliTest.field(status.out(), "reason")).as(what).contains(record);
          outcomes.add(what + ": ERROR");
          continue;
        }
        // Not stopped: only a torn tail of an appended record (what a crash leaves) may be, and
        // then all reads back.
        assertThat(record)
            .as(what + " left the device " + state0 + "\n" + status.out() + status.err())
            .startsWith("audit-log-");
        assertThat(d).as(what).isIn(Damage.HALVED, Damage.APPENDED);
        assertThat(state0).isEqualTo("OPERATIONAL");
        Path log = work.resolve("audit-" + record + "-" + d);
        CliRun.okInHome(home, "audit", "export", "--out", log.toString());
        assertThat(CliRun.okInHome(home, "audit", "verify", log.toString()).out()).contains("good");
        CliRun signed =
            CliRun.inHome(
                home,
                "sign",
                "--partition",
                "app",
                "--key",
                "ec",
                "--alg",
                "SHA256withECDSA",
                "--in",
                log.toString(),
                "--out",
                work.resolve("sig").toString(),
                "--pin-file",
                PinFiles.of(PIN));
        assertThat(signed.exitCode()).as(what + signed.err()).isZero();
        outcomes.add(what + ": torn tail dropped, consistent");
      }
    }
    assertThat(outcomes).filteredOn(o -> o.endsWith("ERROR")).hasSizeGreaterThan(state.size() * 3);
  }

  @Test
  void damagedHostFilesAreNamedAndNeverTakeTheRestDown() throws Exception {
    List<Path> host = new ArrayList<>(files(pristine.resolve("partitions")));
    host.addAll(files(pristine.resolve("crypto-officer")));
    assertThat(host).hasSizeGreaterThanOrEqualTo(4);
    for (Path original : host) {
      String name = pristine.relativize(original).toString();
      for (Damage d : Damage.values()) {
        Path home = work.resolve("h-" + name.replace('/', '_') + "-" + d);
        copy(pristine, home);
        damage(home.resolve(name), d);
        String what = name + " " + d;
        CliRun list = CliRun.inHome(home, "key", "list", "--partition", "app");
        neverInternal(list, what);
        CliRun sign =
            CliRun.inHome(
                home,
                "sign",
                "--partition",
                "app",
                "--key",
                "ec",
                "--alg",
                "SHA256withECDSA",
                "--in",
                work.resolve("report").toString(),
                "--out",
                home.resolve("sig").toString(),
                "--pin-file",
                PinFiles.of(PIN));
        neverInternal(sign, what);
        if (name.startsWith("crypto-officer")) {
          CliRun co = CliRun.inHome(home, "partition", "list");
          neverInternal(co, what);
          if (co.exitCode() != 0) {
            assertThat(co.err())
                .as(what)
                .containsAnyOf(original.getFileName().toString(), "AUTHENTICATION_FAILED");
          }
        }
        if (sign.exitCode() != 0) {
          // A failure says what is wrong: the damaged file by name, or the device's refusal of what
          // it held.
          assertThat(sign.err())
              .as(what)
              .containsAnyOf(
                  original.getFileName().toString(),
                  "MASKED_BLOB",
                  "AUTHENTICATION",
                  "credential",
                  "no partition app",
                  "PARTITION_NOT_FOUND",
                  "no key");
        }
        if (!name.contains("ec.key")
            && !name.startsWith("crypto-officer")
            && !name.endsWith("partition.properties")) {
          assertThat(sign.exitCode())
              .as(what + ": another file's damage must not stop this key\n" + sign.err())
              .isZero();
        }
      }
    }
  }
}
