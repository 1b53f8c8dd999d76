package io.ihsm.jca;

import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.sdk.IhsmException;
import io.ihsm.sdk.store.HostKeyStore.StoredKey;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.NoSuchProviderException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.AlgorithmParameterSpec;
import javax.crypto.DecapsulateException;
import javax.crypto.KEM;
import javax.crypto.KEMSpi;
import javax.crypto.SecretKey;

/**
 * ML-KEM (FIPS 203). Encapsulating needs only the public key: the JDK's own ML-KEM does it.
 * Decapsulating runs in the HSM with one of its ML-KEM keys and makes the whole 32-byte shared
 * secret a new key of the partition, inside: the {@code SecretKey} returned is an HSM key ({@code
 * "AES"}: AES-256 for encryption; {@code "HmacSHA256"}; {@code "Generic"}: a secret to derive
 * from), never the secret's bytes. As {@code "ML-KEM-768"} (or -512, -1024) it takes only keys of
 * that parameter set, as the JDK's does.
 */
final class HsmMlKem implements KEMSpi {
  private final Hsm hsm;

  /** The one parameter set this instance takes, or null for any. */
  private final KeyKind only;

  HsmMlKem(Hsm hsm, KeyKind only) {
    this.hsm = hsm;
    this.only = only;
  }

  @Override
  public EncapsulatorSpi engineNewEncapsulator(
      PublicKey publicKey, AlgorithmParameterSpec spec, SecureRandom random)
      throws InvalidAlgorithmParameterException, InvalidKeyException {
    if (publicKey == null || !"ML-KEM".equals(publicKey.getAlgorithm())) {
      throw new InvalidKeyException("ML-KEM encapsulates to an ML-KEM public key");
    }
    if (only != null) {
      KeyKind kind =
          publicKey.getParams() instanceof java.security.spec.NamedParameterSpec named
              ? KeyKind.ofParameterSet(named.getName()).orElse(null)
              : null;
      if (kind == null) {
        throw new InvalidKeyException("the ML-KEM public key names no known parameter set");
      }
      KeyRef.requireParameterSet(only, kind);
    }
    KEM.Encapsulator jdk;
    try {
      jdk = KEM.getInstance("ML-KEM", "SunJCE").newEncapsulator(publicKey, spec, random);
    } catch (NoSuchAlgorithmException | NoSuchProviderException e) {
      throw new InvalidKeyException("this JDK has no ML-KEM", e);
    }
    return new EncapsulatorSpi() {
      @Override
      public KEM.Encapsulated engineEncapsulate(int from, int to, String algorithm) {
        return jdk.encapsulate(from, to, algorithm);
      }

      @Override
      public int engineSecretSize() {
        return jdk.secretSize();
      }

      @Override
      public int engineEncapsulationSize() {
        return jdk.encapsulationSize();
      }
    };
  }

  @Override
  public DecapsulatorSpi engineNewDecapsulator(PrivateKey privateKey, AlgorithmParameterSpec spec)
      throws InvalidAlgorithmParameterException, InvalidKeyException {
    if (spec != null) {
      throw new InvalidAlgorithmParameterException("ML-KEM takes no parameters");
    }
    KeyRef ref = hsm.own(privateKey, KeyKind.Family.ML_KEM);
    ref.requireUsage(KeyUsage.DERIVE);
    KeyRef.requireParameterSet(only, ref.kind);
    int ciphertext = ref.kind.ciphertextBytes();
    return new DecapsulatorSpi() {
      @Override
      public SecretKey engineDecapsulate(byte[] encapsulation, int from, int to, String algorithm)
          throws DecapsulateException {
        if (from != 0 || to != 32) {
          throw new UnsupportedOperationException(
              "IHSM keeps the whole 32-byte shared secret as one key (from 0 to 32)");
        }
        KeyKind kind;
        KeyUsage usage;
        switch (algorithm) {
          case "AES" -> {
            kind = KeyKind.AES_256;
            usage = KeyUsage.ENCRYPT;
          }
          case "HmacSHA256" -> {
            kind = KeyKind.HMAC_SHA256;
            usage = KeyUsage.SIGN;
          }
          case "Generic" -> {
            kind = KeyKind.SECRET;
            usage = KeyUsage.DERIVE;
          }
          default ->
              throw new UnsupportedOperationException(
                  "IHSM makes the secret an AES, HmacSHA256 or Generic key, not " + algorithm);
        }
        try {
          StoredKey k =
              hsm.call(
                  p ->
                      p.decapsulate(
                          ref.label(), encapsulation, hsm.provisionalLabel(), kind, usage, false));
          return (SecretKey) hsm.key(k);
        } catch (IhsmException e) {
          throw new DecapsulateException(
              "IHSM refused to decapsulate: " + e.getMessage() + " [" + e.status() + "]", e);
        }
      }

      @Override
      public int engineSecretSize() {
        return 32;
      }

      @Override
      public int engineEncapsulationSize() {
        return ciphertext;
      }
    };
  }
}
