package io.ihsm.bench;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import javax.crypto.Cipher;
import javax.crypto.KEM;
import javax.crypto.KeyGenerator;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;

/**
 * A path that runs every workload through the JCA with one provider: the IHSM provider, SunPKCS11
 * over SoftHSM2, ACCP, or the JDK's defaults (a null provider). Keys come from {@link #keys}, so an
 * HSM path makes them inside and a software path makes plain ones.
 */
class JcaPath implements BenchPath {
  static final PSSParameterSpec PSS =
      new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1);
  static final OAEPParameterSpec OAEP =
      new OAEPParameterSpec(
          "SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** How a path makes its keys. */
  interface Keys {
    KeyPair pair(String algorithm, AlgorithmParameterSpec spec, boolean forEncryption)
        throws Exception;

    SecretKey secret(String algorithm, int bits) throws Exception;

    /**
     * Keys made by this provider's generators; {@code specFor} turns a pair's parameters and
     * whether it is for encryption into what the provider's generator takes.
     */
    static Keys generatedBy(
        Provider provider,
        BiFunction<AlgorithmParameterSpec, Boolean, AlgorithmParameterSpec> specFor) {
      return new Keys() {
        @Override
        public KeyPair pair(String algorithm, AlgorithmParameterSpec spec, boolean forEncryption)
            throws Exception {
          KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm, provider);
          g.initialize(specFor.apply(spec, forEncryption));
          return g.generateKeyPair();
        }

        @Override
        public SecretKey secret(String algorithm, int bits) throws Exception {
          KeyGenerator g = KeyGenerator.getInstance(algorithm, provider);
          g.init(bits);
          return g.generateKey();
        }
      };
    }
  }

  private final String name;
  private final Provider provider;
  private final Keys keys;

  /** Whether GCM encryption takes no IV (the provider chooses it), as ihsm requires. */
  private final boolean providerChoosesGcmIv;

  JcaPath(String name, Provider provider, Keys keys, boolean providerChoosesGcmIv) {
    this.name = name;
    this.provider = provider;
    this.keys = keys;
    this.providerChoosesGcmIv = providerChoosesGcmIv;
  }

  @Override
  public String name() {
    return name;
  }

  Provider provider() {
    return provider;
  }

  @Override
  public Optional<Supplier<Operation>> prepare(Workload w) throws Exception {
    byte[] data = new byte[w.dataBytes()];
    RANDOM.nextBytes(data);
    return Optional.ofNullable(
        switch (w) {
          case ECDSA_P256_SIGN, ECDSA_P384_SIGN ->
              signer(
                  keys.pair(
                          "EC",
                          new ECGenParameterSpec(
                              w == Workload.ECDSA_P256_SIGN ? "secp256r1" : "secp384r1"),
                          false)
                      .getPrivate(),
                  w == Workload.ECDSA_P256_SIGN ? "SHA256withECDSA" : "SHA384withECDSA",
                  null,
                  data);
          case ML_DSA65_SIGN -> mlDsa65(data);
          case ML_KEM768_DECAPS -> mlKem768();
          case RSA2048_PSS_SIGN, RSA3072_PSS_SIGN ->
              signer(
                  keys.pair(
                          "RSA",
                          new RSAKeyGenParameterSpec(
                              w == Workload.RSA2048_PSS_SIGN ? 2048 : 3072,
                              RSAKeyGenParameterSpec.F4),
                          false)
                      .getPrivate(),
                  "RSASSA-PSS",
                  PSS,
                  data);
          case RSA2048_OAEP_DECRYPT -> {
            KeyPair kp =
                keys.pair("RSA", new RSAKeyGenParameterSpec(2048, RSAKeyGenParameterSpec.F4), true);
            Cipher jdk = Cipher.getInstance("RSA/ECB/OAEPPadding");
            jdk.init(Cipher.ENCRYPT_MODE, kp.getPublic(), OAEP);
            byte[] ct = jdk.doFinal(data);
            yield checked(
                () -> {
                  Cipher c = cipher("RSA/ECB/OAEPPadding");
                  c.init(Cipher.DECRYPT_MODE, kp.getPrivate(), OAEP);
                  return () -> c.doFinal(ct);
                });
          }
          case AES256_GCM_64, AES256_GCM_4K, AES256_GCM_64K -> {
            SecretKey key = keys.secret("AES", 256);
            yield checked(
                () -> {
                  Cipher c = cipher("AES/GCM/NoPadding");
                  byte[] iv = new byte[12];
                  return () -> {
                    if (providerChoosesGcmIv) {
                      c.init(Cipher.ENCRYPT_MODE, key);
                    } else {
                      RANDOM.nextBytes(iv); // a fresh IV per encryption, as the HSM does for itself
                      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
                    }
                    c.doFinal(data);
                  };
                });
          }
          case HMAC_SHA256_64 -> {
            SecretKey key = keys.secret("HmacSHA256", 256);
            yield checked(
                () -> {
                  Mac m =
                      provider == null
                          ? Mac.getInstance("HmacSHA256")
                          : Mac.getInstance("HmacSHA256", provider);
                  m.init(key);
                  return () -> m.doFinal(data);
                });
          }
          case EC_P256_KEYGEN ->
              checked(
                  () -> {
                    KeyPairGenerator g =
                        provider == null
                            ? KeyPairGenerator.getInstance("EC")
                            : KeyPairGenerator.getInstance("EC", provider);
                    g.initialize(new ECGenParameterSpec("secp256r1"));
                    return g::generateKeyPair;
                  });
          case AES256_GCM_4K_BATCH, HMAC_SHA256_64_BATCH ->
              // No batch call here: the same operation, one call after another.
              prepare(w.single())
                  .map(single -> repeated(single, w.operationsPerCall()))
                  .orElse(null);
          case UNMASK_KEY, ROUNDTRIP, PKCS11_INIT, CLI_SIGN -> null;
        });
  }

  /** A maker of operations that each run {@code times} operations of another maker's. */
  static Supplier<Operation> repeated(Supplier<Operation> single, int times) {
    return () -> {
      Operation op = single.get();
      return () -> {
        for (int i = 0; i < times; i++) {
          op.run();
        }
      };
    };
  }

  private Cipher cipher(String transformation) throws Exception {
    return provider == null
        ? Cipher.getInstance(transformation)
        : Cipher.getInstance(transformation, provider);
  }

  /**
   * ML-DSA-65 where the provider offers it: the HSM's, or, for the raw engine, the JDK's (the
   * engine the firmware uses for ML-DSA; ACCP's keys do not encode as the JDK's); not offered by a
   * provider without it (SunPKCS11 over a 3.0 module).
   */
  private Supplier<Operation> mlDsa65(byte[] data) throws Exception {
    if (!offersPostQuantum("Signature", "ML-DSA")) {
      return null;
    }
    boolean accp = isAccp();
    KeyPair kp =
        accp
            ? java.security.KeyPairGenerator.getInstance("ML-DSA-65").generateKeyPair()
            : keys.pair("ML-DSA", java.security.spec.NamedParameterSpec.ML_DSA_65, false);
    if (accp) {
      return checked(
          () -> {
            Signature s = Signature.getInstance("ML-DSA");
            s.initSign(kp.getPrivate());
            return () -> {
              s.update(data);
              s.sign();
            };
          });
    }
    return signer(kp.getPrivate(), "ML-DSA", null, data);
  }

  /**
   * ML-KEM-768 decapsulation where the provider offers it; the raw engine's is the JDK's, as for
   * ML-DSA (the firmware's ML-KEM engine). The IHSM provider's decapsulation files a key per call,
   * so {@link IhsmPath} measures it one level down instead.
   */
  private Supplier<Operation> mlKem768() throws Exception {
    if (!offersPostQuantum("KEM", "ML-KEM")) {
      return null;
    }
    KeyPair kp = KeyPairGenerator.getInstance("ML-KEM-768").generateKeyPair();
    byte[] ciphertext =
        javax
            .crypto
            .KEM
            .getInstance("ML-KEM")
            .newEncapsulator(kp.getPublic())
            .encapsulate()
            .encapsulation();
    return checked(
        () -> {
          KEM.Decapsulator d = KEM.getInstance("ML-KEM").newDecapsulator(kp.getPrivate());
          return () -> d.decapsulate(ciphertext);
        });
  }

  /** ACCP: the raw engine, whose ML-DSA and ML-KEM are the JDK's (as in the firmware). */
  private boolean isAccp() {
    return provider != null && provider.getName().startsWith("Amazon");
  }

  /** Whether this path runs the ML service: the JDK's, the raw engine's (the JDK's), or its own. */
  private boolean offersPostQuantum(String type, String algorithm) {
    return provider == null || isAccp() || provider.getService(type, algorithm) != null;
  }

  private Supplier<Operation> signer(
      PrivateKey key, String algorithm, PSSParameterSpec params, byte[] data) throws Exception {
    return checked(
        () -> {
          Signature s =
              provider == null
                  ? Signature.getInstance(algorithm)
                  : Signature.getInstance(algorithm, provider);
          if (params != null) {
            s.setParameter(params);
          }
          s.initSign(key);
          return () -> {
            s.update(data);
            s.sign();
          };
        });
  }

  /**
   * A maker whose first operation has already run once, so a path that cannot do it fails while
   * preparing.
   */
  interface Maker {
    Operation make() throws Exception;
  }

  static Supplier<Operation> checked(Maker maker) throws Exception {
    maker.make().run();
    return () -> {
      try {
        return maker.make();
      } catch (Exception e) {
        throw new IllegalStateException("cannot set up an operation: " + e, e);
      }
    };
  }
}
