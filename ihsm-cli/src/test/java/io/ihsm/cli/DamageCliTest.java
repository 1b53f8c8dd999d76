package io.ihsm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What an outsider or an accident does to the host side, through the command line: damaged key
 * store files, edited entries, malformed input files, a locked-out Crypto Officer, a hostile
 * serial. Each gets one clear line naming what is wrong, and everything else keeps working.
 */
class DamageCliTest extends InHomeCliTest {
  static final String PIN = "damage-pin-1234";

  @BeforeEach
  void partitionWithKeys() {
    ok("partition", "create", "app", "--pin-file", PinFiles.of(PIN));
    ok("partition", "create", "other", "--pin-file", PinFiles.of(PIN));
    for (String label : new String[] {"good", "broken", "empty", "binary"}) {
      ok(
          "key",
          "generate",
          "--partition",
          "app",
          "--kind",
          "ec-p256",
          "--usage",
          "sign",
          "--label",
          label,
          "--pin-file",
          PinFiles.of(PIN));
    }
  }

  CliRun sign(String partition, String label) throws Exception {
    Path msg = home.resolve("msg");
    Files.writeString(msg, "hello");
    return ihsm(
        "sign",
        "--partition",
        partition,
        "--key",
        label,
        "--alg",
        "SHA256withECDSA",
        "--in",
        msg.toString(),
        "--out",
        home.resolve("sig").toString(),
        "--pin-file",
        PinFiles.of(PIN));
  }

  @Test
  void damagedKeyFilesAreNamedAndTheOtherKeysKeepWorking() throws Exception {
    Path keys = home.resolve("partitions/app/keys");
    String broken = Files.readString(keys.resolve("broken.key"), StandardCharsets.ISO_8859_1);
    Files.writeString(
        keys.resolve("broken.key"),
        broken.replaceAll("(?m)^maskedBlob=.*$", ""),
        StandardCharsets.ISO_8859_1);
    Files.write(keys.resolve("empty.key"), new byte[0]);
    Files.write(
        keys.resolve("binary.key"), new byte[] {0, (byte) 0xFF, 0x13, '=', (byte) 0x80, '\n', 1});

    assertThat(sign("app", "good").exitCode()).as("a healthy key signs").isZero();
    CliRun list = ok("key", "list", "--partition", "app");
    assertThat(list.out()).contains("good").doesNotContain("broken");
    assertThat(list.err())
        .contains(
            "broken.key is damaged: it has no maskedBlob",
            "empty.key is damaged",
            "binary.key is damaged");
    CliRun bad = sign("app", "broken");
    assertThat(bad.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(bad.err().strip())
        .startsWith("ihsm: key store file ")
        .contains("broken.key is damaged")
        .doesNotContain("internal error");
    assertThat(bad.err().strip().lines()).hasSize(1);
  }

  @Test
  void aDamagedPartitionEntryIsNamedAndTheListingGoesOn() throws Exception {
    Files.write(home.resolve("partitions/app/partition.properties"), new byte[0]);
    CliRun list = ok("partition", "list");
    assertThat(list.out()).contains("app", "other");
    assertThat(list.err()).contains("partition.properties is damaged");
    assertThat(sign("app", "good").err()).contains("partition.properties is damaged");
    ok("key", "list", "--partition", "other");
  }

  @Test
  void anEditedPartitionIdNeverSendsTheCredentialToAnotherPartition() throws Exception {
    Path entry = home.resolve("partitions/app/partition.properties");
    String text = Files.readString(entry, StandardCharsets.ISO_8859_1);
    Files.writeString(entry, text.replaceAll("(?m)^id=.*$", "id=2"), StandardCharsets.ISO_8859_1);
    CliRun r = sign("app", "good");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(r.err())
        .contains("names id 2, which on this device is partition other", "no credential was sent");
    // The other partition counted no failure: all ten tries are still there (no lockout after more
    // wrong ones).
    CliRun listed = ok("partition", "list", "--json");
    assertThat(listed.out()).contains("\"name\":\"other\"");
    assertThat(listed.out().replace(" ", "")).doesNotContain("\"locked\":true");
    Files.writeString(entry, text, StandardCharsets.ISO_8859_1);
    assertThat(sign("app", "good").exitCode()).isZero();
  }

  @Test
  void wrapForImportRefusesInputThatIsNotAPrivateKeyAndBlamesTheRightFile() throws Exception {
    Path unwrap = home.resolve("unwrap.pem");
    ok(
        "key",
        "unwrapping-key",
        "--partition",
        "app",
        "--pem",
        "--out",
        unwrap.toString(),
        "--pin-file",
        PinFiles.of(PIN));
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    var pair = g.generateKeyPair();
    KeyPairGenerator ed = KeyPairGenerator.getInstance("Ed25519");
    byte[] pk8 = pair.getPrivate().getEncoded();
    Object[][] cases = {
      {new byte[0], "(--in) is empty"},
      {
        "-----BEGIN PRIVATE KEY-----\n!!!not base64!!!\n-----END PRIVATE KEY-----\n".getBytes(),
        "not valid base64"
      },
      {
        Pem.encode("PRIVATE KEY", Arrays.copyOf(pk8, pk8.length / 2)).getBytes(),
        "not a PKCS#8 EC, RSA, ML-DSA or ML-KEM"
      },
      {Pem.encode("PUBLIC KEY", pair.getPublic().getEncoded()).getBytes(), "found 'PUBLIC KEY'"},
      {
        Pem.encode("PRIVATE KEY", ed.generateKeyPair().getPrivate().getEncoded()).getBytes(),
        "Ed25519"
      },
      {"sixteen raw byte".getBytes(), "not a PKCS#8 EC, RSA, ML-DSA or ML-KEM"},
    };
    for (Object[] c : cases) {
      Path in = home.resolve("in");
      Files.write(in, (byte[]) c[0]);
      Path out = home.resolve("wrapped");
      Files.deleteIfExists(out);
      CliRun r =
          ihsm(
              "key",
              "wrap-for-import",
              "--unwrapping-key",
              unwrap.toString(),
              "--in",
              in.toString(),
              "--out",
              out.toString());
      assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.FAILED);
      assertThat(r.err()).contains((String) c[1]).doesNotContain("unwrap.pem is not");
      assertThat(out).as("nothing is written for refused input").doesNotExist();
    }
    Path raw = home.resolve("aes.bin");
    Files.write(raw, new byte[32]);
    ok(
        "key",
        "wrap-for-import",
        "--unwrapping-key",
        unwrap.toString(),
        "--in",
        raw.toString(),
        "--out",
        home.resolve("aes.wrapped").toString(),
        "--raw");
    Path good = home.resolve("good.pem");
    Files.writeString(good, Pem.encode("PRIVATE KEY", pk8));
    ok(
        "key",
        "wrap-for-import",
        "--unwrapping-key",
        unwrap.toString(),
        "--in",
        good.toString(),
        "--out",
        home.resolve("ec.wrapped").toString());
  }

