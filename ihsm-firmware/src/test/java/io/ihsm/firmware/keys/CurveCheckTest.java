package io.ihsm.firmware.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.firmware.crypto.CryptoEngine;
import io.ihsm.firmware.crypto.Engines;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.Test;

/**
 * An imported EC key is taken for the kind it claims only when it is on exactly that named curve: a
 * secp256k1 key (also 256 bits) is not P-256, on any engine, as a private or a public key.
 */
class CurveCheckTest {
  static KeyPair on(String curve) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC", new BouncyCastleProvider());
    g.initialize(new ECGenParameterSpec(curve));
    return g.generateKeyPair();
  }

  @Test
  void aSecp256k1PrivateKeyIsNotAcceptedAsP256OnAnyEngine() throws Exception {
    byte[] k1 = on("secp256k1").getPrivate().getEncoded();
    byte[] p256 = on("secp256r1").getPrivate().getEncoded();
    for (CryptoEngine engine : Engines.available()) {
      byte[] bytes = k1.clone();
      assertThatThrownBy(() -> KeyMaterials.of(engine, KeyKind.EC_P256, bytes))
          .as(engine.name())
          .isInstanceOfSatisfying(
              DdiException.class,
              e -> assertThat(e.status()).isEqualTo(Status.INVALID_KEY_MATERIAL));
      assertThat(bytes).as("the refused key's bytes are wiped").containsOnly(0);
      assertThat(KeyMaterials.of(engine, KeyKind.EC_P256, p256.clone()).kind())
          .as(engine.name())
          .isEqualTo(KeyKind.EC_P256);
      byte[] p256AsP384 = p256.clone();
      assertThatThrownBy(() -> KeyMaterials.of(engine, KeyKind.EC_P384, p256AsP384))
          .as(engine.name())
          .isInstanceOf(DdiException.class);
    }
  }

  @Test
  void aSecp256k1PublicKeyIsNotAcceptedAsP256() throws Exception {
    byte[] k1 = on("secp256k1").getPublic().getEncoded();
    for (CryptoEngine engine : Engines.available()) {
      assertThatThrownBy(() -> KeyMaterials.publicKey(engine, KeyKind.EC_P256, k1))
          .as(engine.name())
          .isInstanceOfSatisfying(
              DdiException.class,
              e ->
                  assertThat(e.status())
                      // An engine that does not know secp256k1 refuses to parse it at all.
                      .isIn(Status.INVALID_KEY_MATERIAL, Status.INVALID_PUBLIC_KEY));
    }
  }

  @Test
  void aPublicPointOffTheCurveIsRefused() throws Exception {
    byte[] spki = on("secp256r1").getPublic().getEncoded();
    byte[] bent = Arrays.copyOf(spki, spki.length);
    bent[bent.length - 1] ^= 0x01; // y no longer satisfies the curve equation
    for (CryptoEngine engine : Engines.available()) {
      assertThat(KeyMaterials.publicKey(engine, KeyKind.EC_P256, spki).kind())
          .isEqualTo(KeyKind.EC_P256);
      assertThatThrownBy(() -> KeyMaterials.publicKey(engine, KeyKind.EC_P256, bent))
          .as(engine.name())
          .isInstanceOfSatisfying(
              DdiException.class, e -> assertThat(e.status()).isEqualTo(Status.INVALID_PUBLIC_KEY));
    }
  }
}
