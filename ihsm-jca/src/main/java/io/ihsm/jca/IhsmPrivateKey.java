package io.ihsm.jca;

import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import java.math.BigInteger;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.ECParameterSpec;

/**
 * An HSM private key. Like SunPKCS11's sensitive keys it shows its public parameters (an EC key's
 * curve, an RSA key's modulus) so that TLS and other code can choose algorithms, never its secret.
 */
public abstract sealed class IhsmPrivateKey implements PrivateKey, IhsmKey {
  private static final long serialVersionUID = 1L;
  final transient KeyRef ref;
  private final transient PublicKey publicKey;

  IhsmPrivateKey(KeyRef ref, PublicKey publicKey) {
    this.ref = ref;
    this.publicKey = publicKey;
  }

  static IhsmPrivateKey of(KeyRef ref, PublicKey publicKey) {
    return switch (publicKey) {
      case ECPublicKey ec -> new Ec(ref, ec);
      case RSAPublicKey rsa -> new Rsa(ref, rsa);
      case PublicKey pq
          when ref.kind.family() == KeyKind.Family.ML_DSA
              || ref.kind.family() == KeyKind.Family.ML_KEM ->
          new PostQuantum(ref, pq);
      default ->
          throw new IllegalArgumentException(
              "no HSM private key of algorithm " + publicKey.getAlgorithm());
    };
  }

  /** The matching public key, an ordinary {@code java.security} key. */
  public PublicKey publicKey() {
    return publicKey;
  }

  @Override
  public String label() {
    return ref.label();
  }

  @Override
  public KeyKind kind() {
    return ref.kind;
  }

  @Override
  public KeyUsage usage() {
    return ref.usage;
  }

  @Override
  public String getAlgorithm() {
    return publicKey.getAlgorithm();
  }

  @Override
  public String toString() {
    return "IHSM " + ref.kind.textName() + " private key '" + label() + "'";
  }

  /** An EC private key in the HSM. */
  public static final class Ec extends IhsmPrivateKey implements ECKey {
    private static final long serialVersionUID = 1L;

    Ec(KeyRef ref, ECPublicKey publicKey) {
      super(ref, publicKey);
    }

    @Override
    public ECParameterSpec getParams() {
      return ((ECPublicKey) publicKey()).getParams();
    }
  }

  /** An RSA private key in the HSM. */
  public static final class Rsa extends IhsmPrivateKey implements RSAKey {
    private static final long serialVersionUID = 1L;

    Rsa(KeyRef ref, RSAPublicKey publicKey) {
      super(ref, publicKey);
    }

    @Override
    public BigInteger getModulus() {
      return ((RSAPublicKey) publicKey()).getModulus();
    }

    @Override
    public AlgorithmParameterSpec getParams() {
      return ((RSAPublicKey) publicKey()).getParams();
    }
  }

  /**
   * An ML-DSA or ML-KEM private key in the HSM: its parameter set ({@code NamedParameterSpec}, e.g.
   * ML-DSA-65) is public.
   */
  public static final class PostQuantum extends IhsmPrivateKey {
    private static final long serialVersionUID = 1L;

    PostQuantum(KeyRef ref, PublicKey publicKey) {
      super(ref, publicKey);
    }

    @Override
    public AlgorithmParameterSpec getParams() {
      return publicKey().getParams();
    }
  }
}
