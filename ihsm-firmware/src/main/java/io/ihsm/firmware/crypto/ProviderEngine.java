package io.ihsm.firmware.crypto;

import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Provider;
import java.security.Signature;
import java.security.spec.AlgorithmParameterSpec;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;

/**
 * An engine made of JCA providers tried in order; the first that offers an algorithm serves it.
 * Providers are used as objects and never installed, so the firmware's choice does not leak into
 * the JVM it runs in.
 */
final class ProviderEngine implements CryptoEngine {
  private final String name;
  private final List<Provider> providers;
  private final Map<String, Provider> chosen = new ConcurrentHashMap<>();

  private final java.util.function.BiPredicate<Provider, String> passOver;

  ProviderEngine(String name, List<Provider> providers) {
    this(name, providers, (p, algorithm) -> false);
  }

  /** An engine that never asks a provider for the algorithms {@code passOver} names for it. */
  ProviderEngine(
      String name,
      List<Provider> providers,
      java.util.function.BiPredicate<Provider, String> passOver) {
    this.name = name;
    this.providers = List.copyOf(providers);
    this.passOver = passOver;
  }

  @Override
  public String name() {
    return name;
  }

  private interface Factory<T> {
    T get(Provider p) throws GeneralSecurityException;
  }

  /**
   * The first provider that offers the algorithm. Which one that is is remembered per type and
   * algorithm: asking providers that do not offer it again on every call costs an exception each.
   */
  private <T> T first(String type, String algorithm, Factory<T> factory) {
    String key = type + ':' + algorithm;
    Provider known = chosen.get(key);
    if (known != null) {
      try {
        return factory.get(known);
      } catch (GeneralSecurityException unexpected) {
        chosen.remove(key);
      }
    }
    for (Provider p : providers) {
      if (passOver.test(p, algorithm)) {
        continue;
      }
      try {
        T t = factory.get(p);
        chosen.put(key, p);
        return t;
      } catch (GeneralSecurityException notOffered) {
        // try the next provider
      }
    }
    throw new UnsupportedAlgorithmException(name, algorithm);
  }

  @Override
  public MessageDigest digest(String algorithm) {
    return first("MessageDigest", algorithm, p -> MessageDigest.getInstance(algorithm, p));
  }

  @Override
  public Mac mac(String algorithm) {
    return first("Mac", algorithm, p -> Mac.getInstance(algorithm, p));
  }

  @Override
  public Cipher cipher(String transformation) {
    return first("Cipher", transformation, p -> Cipher.getInstance(transformation, p));
  }

  @Override
  public Signature signature(String algorithm) {
    return first("Signature", algorithm, p -> Signature.getInstance(algorithm, p));
  }

  @Override
  public KeyAgreement keyAgreement(String algorithm) {
    return first("KeyAgreement", algorithm, p -> KeyAgreement.getInstance(algorithm, p));
  }

  @Override
  public KeyPairGenerator keyPairGenerator(String algorithm) {
    return first("KeyPairGenerator", algorithm, p -> KeyPairGenerator.getInstance(algorithm, p));
  }

  @Override
  public javax.crypto.KEM kem(String algorithm) {
    return first("KEM", algorithm, p -> javax.crypto.KEM.getInstance(algorithm, p));
  }

  @Override
  public KeyFactory keyFactory(String algorithm) {
    return first("KeyFactory", algorithm, p -> KeyFactory.getInstance(algorithm, p));
  }

  @Override
  public Cipher initCipher(String transformation, int mode, Key key, AlgorithmParameterSpec params)
      throws InvalidKeyException, InvalidAlgorithmParameterException {
    GeneralSecurityException last = null;
    for (Provider p : providers) {
      Cipher c;
      try {
        c = Cipher.getInstance(transformation, p);
      } catch (GeneralSecurityException notOffered) {
        continue;
      }
      try {
        c.init(mode, key, params);
        return c;
      } catch (InvalidKeyException | InvalidAlgorithmParameterException refused) {
        last = refused; // this provider cannot take these parameters or this key; try the next
      }
    }
    if (last instanceof InvalidKeyException k) {
      throw k;
    }
    if (last instanceof InvalidAlgorithmParameterException a) {
      throw a;
    }
    throw new UnsupportedAlgorithmException(name, transformation);
  }
}
