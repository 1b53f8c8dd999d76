package io.ihsm.jca;

import io.ihsm.ddi.key.Algorithm;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.sdk.IhsmException;
import java.security.AlgorithmParameters;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.spec.AlgorithmParameterSpec;
import java.util.Locale;
import javax.crypto.Cipher;
import javax.crypto.CipherSpi;
import javax.crypto.NoSuchPaddingException;

/**
 * AES-KW (RFC 3394) and AES-KWP (RFC 5649) between HSM keys: {@code WRAP_MODE} wraps an extractable
 * HSM key under an HSM key with usage wrap; {@code UNWRAP_MODE} unwraps into a new HSM key. The key
 * never appears outside the HSM unwrapped, so these ciphers neither encrypt nor decrypt data.
 * Unwrapping makes secret keys (AES, HMAC) only.
 */
final class HsmKeyWrap extends CipherSpi {
  private final Hsm hsm;
  private final Algorithm algorithm;
  private KeyRef kek;
  private int mode;

  HsmKeyWrap(Hsm hsm, Algorithm algorithm) {
    this.hsm = hsm;
    this.algorithm = algorithm;
  }

  @Override
  protected void engineInit(int opmode, Key key, SecureRandom random) throws InvalidKeyException {
    if (opmode != Cipher.WRAP_MODE && opmode != Cipher.UNWRAP_MODE) {
      throw new UnsupportedOperationException("IHSM key wrap ciphers wrap and unwrap keys only");
    }
    KeyRef ref = hsm.own(key, KeyKind.Family.AES);
    ref.requireUsage(KeyUsage.WRAP);
    kek = ref;
    mode = opmode;
  }

  @Override
  protected void engineInit(int opmode, Key key, AlgorithmParameterSpec params, SecureRandom random)
      throws InvalidKeyException, InvalidAlgorithmParameterException {
    if (params != null) {
      throw new InvalidAlgorithmParameterException(
          "AES key wrap takes no parameters (the default IV)");
    }
    engineInit(opmode, key, random);
  }

  @Override
  protected void engineInit(int opmode, Key key, AlgorithmParameters params, SecureRandom random)
      throws InvalidKeyException, InvalidAlgorithmParameterException {
    engineInit(opmode, key, (AlgorithmParameterSpec) null, random);
  }

  @Override
  protected byte[] engineWrap(Key key) throws InvalidKeyException {
    if (mode != Cipher.WRAP_MODE) {
      throw new IllegalStateException("not initialized to wrap");
    }
    KeyRef target = hsm.own(key, KeyKind.Family.values());
    try {
      return hsm.call(p -> p.wrap(kek.label(), target.label(), algorithm));
    } catch (IhsmException e) {
      throw new InvalidKeyException(
          "IHSM did not wrap '"
              + target.label()
              + "': "
              + e.getMessage()
              + " ["
              + e.status()
              + "]");
    }
  }

  @Override
  protected Key engineUnwrap(byte[] wrapped, String keyAlgorithm, int keyType)
      throws InvalidKeyException, NoSuchAlgorithmException {
    if (mode != Cipher.UNWRAP_MODE) {
      throw new IllegalStateException("not initialized to unwrap");
    }
    if (keyType != Cipher.SECRET_KEY) {
      throw new InvalidKeyException("IHSM unwraps secret keys (AES, HMAC) with AES key wrap");
    }
    KeyKind kind = kindOf(keyAlgorithm, wrapped.length);
    KeyUsage usage = kind.family() == KeyKind.Family.AES ? KeyUsage.ENCRYPT : KeyUsage.SIGN;
    try {
      return hsm.key(
          hsm.partition()
              .unwrap(kek.label(), algorithm, hsm.provisionalLabel(), kind, usage, false, wrapped));
    } catch (IhsmException e) {
      throw new InvalidKeyException(
          "IHSM did not unwrap: " + e.getMessage() + " [" + e.status() + "]");
    }
  }

  /** The kind a wrapped secret key has: named by the algorithm, sized by the wrapped length. */
  private KeyKind kindOf(String keyAlgorithm, int wrappedLength) throws NoSuchAlgorithmException {
    // KW adds 8 bytes; so does KWP for a key of whole 8-byte blocks, which every AES key is.
    int keyBytes = wrappedLength - 8;
    return switch (keyAlgorithm.toUpperCase(Locale.ROOT)) {
      case "HMACSHA256" -> KeyKind.HMAC_SHA256;
      case "HMACSHA384" -> KeyKind.HMAC_SHA384;
      case "HMACSHA512" -> KeyKind.HMAC_SHA512;
      case "AES" ->
          switch (keyBytes) {
            case 16 -> KeyKind.AES_128;
            case 24 -> KeyKind.AES_192;
            case 32 -> KeyKind.AES_256;
            default ->
                throw new NoSuchAlgorithmException("a wrapped AES key of " + keyBytes + " bytes");
          };
      default ->
          throw new NoSuchAlgorithmException("IHSM unwraps AES and HMAC keys, not " + keyAlgorithm);
    };
  }

  @Override
  protected void engineSetMode(String m) throws NoSuchAlgorithmException {
    if (!m.equalsIgnoreCase(algorithm == Algorithm.AES_KW ? "KW" : "KWP")) {
      throw new NoSuchAlgorithmException(
          "this cipher's mode is " + (algorithm == Algorithm.AES_KW ? "KW" : "KWP"));
    }
  }

  @Override
  protected void engineSetPadding(String padding) throws NoSuchPaddingException {
    if (!padding.equalsIgnoreCase("NoPadding")) {
      throw new NoSuchPaddingException("AES key wrap takes NoPadding");
    }
  }

  @Override
  protected int engineGetBlockSize() {
    return 8;
  }

  @Override
  protected int engineGetOutputSize(int inputLen) {
    return inputLen + 16;
  }

  @Override
  protected byte[] engineGetIV() {
    return null;
  }

  @Override
  protected AlgorithmParameters engineGetParameters() {
    return null;
  }

  @Override
  protected byte[] engineUpdate(byte[] input, int offset, int len) {
    throw new IllegalStateException("IHSM key wrap ciphers wrap and unwrap keys, not data");
  }

  @Override
  protected int engineUpdate(byte[] input, int offset, int len, byte[] output, int outOffset) {
    throw new IllegalStateException("IHSM key wrap ciphers wrap and unwrap keys, not data");
  }

  @Override
  protected byte[] engineDoFinal(byte[] input, int offset, int len) {
    throw new IllegalStateException("IHSM key wrap ciphers wrap and unwrap keys, not data");
  }

  @Override
  protected int engineDoFinal(byte[] input, int offset, int len, byte[] output, int outOffset) {
    throw new IllegalStateException("IHSM key wrap ciphers wrap and unwrap keys, not data");
  }
}
