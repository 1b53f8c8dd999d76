package io.ihsm.jca;

import io.ihsm.ddi.key.Algorithm;
import io.ihsm.ddi.key.HashAlgorithm;
import io.ihsm.ddi.key.KeyKind;
import java.security.InvalidAlgorithmParameterException;
import java.security.Key;
import java.security.Provider;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import javax.security.auth.callback.CallbackHandler;

/**
 * The IHSM provider: KeyStore, key generation, signatures, ciphers, MACs and random numbers from
 * one partition of an ihsm device. Install it with {@code Security.addProvider(new
 * IhsmProvider(config))}, or name it in {@code java.security} / to keytool as {@code -providerClass
 * io.ihsm.jca.IhsmProvider -providerArg FILE} (the no-argument instance found by {@code
 * ServiceLoader} is configured with {@link #configure(String)}, like SunPKCS11). Keys made or
 * loaded through it are HSM keys; verification and public-key encryption take any ordinary public
 * key. Usage guide: docs/jca.md.
 */
public final class IhsmProvider extends Provider {
  private static final long serialVersionUID = 1L;
  public static final String NAME = "IHSM";

  private final transient Hsm hsm;

  /**
   * Unconfigured, as {@code ServiceLoader} makes it: {@link #configure(String)} gives a usable one.
   */
  public IhsmProvider() {
    super(NAME, "0.1", "ihsm HSM provider (unconfigured: configure it with a configuration file)");
    this.hsm = null;
  }

  public IhsmProvider(IhsmConfig config) {
    this(config, null);
  }

  /**
   * @param pinCallback asked (with a {@code PasswordCallback}) for the partition PIN when it is
   *     needed
   */
  public IhsmProvider(IhsmConfig config, CallbackHandler pinCallback) {
    super(NAME, "0.1", "ihsm HSM provider, " + config);
    this.hsm = new Hsm(config, pinCallback);
    register();
  }

  /**
   * A provider configured from a configuration file's path, or {@code --} and the configuration
   * text.
   */
  @Override
  public Provider configure(String configArg) {
    return new IhsmProvider(IhsmConfig.parse(configArg));
  }

  @Override
  public boolean isConfigured() {
    return hsm != null;
  }

  Hsm hsm() {
    return hsm;
  }

  /** Closes this provider's connection and sessions (keys stay in the HSM and the key store). */
  public void close() {
    if (hsm != null) {
      hsm.close();
    }
  }

