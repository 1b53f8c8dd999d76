package io.ihsm.firmware.crypto;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import java.security.Provider;
import java.security.Security;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Chooses the engine: AWS-LC through ACCP where its native library loads, else the JDK's providers.
 */
public final class CryptoEngines {
  private CryptoEngines() {}

  /** ACCP first; the JDK serves what ACCP does not offer. */
  public static CryptoEngine best() {
    return accp().orElseGet(CryptoEngines::jdk);
  }

  /** The JDK's own providers, in the JVM's preference order. */
  public static CryptoEngine jdk() {
    return new ProviderEngine("JDK", jdkProviders());
  }

  /** ACCP when its native library loaded and passed its self-tests; empty otherwise. */
  public static Optional<CryptoEngine> accp() {
    try {
      AmazonCorrettoCryptoProvider accp = AmazonCorrettoCryptoProvider.INSTANCE;
      if (accp.getLoadingError() != null) {
        return Optional.empty();
      }
      accp.assertHealthy();
      List<Provider> providers = new ArrayList<>();
      providers.add(accp);
      providers.addAll(jdkProviders());
      // ML-DSA and ML-KEM come from the JDK in both engines: ACCP 2.5's ML-DSA private keys encode
      // in a PKCS#8 form the JDK does not read (nor ACCP the JDK's), and a masked key must read
      // back with the provider that signs with it.
      return Optional.of(
          new ProviderEngine(
              "ACCP " + accp.getVersionStr() + " (AWS-LC)",
              providers,
              (p, algorithm) -> p == accp && algorithm.startsWith("ML-")));
    } catch (RuntimeException | LinkageError e) {
      return Optional.empty();
    }
  }

  private static List<Provider> jdkProviders() {
    return List.of(Security.getProviders());
  }
}
