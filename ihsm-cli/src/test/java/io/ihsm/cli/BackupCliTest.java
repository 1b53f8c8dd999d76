package io.ihsm.cli;

import static io.ihsm.cli.CliRun.inHome;
import static io.ihsm.cli.CliRun.okInHome;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `ihsm backup` and `ihsm restore`: a host key store comes back on its device or a member of its
 * domain, with nothing secret in the file; elsewhere, and from a damaged file, nothing is written.
 */
class BackupCliTest {
  static final String PIN = "backup-pin-5150";

  @TempDir Path dir;

  static String pin() {
    return PinFiles.of(PIN);
  }

  static void partitionWithARotatedKey(Path home) {
    okInHome(home, "partition", "create", "app", "--pin-file", pin());
    okInHome(
        home,
        "key",
        "generate",
        "--partition",
        "app",
        "--kind",
        "ec-p256",
        "--usage",
        "sign",
        "--label",
        "signer",
        "--pin-file",
        pin());
    okInHome(home, "key", "rotate", "--partition", "app", "--label", "signer", "--pin-file", pin());
  }

  static CliRun sign(Path home, String key) throws IOException {
    Path data = Files.writeString(home.resolve("data.txt"), "pay 10 to bob");
    return inHome(
        home,
        "sign",
        "--partition",
        "app",
        "--key",
        key,
        "--alg",
        "SHA256withECDSA",
        "--pin-file",
        pin(),
        "--in",
        data.toString(),
        "--out",
        home.resolve("sig").toString());
  }

  static List<String> storeFiles(Path home) throws IOException {
    Path partitions = home.resolve("partitions");
    if (!Files.exists(partitions)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(partitions)) {
      return s.filter(Files::isRegularFile)
          .map(p -> partitions.relativize(p).toString())
          .sorted()
          .toList();
    }
  }

  @Test
  void aLostKeyEntryComesBackOnTheSameDeviceAndTheFileHoldsNoSecret() throws Exception {
    Path home = dir.resolve("home");
    partitionWithARotatedKey(home);
    Path backup = home.resolve("store.ihsm-backup");
    assertThat(okInHome(home, "backup", "--out", backup.toString()).out())
        .contains("backed up 1 partitions and 2 key versions of device IHSM-");
    assertThat(Files.getPosixFilePermissions(backup).toString())
        .isEqualTo("[OWNER_READ, OWNER_WRITE]");
    String text = Files.readString(backup);
    assertThat(text).startsWith("ihsm-key-store-backup 1\n").doesNotContain(PIN);
    // Not the partition owner's private key, nor the Crypto Officer's credential.
    for (Path secret : List.of(home.resolve("owner/owner-p384.pk8"))) {
      String b64 = Base64.getEncoder().encodeToString(Files.readAllBytes(secret));
      assertThat(text).doesNotContain(b64.substring(0, 40));
    }
    assertThat(text).doesNotContain("crypto-officer").doesNotContain("owner-p384");
    List<String> before = storeFiles(home);

    Files.delete(home.resolve("partitions/app/keys/signer.key"));
    Files.delete(home.resolve("partitions/app/keys/signer#1.key"));
    assertThat(sign(home, "signer").exitCode()).isEqualTo(ExitCodes.FAILED);

    CliRun restored = okInHome(home, "restore", backup.toString());
    assertThat(restored.out()).contains("2 entries written, 1 already there");
    assertThat(storeFiles(home)).isEqualTo(before);
    assertThat(sign(home, "signer").exitCode()).isZero();
    assertThat(sign(home, "signer#1").exitCode()).isEqualTo(ExitCodes.FAILED); // deactivated
    // Restoring again changes nothing.
    assertThat(okInHome(home, "restore", backup.toString(), "--json").out())
        .contains("\"written\":0,\"unchanged\":3");
  }