  private void register() {
    service("KeyStore", "IHSM", List.of(), any(), () -> new HsmKeyStore(hsm));
    service("SecureRandom", "DRBG", List.of("IHSM"), any(), () -> new HsmSecureRandom(hsm));
    service(
        "KeyPairGenerator",
        "EC",
        List.of("EllipticCurve"),
        any(),
        () -> new HsmKeyGenerators.Pairs(hsm, true));
    service(
        "KeyPairGenerator", "RSA", List.of(), any(), () -> new HsmKeyGenerators.Pairs(hsm, false));
    // ML-DSA and ML-KEM by family ("ML-DSA") and by parameter set ("ML-DSA-65"), as the JDK names
    // them; a parameter set's name takes only its keys.
    for (KeyKind.Family family : List.of(KeyKind.Family.ML_DSA, KeyKind.Family.ML_KEM)) {
      List<KeyKind> sets =
          java.util.Arrays.stream(KeyKind.values()).filter(k -> k.family() == family).toList();
      String name = family == KeyKind.Family.ML_DSA ? "ML-DSA" : "ML-KEM";
      String operation = family == KeyKind.Family.ML_DSA ? "Signature" : "KEM";
      List<KeyKind> each = new java.util.ArrayList<>(sets);
      each.add(0, null); // the family's name first
      for (KeyKind only : each) {
        String algorithm = only == null ? name : only.parameterSet();
        service(
            "KeyPairGenerator",
            algorithm,
            List.of(),
            any(),
            () -> new HsmKeyGenerators.PostQuantumPairs(hsm, family, only));
        service(
            operation,
            algorithm,
            List.of(),
            k -> postQuantumKey(k, family, only),
            family == KeyKind.Family.ML_DSA
                ? (Supplier<Object>) () -> new HsmMlDsaSignature(hsm, only)
                : (Supplier<Object>) () -> new HsmMlKem(hsm, only));
      }
    }
    service(
        "KeyGenerator",
        "AES",
        List.of(),
        any(),
        () -> new HsmKeyGenerators.Secrets(hsm, KeyKind.AES_256));
    for (KeyKind hmac : List.of(KeyKind.HMAC_SHA256, KeyKind.HMAC_SHA384, KeyKind.HMAC_SHA512)) {
      String name = "Hmac" + hmac.textName().substring(5).toUpperCase(Locale.ROOT);
      service(
          "KeyGenerator", name, List.of(), any(), () -> new HsmKeyGenerators.Secrets(hsm, hmac));
      service("Mac", name, List.of(), k -> k instanceof IhsmSecretKey, () -> new HsmMac(hsm, hmac));
    }
    for (HashAlgorithm h :
        List.of(HashAlgorithm.SHA256, HashAlgorithm.SHA384, HashAlgorithm.SHA512)) {
      service(
          "Signature",
          h.compactName() + "withECDSA",
          List.of(),
          ecKeys(),
          () -> new HsmSignature(hsm, Algorithm.ECDSA, h));
      service(
          "Signature",
          h.compactName() + "withECDSAinP1363Format",
          List.of(),
          ecKeys(),
          () -> new HsmSignature(hsm, Algorithm.ECDSA, h, true));
      service(
          "Signature",
          h.compactName() + "withRSA",
          List.of(),
          rsaKeys(),
          () -> new HsmSignature(hsm, Algorithm.RSA_PKCS1, h));
    }
    service(
        "Signature",
        "NONEwithECDSA",
        List.of(),
        ecKeys(),
        () -> new HsmSignature(hsm, Algorithm.ECDSA, HashAlgorithm.NONE));
    service(
        "Signature",
        "NONEwithECDSAinP1363Format",
        List.of(),
        ecKeys(),
        () -> new HsmSignature(hsm, Algorithm.ECDSA, HashAlgorithm.NONE, true));
    service(
        "Signature",
        "RSASSA-PSS",
        List.of("PSS"),
        rsaKeys(),
        () -> new HsmSignature(hsm, Algorithm.RSA_PSS, HashAlgorithm.NONE));
    service(
        "Cipher",
        "AES/GCM/NoPadding",
        List.of(),
        k -> k instanceof IhsmSecretKey,
        () -> new HsmCipher(hsm, Algorithm.AES_GCM, null));
    service(
        "Cipher",
        "AES/CBC/PKCS5Padding",
        List.of(),
        k -> k instanceof IhsmSecretKey,
        () -> new HsmCipher(hsm, Algorithm.AES_CBC_PAD, null));
    service(
        "Cipher",
        "AES/CBC/NoPadding",
        List.of(),
        k -> k instanceof IhsmSecretKey,
        () -> new HsmCipher(hsm, Algorithm.AES_CBC, null));
    service(
        "Cipher",
        "AES/CTR/NoPadding",
        List.of(),
        k -> k instanceof IhsmSecretKey,
        () -> new HsmCipher(hsm, Algorithm.AES_CTR, null));
    service(
        "Cipher",
        "AES/ECB/NoPadding",
        List.of(),
        k -> k instanceof IhsmSecretKey,
        () -> new HsmCipher(hsm, Algorithm.AES_ECB, null));
    service(
        "Mac",
        "AESCMAC",
        List.of("AES-CMAC"),
        k -> k instanceof IhsmSecretKey,
        () -> HsmMac.aesCmac(hsm));
    service(
        "Cipher",
        "RSA/ECB/OAEPPadding",
        List.of(),
        rsaKeys(),
        () -> new HsmCipher(hsm, Algorithm.RSA_OAEP, null));
    for (HashAlgorithm h :
        List.of(
            HashAlgorithm.SHA1, HashAlgorithm.SHA256, HashAlgorithm.SHA384, HashAlgorithm.SHA512)) {
      service(
          "Cipher",
          "RSA/ECB/OAEPWith" + h.jcaName() + "AndMGF1Padding",
          List.of(),
          rsaKeys(),
          () -> new HsmCipher(hsm, Algorithm.RSA_OAEP, h));
    }
    service(
        "Cipher",
        "AES/KW/NoPadding",
        List.of("AESWrap"),
        k -> k instanceof IhsmSecretKey,
        () -> new HsmKeyWrap(hsm, Algorithm.AES_KW));
    service(
        "Cipher",
        "AES/KWP/NoPadding",
        List.of("AESWrapPad"),
        k -> k instanceof IhsmSecretKey,
        () -> new HsmKeyWrap(hsm, Algorithm.AES_KWP));
    service(
        "KeyAgreement",
        "ECDH",
        List.of(),
        k -> k instanceof IhsmPrivateKey.Ec,
        () -> new HsmKeyAgreement(hsm));
    for (HashAlgorithm h :
        List.of(HashAlgorithm.SHA256, HashAlgorithm.SHA384, HashAlgorithm.SHA512)) {
      service(
          "KDF",
          "HKDF-" + h.compactName(),
          List.of(),
          k -> true,
          () -> {
            try {
              return new HsmHkdf(hsm, h, null);
            } catch (InvalidAlgorithmParameterException e) {
              throw new IllegalStateException(e);
            }
          });
    }
  }

