package io.ihsm.jca;

import io.ihsm.ddi.key.GenerateKeyRequest;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.sdk.IhsmException;
import io.ihsm.sdk.store.HostKeyStore.StoredKey;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidParameterException;
import java.security.KeyPair;
import java.security.KeyPairGeneratorSpi;
import java.security.SecureRandom;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.Locale;
import javax.crypto.KeyGeneratorSpi;
import javax.crypto.SecretKey;

/**
 * Key pair and secret key generation inside the HSM. A new key is an app key of the partition,
 * filed under a provisional label {@code jca-<hex>} until {@code KeyStore.setKeyEntry} files it
 * under its alias. Usage and extractability come from an {@link IhsmKeyGenParameterSpec}.
 */
final class HsmKeyGenerators {
  private HsmKeyGenerators() {}

  static StoredKey generate(Hsm hsm, KeyKind kind, KeyUsage usage, boolean extractable) {
    return generate(hsm, kind, usage, extractable, 0);
  }

  static StoredKey generate(
      Hsm hsm, KeyKind kind, KeyUsage usage, boolean extractable, int lengthBytes) {
    try {
      return hsm.partition()
          .generate(hsm.provisionalLabel(), kind, usage, extractable, lengthBytes);
    } catch (IhsmException e) {
      throw Failures.provider(e);
    }
  }

  /**
   * EC (P-256, P-384, P-521; default P-256) and RSA (2048, 3072, 4096; default 3072; e = 65537).
   */
  static final class Pairs extends KeyPairGeneratorSpi {
    private final Hsm hsm;
    private final boolean ec;
    private KeyKind kind;
    private KeyUsage usage = KeyUsage.SIGN;
    private boolean extractable;

    Pairs(Hsm hsm, boolean ec) {
      this.hsm = hsm;
      this.ec = ec;
      this.kind = ec ? KeyKind.EC_P256 : KeyKind.RSA_3072;
    }

    @Override
    public void initialize(int keysize, SecureRandom random) {
      kind = bySize(keysize);
      if (kind == null) {
        throw new InvalidParameterException(
            ec
                ? "IHSM makes EC keys of 256, 384 or 521 bits"
                : "IHSM makes RSA keys of 2048, 3072 or 4096 bits");
      }
    }

    private KeyKind bySize(int bits) {
      return switch (bits) {
        case 256 -> ec ? KeyKind.EC_P256 : null;
        case 384 -> ec ? KeyKind.EC_P384 : null;
        case 521 -> ec ? KeyKind.EC_P521 : null;
        case 2048 -> ec ? null : KeyKind.RSA_2048;
        case 3072 -> ec ? null : KeyKind.RSA_3072;
        case 4096 -> ec ? null : KeyKind.RSA_4096;
        default -> null;
      };
    }

    @Override
    public void initialize(AlgorithmParameterSpec params, SecureRandom random)
        throws InvalidAlgorithmParameterException {
      AlgorithmParameterSpec spec = params;
      if (params instanceof IhsmKeyGenParameterSpec h) {
        usage = h.usage();
        extractable = h.extractable();
        spec = h.keySpec();
        if (spec == null) {
          KeyKind k = bySize(h.keyBits());
          if (h.keyBits() != 0 && k == null) {
            throw new InvalidAlgorithmParameterException(
                "no " + (ec ? "EC" : "RSA") + " key of " + h.keyBits() + " bits");
          }
          kind = k != null ? k : kind;
          return;
        }
      }
      kind =
          switch (spec) {
            case ECGenParameterSpec e when ec ->
                switch (e.getName().toLowerCase(Locale.ROOT)) {
                  case "secp256r1", "p-256", "nist p-256", "prime256v1" -> KeyKind.EC_P256;
                  case "secp384r1", "p-384", "nist p-384" -> KeyKind.EC_P384;
                  case "secp521r1", "p-521", "nist p-521" -> KeyKind.EC_P521;
                  default ->
                      throw new InvalidAlgorithmParameterException(
                          "IHSM offers P-256, P-384 and P-521, not " + e.getName());
                };
            case RSAKeyGenParameterSpec r when !ec -> {
              if (!RSAKeyGenParameterSpec.F4.equals(r.getPublicExponent())
                  || bySize(r.getKeysize()) == null) {
                throw new InvalidAlgorithmParameterException(
                    "IHSM makes RSA keys of 2048, 3072 or 4096 bits with e = 65537");
              }
              yield bySize(r.getKeysize());
            }
            default ->
                throw new InvalidAlgorithmParameterException(
                    "unsupported parameters for an " + (ec ? "EC" : "RSA") + " key: " + spec);
          };
    }

    @Override
    public KeyPair generateKeyPair() {
      StoredKey k = generate(hsm, kind, usage, extractable);
      IhsmPrivateKey key = (IhsmPrivateKey) hsm.key(k);
      return new KeyPair(key.publicKey(), key);
    }
  }

  /**
   * ML-DSA-44/65/87 (FIPS 204; usage sign) or ML-KEM-512/768/1024 (FIPS 203; usage derive, to
   * decapsulate), made inside the HSM; the middle parameter set unless another is named, or the one
   * the algorithm's name fixes ({@code "ML-DSA-87"}).
   */
  static final class PostQuantumPairs extends KeyPairGeneratorSpi {
    private final Hsm hsm;
    private final KeyKind.Family family;
    private final KeyUsage usage;
    private final boolean fixed;
    private KeyKind kind;
    private boolean extractable;