  @Test
  void anEntryThatChangedSinceIsOverwrittenOnlyWithReplace() throws Exception {
    Path home = dir.resolve("home");
    partitionWithARotatedKey(home);
    Path backup = home.resolve("b");
    okInHome(home, "backup", "--out", backup.toString());
    okInHome(home, "key", "rotate", "--partition", "app", "--label", "signer", "--pin-file", pin());
    byte[] newest = Files.readAllBytes(home.resolve("partitions/app/keys/signer.key"));

    CliRun refused = inHome(home, "restore", backup.toString());
    assertThat(refused.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(refused.err()).contains("differ from the backup's").contains("nothing was restored");
    assertThat(Files.readAllBytes(home.resolve("partitions/app/keys/signer.key")))
        .isEqualTo(newest);

    okInHome(home, "restore", backup.toString(), "--replace");
    assertThat(Files.readAllBytes(home.resolve("partitions/app/keys/signer.key")))
        .isNotEqualTo(newest);
  }

  @Test
  void anotherDeviceRefusesItAndWritesNothing() throws Exception {
    Path home = dir.resolve("home");
    partitionWithARotatedKey(home);
    Path backup = dir.resolve("b");
    okInHome(home, "backup", "--out", backup.toString());
    Path other = dir.resolve("other");
    okInHome(other, "device", "status");

    CliRun r = inHome(other, "restore", backup.toString());
    assertThat(r.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(r.err())
        .contains("the backup is of device IHSM-")
        .contains("restores only on the device that made it or a member of its domain");
    assertThat(storeFiles(other)).isEmpty();
  }

  @Test
  void aDamagedTruncatedOrForeignFileIsRefusedNamingWhy() throws Exception {
    Path home = dir.resolve("home");
    partitionWithARotatedKey(home);
    Path backup = home.resolve("b");
    okInHome(home, "backup", "--out", backup.toString());
    String text = Files.readString(backup);
    List<String> before = storeFiles(home);
    Files.delete(home.resolve("partitions/app/keys/signer.key"));
    List<String> lost = storeFiles(home);

    int at = text.indexOf("entry ") + 40;
    String flipped =
        text.substring(0, at) + (text.charAt(at) == 'A' ? 'B' : 'A') + text.substring(at + 1);
    refused(home, flipped, "damaged");
    refused(home, text.substring(0, text.length() / 2), "truncated");
    refused(home, "hello\n", "not an ihsm key store backup");
    refused(home, "", "not an ihsm key store backup");
    String badPath =
        text.replace("entry app/partition.properties", "entry ../../etc/partition.properties");
    String body = badPath.substring(0, badPath.lastIndexOf("sha256 "));
    refused(home, body + "sha256 " + sha256(body) + "\n", "is not an entry");
    assertThat(storeFiles(home)).isEqualTo(lost).isNotEqualTo(before);
  }

  @Test
  void aMemberOfTheDomainTakesThePartitionOnAndUsesTheRestoredKey() throws Exception {
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    okInHome(a, "device", "manufacture");
    okInHome(
        b,
        "device",
        "manufacture",
        "--ca-key",
        a.resolve("manufacturer/dev-ca.pk8").toString(),
        "--ca-cert",
        a.resolve("manufacturer/dev-ca.der").toString());
    String store = "file:" + dir.resolve("store");
    okInHome(a, "domain", "create", "--store", store);
    DomainCliTest.join(args -> inHome(b, args), args -> inHome(a, args), store, null);
    partitionWithARotatedKey(a);
    Path backup = dir.resolve("fleet.ihsm-backup");
    okInHome(a, "backup", "--out", backup.toString());
    assertThat(Files.readString(backup)).contains("\ndomain ").doesNotContain("\ndomain -\n");
    okInHome(a, "key", "delete", "--partition", "app", "--label", "signer", "--pin-file", pin());
    assertThat(sign(b, "signer").exitCode()).isEqualTo(ExitCodes.FAILED);

    CliRun restored = okInHome(b, "restore", backup.toString());
    assertThat(restored.out()).contains("this member took on app");
    assertThat(sign(b, "signer").exitCode()).isZero();
    assertThat(sign(a, "signer").exitCode()).isZero();
  }

  static void refused(Path home, String content, String why) throws IOException {
    Path file = Files.writeString(home.resolve("bad"), content, StandardCharsets.UTF_8);
    CliRun r = inHome(home, "restore", file.toString());
    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.FAILED);
    assertThat(r.err()).startsWith("ihsm: " + file + ": ").contains(why);
    assertThat(r.err().strip().lines()).hasSize(1);
  }

  static String sha256(String s) throws Exception {
    return java.util.HexFormat.of()
        .formatHex(
            java.security.MessageDigest.getInstance("SHA-256")
                .digest(s.getBytes(StandardCharsets.UTF_8)));
  }
}
