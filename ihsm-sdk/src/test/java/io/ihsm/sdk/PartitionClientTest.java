package io.ihsm.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ihsm.ddi.Status;
import io.ihsm.ddi.credential.Credential;
import io.ihsm.ddi.key.Algorithm;
import io.ihsm.ddi.key.Encrypted;
import io.ihsm.ddi.key.HashAlgorithm;
import io.ihsm.ddi.key.KeyAttributes;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.ddi.key.Operation;
import io.ihsm.ddi.message.PartitionLimits;
import io.ihsm.device.Device;
import io.ihsm.device.DeviceConfig;
import io.ihsm.device.daemon.DeviceDaemon;
import io.ihsm.sdk.store.HostKeyStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionClientTest {
  static final String PIN = "app-pin-1234";

  @TempDir Path home;

  static Credential coCredential() {
    byte[] id = new byte[16];
    Arrays.fill(id, (byte) 7);
    return Credential.of(id, "officer-pin");
  }

  static byte[] ownerAnchor() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp384r1"));
    return g.generateKeyPair().getPublic().getEncoded();
  }

  /** A provisioned partition named "app" with the given limits, recorded in the store. */
  static HostKeyStore.PartitionEntry setUp(
      IhsmClient hsm, HostKeyStore store, PartitionLimits limits) throws Exception {
    hsm.initCryptoOfficer(coCredential());
    try (CryptoOfficerSession co = hsm.loginCryptoOfficer(coCredential())) {
      return PartitionClient.create(hsm, co, store, "app", limits, ownerAnchor(), PIN);
    }
  }

  static boolean jdkVerifies(HostKeyStore.StoredKey k, byte[] msg, byte[] sig) throws Exception {
    Signature v = Signature.getInstance("SHA256withECDSA");
    v.initVerify(
        KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(k.publicKey())));
    v.update(msg);
    return v.verify(sig);
  }

  static Operation ecdsa(byte[] msg) {
    return Operation.of(0, Algorithm.ECDSA, msg).withHash(HashAlgorithm.SHA256);
  }

  @Test
  void theOwnerSetsANewPinAfterALockoutAndTheStoreKeepsTheNewBlob() throws Exception {
    HostKeyStore store = HostKeyStore.at(home);
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp384r1"));
    KeyPair owner = g.generateKeyPair();
    try (IhsmClient hsm = IhsmClient.connect(DeviceAddress.embedded(home))) {
      hsm.initCryptoOfficer(coCredential());
      try (CryptoOfficerSession co = hsm.loginCryptoOfficer(coCredential())) {
        PartitionClient.create(
            hsm,
            co,
            store,
            "app",
            new PartitionLimits(0, 0, 0, 3, 1),
            owner.getPublic().getEncoded(),
            PIN);
      }
      for (int i = 0; i < 3; i++) {
        assertThatThrownBy(() -> PartitionClient.open(hsm, store, "app", "wrong-pin-00"))
            .isInstanceOf(IhsmException.class);
      }
      assertThatThrownBy(() -> PartitionClient.open(hsm, store, "app", PIN))
          .isInstanceOfSatisfying(
              IhsmException.class, e -> assertThat(e.status()).isEqualTo(Status.CREDENTIAL_LOCKED));
      assertThatThrownBy(
              () ->
                  PartitionClient.setPinAsOwner(
                      hsm, store, "app", g.generateKeyPair().getPrivate(), "new-pin-5678"))
          .as("another key is not the owner")
          .isInstanceOfSatisfying(
              IhsmException.class,
              e -> assertThat(e.status()).isEqualTo(Status.AUTHENTICATION_FAILED));
      PartitionClient.setPinAsOwner(hsm, store, "app", owner.getPrivate(), "new-pin-5678");
      hsm.resetEmbeddedDevice(); // the next open re-establishes from the store's blob, which must
      // be the new one
      try (PartitionClient app = PartitionClient.open(hsm, store, "app", "new-pin-5678")) {
        assertThat(app.name()).isEqualTo("app");
      }
    }
  }

  @Test
  void theOwnerReinitialisesThePartitionAndNoPinOpensItUntilTheOwnerSetsOne() throws Exception {
    HostKeyStore store = HostKeyStore.at(home);
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp384r1"));
    KeyPair owner = g.generateKeyPair();
    try (IhsmClient hsm = IhsmClient.connect(DeviceAddress.embedded(home))) {
      hsm.initCryptoOfficer(coCredential());
      try (CryptoOfficerSession co = hsm.loginCryptoOfficer(coCredential())) {
        PartitionClient.create(
            hsm, co, store, "app", PartitionLimits.DEFAULTS, owner.getPublic().getEncoded(), PIN);
      }
      try (PartitionClient app = PartitionClient.open(hsm, store, "app", PIN)) {
        app.generate("old", KeyKind.EC_P256, KeyUsage.SIGN, false);
      }
      assertThatThrownBy(
              () ->
                  PartitionClient.reinitializeAsOwner(
                      hsm, store, "app", g.generateKeyPair().getPrivate()))
          .as("another key is not the owner")
          .isInstanceOfSatisfying(
              IhsmException.class,
              e -> assertThat(e.status()).isEqualTo(Status.AUTHENTICATION_FAILED));
      assertThat(store.keys("app")).as("a refused request changes nothing").hasSize(1);

      PartitionClient.reinitializeAsOwner(hsm, store, "app", owner.getPrivate());
      assertThat(store.keys("app")).isEmpty();
      assertThat(store.partition("app").orElseThrow().userPinSet()).isFalse();
      assertThatThrownBy(() -> PartitionClient.open(hsm, store, "app", PIN))
          .isInstanceOfSatisfying(
              IhsmException.class,
              e ->
                  assertThat(e.getMessage())
                      .contains("re-initialised by its owner", "nothing was sent"));
      PartitionClient.setPinAsOwner(hsm, store, "app", owner.getPrivate(), "new-pin-2468");
      assertThat(store.partition("app").orElseThrow().userPinSet()).isTrue();
      hsm.resetEmbeddedDevice(); // the store's blob must be the newest
      try (PartitionClient app = PartitionClient.open(hsm, store, "app", "new-pin-2468")) {
        assertThat(app.keys()).isEmpty();
        assertThat(app.hasKey("old")).isFalse();
      }
    }
  }

  @Test
  void createProvisionGenerateAndSignOnTheEmbeddedDevice() throws Exception {
    HostKeyStore store = HostKeyStore.at(home);
    try (IhsmClient hsm = IhsmClient.connect(DeviceAddress.embedded(home))) {
      setUp(hsm, store, PartitionLimits.DEFAULTS);
      try (PartitionClient app = PartitionClient.open(hsm, store, "app", PIN)) {
        HostKeyStore.StoredKey k = app.generate("signer", KeyKind.EC_P256, KeyUsage.SIGN, false);
        byte[] sig = app.sign("signer", ecdsa("hello".getBytes()));
        assertThat(jdkVerifies(k, "hello".getBytes(), sig)).isTrue();
        assertThat(app.keys()).extracting(HostKeyStore.StoredKey::label).containsExactly("signer");
        assertThatThrownBy(() -> app.generate("signer", KeyKind.AES_256, KeyUsage.ENCRYPT, false))
            .isInstanceOfSatisfying(
                IhsmException.class, e -> assertThat(e.status()).isEqualTo(Status.LABEL_EXISTS));
      }
    }
    assertThat(Files.exists(home.resolve("partitions/app/keys/signer.key"))).isTrue();
  }

  @Test
  void aesEcbCtrAndCmacGiveThePublishedAnswersForAnImportedKey() throws Exception {
    HexFormat hex = HexFormat.of();
    byte[] key = hex.parseHex("2b7e151628aed2a6abf7158809cf4f3c"); // SP 800-38A and RFC 4493's key
    byte[] plain = hex.parseHex("6bc1bee22e409f96e93d7e117393172a");
    HostKeyStore store = HostKeyStore.at(home);
    try (IhsmClient hsm = IhsmClient.connect(DeviceAddress.embedded(home))) {
      setUp(hsm, store, PartitionLimits.DEFAULTS);
      try (PartitionClient app = PartitionClient.open(hsm, store, "app", PIN)) {
        app.importKey(
            "enc",
            KeyKind.AES_128,
            KeyUsage.ENCRYPT,
            false,
            KeyImport.wrapForImport(app.unwrappingKey(), key));
        app.importKey(
            "mac",
            KeyKind.AES_128,
            KeyUsage.SIGN,
            false,
            KeyImport.wrapForImport(app.unwrappingKey(), key));
        assertThat(
                hex.formatHex(
                    app.encrypt("enc", Operation.of(0, Algorithm.AES_ECB, plain)).ciphertext()))
            .as("SP 800-38A F.1.1")
            .isEqualTo("3ad77bb40d7a3660a89ecaf32466ef97");
        Encrypted ctr =
            app.encrypt(
                "enc",
                Operation.of(0, Algorithm.AES_CTR, plain)
                    .withIv(hex.parseHex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff")));
        assertThat(hex.formatHex(ctr.ciphertext()))
            .as("SP 800-38A F.5.1")
            .isEqualTo("874d6191b620e3261bef6864990db6ce");
        assertThat(hex.formatHex(app.sign("mac", Operation.of(0, Algorithm.AES_CMAC, plain))))
            .as("RFC 4493 example 2")
            .isEqualTo("070a16b46b4d4144f79bdd9dd04a287c");
        assertThat(
                app.verify(
                    "mac",
                    Operation.of(0, Algorithm.AES_CMAC, plain)
                        .withSignature(hex.parseHex("070a16b46b4d4144"))))
            .as("a tag truncated to 8 bytes")
            .isTrue();
        assertThatThrownBy(() -> app.sign("enc", Operation.of(0, Algorithm.AES_CMAC, plain)))
            .isInstanceOfSatisfying(
                IhsmException.class,
                e -> assertThat(e.status()).isEqualTo(Status.USAGE_NOT_PERMITTED));
      }
    }
  }

  @Test
  void clientsSharingAKeySurviveEachOtherUnloadingItWithoutLeakingSessions() throws Exception {
    HostKeyStore store = HostKeyStore.at(home);
    try (IhsmClient hsm = IhsmClient.connect(DeviceAddress.embedded(home))) {
      setUp(hsm, store, new PartitionLimits(3, 16, 16384, 10, 100, 900));
      try (PartitionClient b = PartitionClient.open(hsm, store, "app", PIN)) {
        HostKeyStore.StoredKey k = b.generate("shared", KeyKind.EC_P256, KeyUsage.SIGN, false);
        for (int round = 0; round < 5; round++) {
          try (PartitionClient a = PartitionClient.open(hsm, store, "app", PIN)) {
            assertThat(jdkVerifies(k, "a".getBytes(), a.sign("shared", ecdsa("a".getBytes()))))
                .isTrue();
          } // a unloads the key it loaded: the handle b holds too
          assertThat(jdkVerifies(k, "b".getBytes(), b.sign("shared", ecdsa("b".getBytes()))))
              .as("round " + round)
              .isTrue();
        }
      }
    }
  }

  @Test
  void theServiceIndicatorReportsEachCallOfThisThread() throws Exception {
    HostKeyStore store = HostKeyStore.at(home);
    try (IhsmClient hsm = IhsmClient.connect(DeviceAddress.embedded(home))) {
      setUp(hsm, store, PartitionLimits.DEFAULTS);
      try (PartitionClient app = PartitionClient.open(hsm, store, "app", PIN)) {
        app.generate("signer", KeyKind.EC_P256, KeyUsage.SIGN, false);
        Operation sha1 =
            Operation.of(0, Algorithm.ECDSA, "m".getBytes()).withHash(HashAlgorithm.SHA1);
        app.sign("signer", ecdsa("m".getBytes()));
        assertThat(ServiceIndicator.lastCallApproved()).isTrue();
        assertThatThrownBy(() -> app.sign("signer", sha1))
            .isInstanceOfSatisfying(
                IhsmException.class, e -> assertThat(e.status()).isEqualTo(Status.NOT_APPROVED));
        assertThat(ServiceIndicator.lastCallApproved())
            .as("a refused call is not approved")
            .isFalse();
        try (CryptoOfficerSession co = hsm.loginCryptoOfficer(coCredential())) {
          co.setApprovedMode(false);
        }
        app.sign("signer", sha1);
        assertThat(ServiceIndicator.lastCallApproved())
            .as("SHA-1 served outside approved-only mode")
            .isFalse();
        app.sign("signer", ecdsa("m".getBytes()));
        assertThat(ServiceIndicator.lastCallApproved()).isTrue();
        // The indicator is per thread: another thread has made no call.
        boolean[] elsewhere = {true};
        Thread t = new Thread(() -> elsewhere[0] = ServiceIndicator.lastCallApproved());
        t.start();
        t.join();
        assertThat(elsewhere[0]).isFalse();
      }
    }
  }

  @Test
  void aWrongPinIsRefusedWithoutRevealingWhichPartWasWrong() throws Exception {
    HostKeyStore store = HostKeyStore.at(home);
    try (IhsmClient hsm = IhsmClient.connect(DeviceAddress.embedded(home))) {
      setUp(hsm, store, PartitionLimits.DEFAULTS);
      assertThatThrownBy(() -> PartitionClient.open(hsm, store, "app", "wrong-pin"))
          .isInstanceOfSatisfying(
              IhsmException.class,
              e -> assertThat(e.status()).isEqualTo(Status.AUTHENTICATION_FAILED));
    }
  }

  @Test
  void theDeviceIsACacheAndTheApplicationSeesEveryKey() throws Exception {
    HostKeyStore store = HostKeyStore.at(home);
    try (IhsmClient hsm = IhsmClient.connect(DeviceAddress.embedded(home))) {
      HostKeyStore.PartitionEntry e = setUp(hsm, store, new PartitionLimits(0, 2, 0, 0, 0));
      try (PartitionClient app = PartitionClient.open(hsm, store, "app", PIN)) {
        for (int i = 0; i < 5; i++) {
          app.generate("k" + i, KeyKind.EC_P256, KeyUsage.SIGN, false);
        }
        for (int round = 0; round < 2; round++) {
          for (int i = 4; i >= 0; i--) {
            byte[] sig = app.sign("k" + i, ecdsa(new byte[] {(byte) i}));
            assertThat(jdkVerifies(app.key("k" + i), new byte[] {(byte) i}, sig)).isTrue();
          }
        }
      }
      // The low-level API shows the device-level status the client hides.
      try (PartitionConnection p = hsm.partition(e.id());
          HsmSession s = p.openSession(Credential.of(e.credentialId(), PIN))) {
        s.generateKey(new KeyAttributes(KeyKind.AES_128, KeyUsage.ENCRYPT, true, false, ""));
        s.generateKey(new KeyAttributes(KeyKind.AES_128, KeyUsage.ENCRYPT, true, false, ""));
        assertThatThrownBy(
                () ->
                    s.generateKey(
                        new KeyAttributes(KeyKind.AES_128, KeyUsage.ENCRYPT, true, false, "")))
            .isInstanceOfSatisfying(
                IhsmException.class,
                ex -> assertThat(ex.status()).isEqualTo(Status.KEY_TABLE_FULL));
      }
    }
  }

  @Test
  void afterAResetTheClientRecoversAndOldSessionsNeedRenegotiation() throws Exception {
    HostKeyStore store = HostKeyStore.at(home);
    try (IhsmClient hsm = IhsmClient.connect(DeviceAddress.embedded(home))) {
      HostKeyStore.PartitionEntry e = setUp(hsm, store, PartitionLimits.DEFAULTS);
      try (PartitionClient app = PartitionClient.open(hsm, store, "app", PIN);
          PartitionConnection raw = hsm.partition(e.id())) {
        app.generate("aes", KeyKind.AES_256, KeyUsage.ENCRYPT, false);
        Encrypted ct = app.encrypt("aes", Operation.of(0, Algorithm.AES_GCM, "before".getBytes()));
        HsmSession old = raw.openSession(Credential.of(e.credentialId(), PIN));

        hsm.resetEmbeddedDevice();

        assertThatThrownBy(
                () ->
                    old.generateKey(
                        new KeyAttributes(KeyKind.AES_128, KeyUsage.ENCRYPT, true, false, "")))
            .isInstanceOfSatisfying(
                IhsmException.class,
                ex -> assertThat(ex.status()).isEqualTo(Status.NEEDS_RENEGOTIATION));
        byte[] pt =
            app.decrypt("aes", Operation.of(0, Algorithm.AES_GCM, ct.ciphertext()).withIv(ct.iv()));
        assertThat(pt).isEqualTo("before".getBytes());
      }
    }
  }

  @Test
  void keysStillWorkAfterTheDaemonRestarts() throws Exception {
    Path sock = home.resolve("sock");
    HostKeyStore store = HostKeyStore.at(home);
    Device device = Device.powerOn(DeviceConfig.of(home.resolve("state")));
    DeviceDaemon daemon = DeviceDaemon.start(device, sock);
    try (IhsmClient hsm = IhsmClient.connect(DeviceAddress.daemon(sock))) {
      setUp(hsm, store, PartitionLimits.DEFAULTS);
      try (PartitionClient app = PartitionClient.open(hsm, store, "app", PIN)) {
        HostKeyStore.StoredKey k = app.generate("signer", KeyKind.EC_P384, KeyUsage.SIGN, false);
        app.sign("signer", ecdsa("before".getBytes()));

        daemon.close();
        device.close();
        device = Device.powerOn(DeviceConfig.of(home.resolve("state")));
        daemon = DeviceDaemon.start(device, sock);

        byte[] sig =
            app.sign(
                "signer",
                Operation.of(0, Algorithm.ECDSA, "after".getBytes())
                    .withHash(HashAlgorithm.SHA384));
        Signature v = Signature.getInstance("SHA384withECDSA");
        v.initVerify(
            KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(k.publicKey())));
        v.update("after".getBytes());
        assertThat(v.verify(sig)).isTrue();
      }
    } finally {
      daemon.close();
      device.close();
    }
  }

  @Test
  void aFailedProvisioningLeavesNoPartitionBehind() throws Exception {
    HostKeyStore store = HostKeyStore.at(home);
    try (IhsmClient hsm = IhsmClient.connect(DeviceAddress.embedded(home))) {
      hsm.initCryptoOfficer(coCredential());
      try (CryptoOfficerSession co = hsm.loginCryptoOfficer(coCredential())) {
        assertThatThrownBy(
                () ->
                    PartitionClient.create(
                        hsm, co, store, "app", PartitionLimits.DEFAULTS, new byte[10], PIN))
            .isInstanceOfSatisfying(
                IhsmException.class,
                e -> assertThat(e.status()).isEqualTo(Status.INVALID_PARAMETER));
        assertThat(co.listPartitions()).isEmpty();
        assertThat(store.partitions()).isEmpty();
      }
    }
  }
}