  @Test
  void aLockedOutCryptoOfficerIsRecoveredOnlyFromTheStateDirectoryAndEverythingIsDestroyed()
      throws Exception {
    // Ten wrong Crypto Officer PINs (each command is a new power-on, so no throttle) lock it.
    Path credential = Files.list(home.resolve("crypto-officer")).findFirst().orElseThrow();
    String good = Files.readString(credential, StandardCharsets.ISO_8859_1);
    Files.writeString(
        credential,
        good.replaceAll("(?m)^pin=.*$", "pin=0000000000000000"),
        StandardCharsets.ISO_8859_1);
    for (int i = 0; i < 10; i++) {
      assertThat(ihsm("partition", "list").err())
          .containsAnyOf("AUTHENTICATION_FAILED", "PIN_THROTTLED");
    }
    Files.writeString(credential, good, StandardCharsets.ISO_8859_1);
    assertThat(ihsm("partition", "list").err()).contains("CREDENTIAL_LOCKED");

    assertThat(ihsm("device", "recover").exitCode())
        .as("the confirmation is required")
        .isEqualTo(ExitCodes.USAGE);
    CliRun recovered = ok("device", "recover", "--destroy-all-keys");
    assertThat(recovered.out())
        .contains("every partition and key is destroyed", "ihsm device init");
    assertThat(credential).as("the old credential is gone").doesNotExist();
    // The embedded device makes a new Crypto Officer on first use; the partitions are gone.
    CliRun list = ok("partition", "list");
    assertThat(list.out()).doesNotContain("provisioned");
    assertThat(sign("app", "good").exitCode()).isEqualTo(ExitCodes.FAILED);
  }

  @Test
  void aCryptoOfficerWhoseCredentialCannotBeSavedIsNeverCreated() throws Exception {
    Path fresh = home.resolve("fresh");
    Files.createDirectories(fresh);
    Files.writeString(
        fresh.resolve("crypto-officer"), "a file where the credentials' folder should be");
    CliRun r = CliRun.inHome(fresh, "partition", "create", "first", "--pin-file", PinFiles.of(PIN));
    assertThat(r.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(r.err()).contains("cannot be saved", "no Crypto Officer was created");
    // The device has no Crypto Officer: once the folder can be made, the first use creates one.
    Files.delete(fresh.resolve("crypto-officer"));
    CliRun.okInHome(fresh, "partition", "create", "first", "--pin-file", PinFiles.of(PIN));
  }

  @Test
  void aSerialThatIsNotASerialNeverBecomesAPath() {
    for (String serial :
        new String[] {"../../../etc/x", "IHSM-0123/../../x", "", "ihsm-0123456789abcdef"}) {
      assertThatThrownBy(() -> CryptoOfficerFile.path(home, serial))
          .isInstanceOf(CliFailure.class)
          .hasMessageContaining("malformed serial");
    }
    assertThat(CryptoOfficerFile.path(home, "IHSM-0123456789ABCDEF"))
        .isEqualTo(home.resolve("crypto-officer/IHSM-0123456789ABCDEF.credential"));
  }
}