  private static Predicate<Object> any() {
    return k -> true;
  }

  /**
   * For delayed provider selection: our own keys, and ordinary public keys to verify or encrypt
   * with.
   */
  private static Predicate<Object> ecKeys() {
    return k -> k instanceof IhsmPrivateKey.Ec || k instanceof ECPublicKey;
  }

  /**
   * An ML-DSA or ML-KEM key of the family (and of the parameter set {@code only}, when given): our
   * own private keys, and ordinary public keys to verify with or encapsulate to.
   */
  private static boolean postQuantumKey(Object k, KeyKind.Family family, KeyKind only) {
    if (k instanceof IhsmPrivateKey.PostQuantum p) {
      return only == null ? p.kind().family() == family : p.kind() == only;
    }
    if (k instanceof java.security.PublicKey pub
        && pub.getAlgorithm().equals(family == KeyKind.Family.ML_DSA ? "ML-DSA" : "ML-KEM")) {
      return only == null
          || pub.getParams() instanceof java.security.spec.NamedParameterSpec n
              && n.getName().equals(only.parameterSet());
    }
    return false;
  }

  private static Predicate<Object> rsaKeys() {
    return k -> k instanceof IhsmPrivateKey.Rsa || k instanceof RSAPublicKey;
  }

  private void service(
      String type,
      String algorithm,
      List<String> aliases,
      Predicate<Object> keys,
      Supplier<Object> factory) {
    putService(new HsmService(this, type, algorithm, aliases, keys, factory));
  }

  /** A service made by a factory (no reflection), answering for the keys it can use. */
  private static final class HsmService extends Service {
    private final Predicate<Object> keys;
    private final Supplier<Object> factory;

    HsmService(
        Provider provider,
        String type,
        String algorithm,
        List<String> aliases,
        Predicate<Object> keys,
        Supplier<Object> factory) {
      super(provider, type, algorithm, HsmService.class.getName(), aliases, Map.of());
      this.keys = keys;
      this.factory = factory;
    }

    @Override
    public Object newInstance(Object constructorParameter) {
      return factory.get();
    }

    @Override
    public boolean supportsParameter(Object parameter) {
      return parameter == null
          || (parameter instanceof Key && keys.test(parameter))
              && !(parameter instanceof PublicKey p && p.getEncoded() == null);
    }
  }
}
