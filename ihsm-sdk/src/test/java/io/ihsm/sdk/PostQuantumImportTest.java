package io.ihsm.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ihsm.ddi.Status;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.ddi.message.PartitionLimits;
import io.ihsm.sdk.signature.MlDsaParameters;
import io.ihsm.sdk.store.HostKeyStore;
import io.ihsm.sdk.store.HostKeyStore.StoredKey;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.NamedParameterSpec;
import javax.crypto.KEM;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bringing your own ML-DSA and ML-KEM keys: the JDK's PKCS#8 (which carries the seed) wrapped for
 * the device, imported, and used; the device makes the public key again from the seed, and the
 * pairwise test shows the private key belongs to it.
 */
class PostQuantumImportTest {
  static final byte[] MESSAGE = "signed with a key brought in".getBytes();

  @TempDir Path home;

  @Test
  void anImportedMlDsaKeySignsWhatItsOwnPublicKeyVerifiesAndAnMlKemKeyDecapsulates()
      throws Exception {
    HostKeyStore store = HostKeyStore.at(home);
    try (IhsmClient hsm = IhsmClient.connect(DeviceAddress.embedded(home))) {
      PartitionClientTest.setUp(hsm, store, new PartitionLimits(0, 0, 0, 0, 2));
      try (PartitionClient app = PartitionClient.open(hsm, store, "app", PartitionClientTest.PIN)) {
        byte[] unwrapping = app.unwrappingKey();

        KeyPairGenerator dsa = KeyPairGenerator.getInstance("ML-DSA");
        dsa.initialize(NamedParameterSpec.ML_DSA_65);
        KeyPair mine = dsa.generateKeyPair();
        StoredKey imported =
            app.importKey(
                "brought",
                KeyKind.ML_DSA_65,
                KeyUsage.SIGN,
                false,
                KeyImport.wrapForImport(unwrapping, mine.getPrivate().getEncoded()));
        assertThat(imported.publicKey()).isEqualTo(mine.getPublic().getEncoded());
        byte[] sig = app.sign("brought", MlDsaParameters.create(), MESSAGE);
        Signature jdk = Signature.getInstance("ML-DSA");
        jdk.initVerify(mine.getPublic());
        jdk.update(MESSAGE);
        assertThat(jdk.verify(sig)).isTrue();

        KeyPairGenerator kem = KeyPairGenerator.getInstance("ML-KEM");
        kem.initialize(NamedParameterSpec.ML_KEM_512);
        KeyPair receiver = kem.generateKeyPair();
        app.importKey(
            "receiver",
            KeyKind.ML_KEM_512,
            KeyUsage.DERIVE,
            false,
            KeyImport.wrapForImport(unwrapping, receiver.getPrivate().getEncoded()));
        KEM.Encapsulated sent =
            KEM.getInstance("ML-KEM").newEncapsulator(receiver.getPublic()).encapsulate();
        app.decapsulate(
            "receiver", sent.encapsulation(), "shared", KeyKind.HMAC_SHA256, KeyUsage.SIGN, false);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(sent.key().getEncoded(), "HmacSHA256"));
        assertThat(app.sign("shared", io.ihsm.sdk.signature.HmacParameters.create(), MESSAGE))
            .isEqualTo(mac.doFinal(MESSAGE));

        // Another parameter set than the key's, or a key of another family, is refused.
        assertThatThrownBy(
                () ->
                    app.importKey(
                        "wrong-set",
                        KeyKind.ML_DSA_87,
                        KeyUsage.SIGN,
                        false,
                        KeyImport.wrapForImport(unwrapping, mine.getPrivate().getEncoded())))
            .isInstanceOfSatisfying(
                IhsmException.class,
                e -> assertThat(e.status()).isEqualTo(Status.INVALID_KEY_MATERIAL));
        assertThat(app.keys()).extracting(StoredKey::label).doesNotContain("wrong-set");
      }
    }
  }
}
