package io.ihsm.firmware.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.firmware.crypto.CryptoEngine;
import io.ihsm.firmware.crypto.CryptoEngines;
import io.ihsm.firmware.crypto.Engines;
import io.ihsm.firmware.rng.RandomSource;
import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAPrivateCrtKeySpec;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The pairwise consistency test on asymmetric key generation and import: a pair whose halves do not
 * belong together is refused with PAIRWISE_TEST_FAILED and never becomes key material.
 */
class PairwiseConsistencyTest {
  static RandomSource random(CryptoEngine engine) {
    Random noise = new Random(7);
    return new RandomSource(
        engine,
        n -> {
          byte[] b = new byte[n];
          noise.nextBytes(b);
          return b;
        },
        failure -> {});
  }

  static KeyPair ec() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  static KeyPair rsa() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    return g.generateKeyPair();
  }

  @Test
  void generatedPairsThatDoNotMatchAreRefusedOnEveryEngine() throws Exception {
    KeyPair ec1 = ec();
    KeyPair ec2 = ec();
    KeyPair rsa1 = rsa();
    KeyPair rsa2 = rsa();
    for (CryptoEngine engine : Engines.available()) {
      KeyGeneration generation = new KeyGeneration(engine, random(engine));
      assertThat(generation.consistent(ec1, KeyKind.EC_P256)).as(engine.name()).isSameAs(ec1);
      assertThat(generation.consistent(rsa1, KeyKind.RSA_2048)).as(engine.name()).isSameAs(rsa1);
      assertThatThrownBy(
              () ->
                  generation.consistent(
                      new KeyPair(ec2.getPublic(), ec1.getPrivate()), KeyKind.EC_P256))
          .as(engine.name())
          .isInstanceOfSatisfying(
              DdiException.class,
              e -> assertThat(e.status()).isEqualTo(Status.PAIRWISE_TEST_FAILED));
      assertThatThrownBy(
              () ->
                  generation.consistent(
                      new KeyPair(rsa2.getPublic(), rsa1.getPrivate()), KeyKind.RSA_2048))
          .as(engine.name())
          .isInstanceOfSatisfying(
              DdiException.class,
              e -> assertThat(e.status()).isEqualTo(Status.PAIRWISE_TEST_FAILED));
    }
  }

  @Test
  void anImportedRsaKeyWhosePublicHalfDoesNotMatchIsRefusedAndItsBytesWiped() throws Exception {
    RSAPrivateCrtKey k = (RSAPrivateCrtKey) rsa().getPrivate();
    // A well-formed PKCS#8 key whose public exponent is not the one its private exponent goes with.
    byte[] inconsistent =
        KeyFactory.getInstance("RSA")
            .generatePrivate(
                new RSAPrivateCrtKeySpec(
                    k.getModulus(),
                    BigInteger.valueOf(3),
                    k.getPrivateExponent(),
                    k.getPrimeP(),
                    k.getPrimeQ(),
                    k.getPrimeExponentP(),
                    k.getPrimeExponentQ(),
                    k.getCrtCoefficient()))
            .getEncoded();
    byte[] good = k.getEncoded();
    for (CryptoEngine engine : Engines.available()) {
      assertThat(KeyMaterials.of(engine, KeyKind.RSA_2048, good.clone()).kind())
          .isEqualTo(KeyKind.RSA_2048);
      byte[] bytes = inconsistent.clone();
      assertThatThrownBy(() -> KeyMaterials.of(engine, KeyKind.RSA_2048, bytes))
          .as(engine.name())
          .isInstanceOfSatisfying(
              DdiException.class,
              e ->
                  assertThat(e.status())
                      // An engine that checks the key when it parses it refuses it one step
                      // earlier.
                      .isIn(Status.PAIRWISE_TEST_FAILED, Status.INVALID_KEY_MATERIAL));
      assertThat(bytes).as("the caller's copy of the key is wiped").containsOnly(0);
    }
    byte[] bytes = inconsistent.clone();
    assertThatThrownBy(() -> KeyMaterials.of(CryptoEngines.jdk(), KeyKind.RSA_2048, bytes))
        .isInstanceOfSatisfying(
            DdiException.class, e -> assertThat(e.status()).isEqualTo(Status.PAIRWISE_TEST_FAILED));
  }
}
