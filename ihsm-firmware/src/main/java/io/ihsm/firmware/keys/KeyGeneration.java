package io.ihsm.firmware.keys;

import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.key.GenerateKeyRequest;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.firmware.crypto.CryptoEngine;
import io.ihsm.firmware.rng.RandomSource;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.Arrays;
import java.util.stream.Collectors;
import javax.crypto.KEM;

/**
 * Makes keys inside the device, from the module's random source, and checks every new key pair with
 * a pairwise consistency test (sign and verify) before it is stored or returned.
 */
public final class KeyGeneration {
  private final CryptoEngine engine;
  private final RandomSource random;

  public KeyGeneration(CryptoEngine engine, RandomSource random) {
    this.engine = engine;
    this.random = random;
  }

  static void checkUsage(KeyKind kind, KeyUsage usage) throws DdiException {
    if (!kind.usages().contains(usage)) {
      throw new DdiException(
          Status.INVALID_PARAMETER,
          kind.textName()
              + " keys cannot have usage "
              + usage.textName()
              + "; "
              + kind.textName()
              + " keys are "
              + kind.usages().stream()
                  .sorted()
                  .map(KeyUsage::textName)
                  .collect(Collectors.joining(" or ")));
    }
  }

  /**
   * A length other than the kind's own: only HMAC keys take one, from 112 bits (SP 800-131A) to
   * 1024.
   */
  static void checkLength(KeyKind kind, int length) throws DdiException {
    if (length == 0 || length == kind.bytes() && kind.family() != KeyKind.Family.HMAC) {
      return;
    }
    if (kind.family() != KeyKind.Family.HMAC) {
      throw new DdiException(
          Status.INVALID_PARAMETER,
          kind.textName()
              + " keys are "
              + kind.bytes()
              + " bytes; only HMAC"
              + " keys take another length");
    }
    if (length < GenerateKeyRequest.MIN_HMAC_BYTES || length > GenerateKeyRequest.MAX_HMAC_BYTES) {
      throw new DdiException(
          Status.INVALID_PARAMETER,
          "an HMAC key is "
              + GenerateKeyRequest.MIN_HMAC_BYTES
              + " to "
              + GenerateKeyRequest.MAX_HMAC_BYTES
              + " bytes (112 to 1024 bits), got "
              + length);
    }
  }

  KeyMaterial generate(KeyKind kind) throws DdiException {
    return generate(kind, 0);
  }

  KeyMaterial generate(KeyKind kind, int length) throws DdiException {
    return switch (kind.family()) {
      case AES -> KeyMaterial.symmetric(kind, random.bytes(kind.bytes()));
      case HMAC -> KeyMaterial.symmetric(kind, random.bytes(length == 0 ? kind.bytes() : length));
      case AES_XTS -> KeyMaterial.symmetric(kind, xtsKey());
      case EC ->
          KeyMaterial.asymmetric(
              kind, consistent(pair("EC", new ECGenParameterSpec(kind.curve())), kind));
      case RSA ->
          KeyMaterial.asymmetric(
              kind,
              consistent(
                  pair(
                      "RSA",
                      new RSAKeyGenParameterSpec(kind.bytes() * 8, RSAKeyGenParameterSpec.F4)),
                  kind));
      case ML_DSA, ML_KEM ->
          KeyMaterial.asymmetric(
              kind,
              consistent(
                  pair(kind.keyAlgorithm(), new NamedParameterSpec(kind.parameterSet())), kind));
      case SECRET ->
          throw new DdiException(
              Status.INVALID_PARAMETER, "secret keys are only derived, not generated");
    };
  }

  /** XTS needs two different halves (IEEE 1619); equal halves are drawn again. */
  private byte[] xtsKey() {
    while (true) {
      byte[] k = random.bytes(64);
      if (!MessageDigest.isEqual(Arrays.copyOf(k, 32), Arrays.copyOfRange(k, 32, 64))) {
        return k;
      }
    }
  }

  private KeyPair pair(String algorithm, AlgorithmParameterSpec spec) {
    try {
      KeyPairGenerator g = engine.keyPairGenerator(algorithm);
      g.initialize(spec, random.secureRandom());
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("key generation failed", e);
    }
  }

  /** The pairwise consistency test: the private key signs, the public key verifies. */
  KeyPair consistent(KeyPair pair, KeyKind kind) throws DdiException {
    if (!pairwiseConsistent(engine, pair, kind)) {
      throw new DdiException(
          Status.PAIRWISE_TEST_FAILED, "the new key failed its pairwise consistency test");
    }
    return pair;
  }

  static boolean pairwiseConsistent(CryptoEngine engine, KeyPair pair, KeyKind kind) {
    if (kind.family() == KeyKind.Family.ML_KEM) {
      return kemConsistent(engine, pair);
    }
    String alg =
        switch (kind.family()) {
          case EC -> "SHA256withECDSA";
          case ML_DSA -> "ML-DSA";
          default -> "SHA256withRSA";
        };
    byte[] probe = "ihsm pairwise consistency test".getBytes();
    try {
      Signature s = engine.signature(alg);
      s.initSign(pair.getPrivate());
      s.update(probe);
      byte[] sig = s.sign();
      Signature v = engine.signature(alg);
      v.initVerify(pair.getPublic());
      v.update(probe);
      return v.verify(sig);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /** ML-KEM's pairwise test (FIPS 203 §7.1 / IG 10.3.A): encapsulate, decapsulate, compare. */
  private static boolean kemConsistent(CryptoEngine engine, KeyPair pair) {
    try {
      KEM kem = engine.kem("ML-KEM");
      KEM.Encapsulated e = kem.newEncapsulator(pair.getPublic()).encapsulate();
      byte[] sent = e.key().getEncoded();
      byte[] got =
          kem.newDecapsulator(pair.getPrivate()).decapsulate(e.encapsulation()).getEncoded();
      try {
        return MessageDigest.isEqual(sent, got);
      } finally {
        Arrays.fill(sent, (byte) 0);
        Arrays.fill(got, (byte) 0);
      }
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }
}
