package io.ihsm.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyState;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.ddi.testing.ExternalCommand;
import io.ihsm.sdk.DeviceAddress;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.KeyImport;
import io.ihsm.sdk.PartitionClient;
import io.ihsm.sdk.store.HostKeyStore;
import java.nio.file.Path;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * OpenSC's pkcs11-tool against the module, on a device out of approved-only mode: its tests sign
 * SHA-1 DigestInfos and use ECDSA with SHA-1, which approved-only mode refuses (ModuleTest shows
 * the refusals). Then every mechanism family end to end from C, and a key brought in with
 * CKM_RSA_AES_KEY_WRAP.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpenScTest {
  @TempDir static Path dir;
  static Pkcs11Daemon d;

  @BeforeAll
  static void daemon() throws Exception {
    d = Pkcs11Daemon.start(dir, false);
  }

  @AfterAll
  static void stop() throws Exception {
    d.close();
  }

  @Test
  @Order(1)
  void pkcs11ToolMakesSingleUsageKeyPairsInsideTheHsm() throws Exception {
    ExternalCommand.Result sign =
        d.tool(
            "--keypairgen",
            "--key-type",
            "rsa:2048",
            "--id",
            "01",
            "--label",
            "rsa-sign",
            "--usage-sign");
    assertThat(sign.exitCode()).as(sign.output()).isZero();
    assertThat(sign.output())
        .contains("Usage:      sign", "sensitive, always sensitive, never extractable, local");
    // One key, one name everywhere: the partition label is the CKA_LABEL pkcs11-tool gave.
    assertThat(HostKeyStore.at(d.home).key(Pkcs11Daemon.PARTITION, "rsa-sign")).isPresent();
    ExternalCommand.Result again =
        d.tool(
            "--keypairgen",
            "--key-type",
            "EC:prime256v1",
            "--id",
            "03",
            "--label",
            "rsa-sign",
            "--usage-sign");
    assertThat(again.exitCode())
        .as("a second key with the same CKA_LABEL gets a partition label of its own")
        .isZero();
    ExternalCommand.Result decrypt =
        d.tool(
            "--keypairgen",
            "--key-type",
            "rsa:2048",
            "--id",
            "02",
            "--label",
            "rsa-decrypt",
            "--usage-decrypt");
    assertThat(decrypt.exitCode()).as(decrypt.output()).isZero();
    // pkcs11-tool's default asks for sign and decrypt on one key: a partition key has one usage.
    ExternalCommand.Result both =
        d.tool("--keypairgen", "--key-type", "rsa:2048", "--id", "09", "--label", "both");
    assertThat(both.exitCode()).isNotZero();
    assertThat(both.output()).contains("CKR_TEMPLATE_INCONSISTENT");
  }

  @Test
  @Order(2)
  void pkcs11ToolTestPassesIncludingOaepWithALabel() throws Exception {
    ExternalCommand.Result r = d.tool("--test");
    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output())
        .contains(
            "No errors",
            "all 4 signature functions seem to work",
            "RSA-PKCS: OK",
            "SHA256-RSA-PKCS: OK",
            "encoding parameter (Label) present, length 3",
            "all 4 digest functions seem to work");
    assertThat(r.output().lines().filter(l -> l.strip().equals("OK")).count())
        .as("both OAEP decryptions (with and without the label) succeed")
        .isEqualTo(2);
  }

  @Test
  @Order(3)
  void pkcs11ToolTestEcPasses() throws Exception {
    ExternalCommand.Result r =
        d.tool(
            "--session-rw",
            "--test-ec",
            "--key-type",
            "EC:secp256r1",
            "--id",
            "03",
            "--usage-sign");
    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output()).contains("*** Doing a signature ***", "==> OK");
  }

  @Test
  @Order(4)
  void aForkedChildInitializesAgain() throws Exception {
    ExternalCommand.Result r = d.tool("--test-fork");
    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output()).contains("Calling C_Initialize in forked child process");
  }

  @Test
  @Order(5)
  void everyMechanismFamilyWorksEndToEnd() throws Exception {
    ExternalCommand.Result r =
        d.run(
            ModuleTest.program(), Pkcs11Daemon.module().toString(), "mechanisms", Pkcs11Daemon.PIN);
    assertThat(r.output())
        .doesNotContain("FAIL")
        .contains(
            "all passed",
            "ok both sides derive the same AES key (ECDH, HKDF)",
            "ok both sides derive the same AES key (ECDH, SP 800-108)",
            "ok AES key wrap with padding: the unwrapped key is the wrapped one",
            "ok RSA-AES: the unwrapped key is the wrapped one",
            "ok GCM round trip",
            "ok OAEP round trip with a label",
            "ok PSS verify",
            "ok PSS over a digest verifies over the message",
            "ok HMAC verify a changed tag",
            "ok the 20-byte key says 20 bytes",
            "ok HMAC sign with the 20-byte key",
            "ok a 13-byte HMAC key",
            "ok SHA-384(abc) is the FIPS 180-2 example",
            "ok the new PIN does",
            "ok ECB enciphers each block alone",
            "ok ECB of a block is CBC of it under a zero IV",
            "ok CTR's first keystream block is ECB of the counter block",
            "ok CTR of two blocks would wrap it",
            "ok the CMAC tag is the one built from ECB blocks",
            "ok CMAC_GENERAL gives the tag's first 12 bytes",
            "ok CMAC verify a 12-byte tag",
            "ok ECB with the MAC key");
    assertThat(r.exitCode()).isZero();
  }

  @Test
  @Order(6)
  void aKeyWrappedByTheHostComesInWithRsaAesKeyWrap() throws Exception {
    byte[] key =
        HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    byte[] unwrappingKey;
    try (IhsmClient hsm = IhsmClient.connect(DeviceAddress.daemon(d.socketDir));
        PartitionClient p =
            PartitionClient.open(
                hsm, HostKeyStore.at(d.home), Pkcs11Daemon.PARTITION, Pkcs11Daemon.PIN)) {
      unwrappingKey = p.unwrappingKey();
    }
    String wrapped = HexFormat.of().formatHex(KeyImport.wrapForImport(unwrappingKey, key));
    ExternalCommand.Result r =
        d.run(
            ModuleTest.program(),
            Pkcs11Daemon.module().toString(),
            "import",
            Pkcs11Daemon.PIN,
            wrapped);
    assertThat(r.output()).doesNotContain("FAIL").contains("ok RSA-AES unwrap of changed bytes");
    Cipher cbc = Cipher.getInstance("AES/CBC/NoPadding");
    cbc.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(new byte[16]));
    String expected = HexFormat.of().formatHex(cbc.doFinal("sixteen byte msg".getBytes()));
    assertThat(r.output())
        .as("the imported key encrypts as the host's key does")
        .contains("block " + expected);
  }

  @Test
  @Order(7)
  void aRotatedKeysOlderVersionIsAnObjectOfItsOwnUntilItIsDestroyed() throws Exception {
    try (IhsmClient hsm = IhsmClient.connect(DeviceAddress.daemon(d.socketDir));
        PartitionClient p =
            PartitionClient.open(
                hsm, HostKeyStore.at(d.home), Pkcs11Daemon.PARTITION, Pkcs11Daemon.PIN)) {
      p.generate("versioned", KeyKind.AES_256, KeyUsage.ENCRYPT, false);
      p.rotate("versioned");
    }
    ExternalCommand.Result list = d.tool("--list-objects", "--type", "secrkey");
    assertThat(list.exitCode()).as(list.output()).isZero();
    assertThat(list.output()).contains("label:      versioned\n", "label:      versioned#1\n");

    try (IhsmClient hsm = IhsmClient.connect(DeviceAddress.daemon(d.socketDir));
        PartitionClient p =
            PartitionClient.open(
                hsm, HostKeyStore.at(d.home), Pkcs11Daemon.PARTITION, Pkcs11Daemon.PIN)) {
      p.setState("versioned#1", KeyState.DESTROYED, null);
    }
    ExternalCommand.Result after = d.tool("--list-objects", "--type", "secrkey");
    assertThat(after.output())
        .as("a destroyed version has no material to show")
        .contains("label:      versioned\n")
        .doesNotContain("versioned#1");
  }
}