    /**
     * @param only the parameter set the algorithm's name fixes, or null
     */
    PostQuantumPairs(Hsm hsm, KeyKind.Family family, KeyKind only) {
      this.hsm = hsm;
      this.family = family;
      this.usage = family == KeyKind.Family.ML_DSA ? KeyUsage.SIGN : KeyUsage.DERIVE;
      this.fixed = only != null;
      this.kind =
          only != null
              ? only
              : family == KeyKind.Family.ML_DSA ? KeyKind.ML_DSA_65 : KeyKind.ML_KEM_768;
    }

    @Override
    public void initialize(int keysize, SecureRandom random) {
      throw new InvalidParameterException(
          "ML-DSA and ML-KEM keys have a parameter set, not a size: give a NamedParameterSpec");
    }

    @Override
    public void initialize(AlgorithmParameterSpec params, SecureRandom random)
        throws InvalidAlgorithmParameterException {
      AlgorithmParameterSpec spec = params;
      if (params instanceof IhsmKeyGenParameterSpec h) {
        if (h.usage() != usage) {
          throw new InvalidAlgorithmParameterException(
              kind.textName() + " keys are of usage " + usage.textName());
        }
        extractable = h.extractable();
        spec = h.keySpec();
        if (spec == null) {
          return;
        }
      }
      if (!(spec instanceof java.security.spec.NamedParameterSpec named)) {
        throw new InvalidAlgorithmParameterException("give a NamedParameterSpec");
      }
      KeyKind asked =
          KeyKind.ofParameterSet(named.getName())
              .filter(k -> k.family() == family)
              .orElseThrow(
                  () ->
                      new InvalidAlgorithmParameterException(
                          "no " + family + " parameter set " + named.getName()));
      if (fixed && asked != kind) {
        throw new InvalidAlgorithmParameterException(
            "this generator makes " + kind.parameterSet() + " keys, not " + asked.parameterSet());
      }
      kind = asked;
    }

    @Override
    public KeyPair generateKeyPair() {
      StoredKey k = generate(hsm, kind, usage, extractable);
      IhsmPrivateKey key = (IhsmPrivateKey) hsm.key(k);
      return new KeyPair(key.publicKey(), key);
    }
  }

  /** AES (128, 192, 256; default 256; usage encrypt) and HmacSHA256/384/512 (usage sign). */
  static final class Secrets extends KeyGeneratorSpi {
    private final Hsm hsm;
    private final KeyKind.Family family;
    private KeyKind kind;
    private KeyUsage usage;
    private boolean extractable;

    /** An HMAC key's length in bytes when not its hash's size (0: the kind's size). */
    private int lengthBytes;

    Secrets(Hsm hsm, KeyKind kind) {
      this.hsm = hsm;
      this.family = kind.family();
      this.kind = kind;
      this.usage = family == KeyKind.Family.AES ? KeyUsage.ENCRYPT : KeyUsage.SIGN;
    }

    @Override
    protected void engineInit(SecureRandom random) {
      // the HSM's own DRBG makes the key
    }

    @Override
    protected void engineInit(int keysize, SecureRandom random) {
      if (family == KeyKind.Family.HMAC) {
        // Any length from 112 bits (SP 800-131A) to 1024, in whole bytes.
        if (keysize % 8 != 0
            || keysize < GenerateKeyRequest.MIN_HMAC_BYTES * 8
            || keysize > GenerateKeyRequest.MAX_HMAC_BYTES * 8) {
          throw new InvalidParameterException(
              "HMAC keys are 112 to 1024 bits, in whole bytes; got " + keysize);
        }
        lengthBytes = keysize / 8;
        return;
      }
      KeyKind k =
          family != KeyKind.Family.AES
              ? (keysize == kind.bytes() * 8 ? kind : null)
              : switch (keysize) {
                case 128 -> KeyKind.AES_128;
                case 192 -> KeyKind.AES_192;
                case 256 -> KeyKind.AES_256;
                default -> null;
              };
      if (k == null) {
        throw new InvalidParameterException(
            family == KeyKind.Family.AES
                ? "AES keys are 128, 192 or 256 bits"
                : kind.textName() + " keys are " + kind.bytes() * 8 + " bits");
      }
      kind = k;
    }

    @Override
    protected void engineInit(AlgorithmParameterSpec params, SecureRandom random)
        throws InvalidAlgorithmParameterException {
      if (!(params instanceof IhsmKeyGenParameterSpec h) || h.keySpec() != null) {
        throw new InvalidAlgorithmParameterException(
            "secret keys take an IhsmKeyGenParameterSpec with keyBits");
      }
      if (h.keyBits() != 0) {
        try {
          engineInit(h.keyBits(), random);
        } catch (InvalidParameterException e) {
          throw new InvalidAlgorithmParameterException(e.getMessage());
        }
      }
      usage = h.usage();
      extractable = h.extractable();
    }

    @Override
    protected SecretKey engineGenerateKey() {
      return (SecretKey) hsm.key(generate(hsm, kind, usage, extractable, lengthBytes));
    }
  }
}
