package io.ihsm.jca;

import io.ihsm.ddi.key.DeriveKeyRequest;
import io.ihsm.ddi.key.HashAlgorithm;
import io.ihsm.ddi.key.KeyAttributes;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.sdk.IhsmException;
import java.io.ByteArrayOutputStream;
import java.security.InvalidAlgorithmParameterException;
import java.security.NoSuchAlgorithmException;
import java.security.spec.AlgorithmParameterSpec;
import java.util.Locale;
import javax.crypto.KDFParameters;
import javax.crypto.KDFSpi;
import javax.crypto.SecretKey;
import javax.crypto.spec.HKDFParameterSpec;

/**
 * HKDF (RFC 5869) inside the HSM, through the JDK's KDF API: extract-then-expand from one HSM
 * secret key (kind secret or HMAC, usage derive: an ECDH secret, say) into a new HSM key, AES
 * (usage encrypt) or HMAC (usage sign). Salt and info are public inputs, given in the clear.
 * Derived bytes never leave the HSM, so {@code deriveData} refuses.
 */
final class HsmHkdf extends KDFSpi {
  private final Hsm hsm;
  private final HashAlgorithm hash;

  HsmHkdf(Hsm hsm, HashAlgorithm hash, KDFParameters params)
      throws InvalidAlgorithmParameterException {
    super(params);
    if (params != null) {
      throw new InvalidAlgorithmParameterException("HKDF takes no KDF parameters");
    }
    this.hsm = hsm;
    this.hash = hash;
  }

  @Override
  protected KDFParameters engineGetParameters() {
    return null;
  }

  @Override
  protected SecretKey engineDeriveKey(String algorithm, AlgorithmParameterSpec spec)
      throws InvalidAlgorithmParameterException, NoSuchAlgorithmException {
    if (!(spec instanceof HKDFParameterSpec.ExtractThenExpand e)
        || e.ikms().size() != 1
        || !(e.ikms().getFirst() instanceof IhsmSecretKey ikm)) {
      throw new InvalidAlgorithmParameterException(
          "IHSM HKDF takes extract-then-expand from one IHSM secret key");
    }
    KeyRef base = ikm.ref;
    if (base.hsm != hsm || base.usage != KeyUsage.DERIVE) {
      throw new InvalidAlgorithmParameterException(
          "the input key must be this provider's, with usage derive");
    }
    KeyKind kind = kindOf(algorithm, e.length());
    ByteArrayOutputStream salt = new ByteArrayOutputStream();
    for (SecretKey s : e.salts()) {
      if (s.getEncoded() == null) {
        throw new InvalidAlgorithmParameterException(
            "an HKDF salt is public bytes, not an HSM key");
      }
      salt.writeBytes(s.getEncoded());
    }
    KeyUsage usage = kind.family() == KeyKind.Family.AES ? KeyUsage.ENCRYPT : KeyUsage.SIGN;
    KeyAttributes attrs = new KeyAttributes(kind, usage, false, false, hsm.provisionalLabel());
    try {
      return (SecretKey)
          hsm.key(
              hsm.partition()
                  .derive(
                      base.label(),
                      new DeriveKeyRequest(
                          0,
                          DeriveKeyRequest.Method.HKDF,
                          hash,
                          new byte[0],
                          salt.toByteArray(),
                          e.info(),
                          0,
                          attrs)));
    } catch (IhsmException ex) {
      throw new InvalidAlgorithmParameterException(
          "IHSM refused HKDF: " + ex.getMessage() + " [" + ex.status() + "]");
    }
  }

  private static KeyKind kindOf(String algorithm, int length) throws NoSuchAlgorithmException {
    KeyKind kind =
        switch (algorithm.toUpperCase(Locale.ROOT)) {
          case "AES" ->
              switch (length) {
                case 16 -> KeyKind.AES_128;
                case 24 -> KeyKind.AES_192;
                case 32 -> KeyKind.AES_256;
                default -> null;
              };
          case "HMACSHA256" -> KeyKind.HMAC_SHA256;
          case "HMACSHA384" -> KeyKind.HMAC_SHA384;
          case "HMACSHA512" -> KeyKind.HMAC_SHA512;
          default ->
              throw new NoSuchAlgorithmException(
                  "IHSM HKDF derives AES and HMAC keys, not " + algorithm);
        };
    if (kind == null || kind.bytes() != length) {
      throw new NoSuchAlgorithmException(
          "an " + algorithm + " key of " + length + " bytes is not one IHSM holds");
    }
    return kind;
  }

  @Override
  protected byte[] engineDeriveData(AlgorithmParameterSpec spec)
      throws InvalidAlgorithmParameterException {
    throw new InvalidAlgorithmParameterException("derived secrets stay in the HSM: use deriveKey");
  }
}
