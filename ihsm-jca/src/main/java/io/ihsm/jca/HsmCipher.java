package io.ihsm.jca;

import io.ihsm.ddi.key.Algorithm;
import io.ihsm.ddi.key.Encrypted;
import io.ihsm.ddi.key.HashAlgorithm;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.ddi.key.Operation;
import io.ihsm.sdk.IhsmException;
import java.security.AlgorithmParameters;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.SignatureException;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.InvalidParameterSpecException;
import java.security.spec.MGF1ParameterSpec;
import java.util.Arrays;
import java.util.Locale;
import javax.crypto.AEADBadTagException;
import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.CipherSpi;
import javax.crypto.IllegalBlockSizeException;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;

/**
 * AES-GCM, AES-CBC (with or without PKCS#5 padding), AES-CTR, AES-ECB and RSA-OAEP. The whole input
 * is sent to the HSM at {@code doFinal} (at most 128 KiB); {@code update} buffers and returns
 * nothing.
 *
 * <p>GCM IVs are chosen by the HSM (SP 800-38D: a caller-chosen IV risks reuse): encrypt without
 * parameters, then read {@code getIV()} or {@code getParameters()} after {@code doFinal}. CBC IVs
 * and CTR counter blocks are the caller's or, when none is given, drawn from the HSM's DRBG at
 * {@code init}. A GCM or CTR encryption needs a new {@code init} after its {@code doFinal}, so a
 * counter block is never used twice by accident. ECB takes no parameters. RSA-OAEP encrypts with
 * any RSA public key and decrypts with an HSM key; the named forms ({@code
 * OAEPWithSHA-256AndMGF1Padding}) use MGF1 with SHA-1, as the JDK's do.
 */
final class HsmCipher extends CipherSpi {
  private final Hsm hsm;
  private final Algorithm algorithm;
  private final HashAlgorithm namedOaepHash;
  private int mode;
  private KeyRef key;
  private RSAPublicKey publicKey;
  private byte[] iv;
  private OAEPParameterSpec oaep;
  private final WipeableBuffer input = new WipeableBuffer();
  private final WipeableBuffer aad = new WipeableBuffer();

  /**
   * @param namedOaepHash the OAEP hash a transformation names (null: OAEPPadding, set by
   *     parameters)
   */
  HsmCipher(Hsm hsm, Algorithm algorithm, HashAlgorithm namedOaepHash) {
    this.hsm = hsm;
    this.algorithm = algorithm;
    this.namedOaepHash = namedOaepHash;
  }

  @Override
  protected void engineSetMode(String m) throws NoSuchAlgorithmException {
    String expected =
        switch (algorithm) {
          case AES_GCM -> "GCM";
          case AES_CTR -> "CTR";
          case RSA_OAEP, AES_ECB -> "ECB";
          default -> "CBC";
        };
    if (!expected.equalsIgnoreCase(m)) {
      throw new NoSuchAlgorithmException("this cipher's mode is " + expected);
    }
  }

  @Override
  protected void engineSetPadding(String padding) throws NoSuchPaddingException {
    boolean ok =
        switch (algorithm) {
          case AES_CBC_PAD -> padding.equalsIgnoreCase("PKCS5Padding");
          case RSA_OAEP -> padding.toUpperCase(Locale.ROOT).startsWith("OAEP");
          default -> padding.equalsIgnoreCase("NoPadding");
        };
    if (!ok) {
      throw new NoSuchPaddingException(padding + " is not this cipher's padding");
    }
  }

  @Override
  protected int engineGetBlockSize() {
    return algorithm == Algorithm.RSA_OAEP ? 0 : 16;
  }

  @Override
  protected int engineGetOutputSize(int inputLen) {
    int total = input.size() + inputLen;
    return switch (algorithm) {
      case AES_GCM -> mode == Cipher.ENCRYPT_MODE ? total + 16 : Math.max(0, total - 16);
      case AES_CBC_PAD -> mode == Cipher.ENCRYPT_MODE ? (total / 16 + 1) * 16 : total;
      case RSA_OAEP -> 512;
      default -> total;
    };
  }

  @Override
  protected byte[] engineGetIV() {
    return iv == null ? null : iv.clone();
  }

  @Override
  protected AlgorithmParameters engineGetParameters() {
    try {
      if (algorithm == Algorithm.RSA_OAEP) {
        AlgorithmParameters p = AlgorithmParameters.getInstance("OAEP");
        p.init(oaepSpec());
        return p;
      }
      if (iv == null) {
        return null;
      }
      AlgorithmParameters p =
          AlgorithmParameters.getInstance(algorithm == Algorithm.AES_GCM ? "GCM" : "AES");
      p.init(
          algorithm == Algorithm.AES_GCM ? new GCMParameterSpec(128, iv) : new IvParameterSpec(iv));
      return p;
    } catch (NoSuchAlgorithmException | InvalidParameterSpecException e) {
      return null;
    }
  }

  @Override
  protected void engineInit(int opmode, Key k, SecureRandom random) throws InvalidKeyException {
    try {
      engineInit(opmode, k, (AlgorithmParameterSpec) null, random);
    } catch (InvalidAlgorithmParameterException e) {
      throw new InvalidKeyException(e.getMessage(), e);
    }
  }

  @Override
  protected void engineInit(int opmode, Key k, AlgorithmParameters params, SecureRandom random)
      throws InvalidKeyException, InvalidAlgorithmParameterException {
    AlgorithmParameterSpec spec = null;
    try {
      if (params != null) {
        Class<? extends AlgorithmParameterSpec> type =
            switch (algorithm) {
              case AES_GCM -> GCMParameterSpec.class;
              case RSA_OAEP -> OAEPParameterSpec.class;
              default -> IvParameterSpec.class;
            };
        spec = params.getParameterSpec(type);
      }
    } catch (InvalidParameterSpecException e) {
      throw new InvalidAlgorithmParameterException("parameters of the wrong kind for " + algorithm);
    }
    engineInit(opmode, k, spec, random);
  }

  @Override
  protected void engineInit(int opmode, Key k, AlgorithmParameterSpec params, SecureRandom random)
      throws InvalidKeyException, InvalidAlgorithmParameterException {
    if (opmode != Cipher.ENCRYPT_MODE && opmode != Cipher.DECRYPT_MODE) {
      throw new UnsupportedOperationException(
          "IHSM ciphers encrypt and decrypt; wrap keys with the HSM's own key wrapping");
    }
    input.wipe();
    aad.wipe();
    key = null;
    publicKey = null;
    iv = null;
    if (algorithm == Algorithm.RSA_OAEP) {
      initOaep(opmode, k, params);
    } else {
      key = hsm.own(k, KeyKind.Family.AES).requireUsage(KeyUsage.ENCRYPT);
      initAes(opmode, params);
    }
    mode = opmode;
  }

  private void initOaep(int opmode, Key k, AlgorithmParameterSpec params)
      throws InvalidKeyException, InvalidAlgorithmParameterException {
    if (opmode == Cipher.ENCRYPT_MODE && k instanceof RSAPublicKey rsa) {
      HsmSignature.rsaKind(rsa);
      publicKey = rsa;
    } else if (opmode == Cipher.DECRYPT_MODE) {
      key = hsm.own(k, KeyKind.Family.RSA).requireUsage(KeyUsage.ENCRYPT);
    } else {
      throw new InvalidKeyException(
          "RSA-OAEP encrypts with an RSA public key and decrypts with an IHSM RSA key");
    }
    if (params != null && !(params instanceof OAEPParameterSpec)) {
      throw new InvalidAlgorithmParameterException("RSA-OAEP takes an OAEPParameterSpec");
    }
    oaep = (OAEPParameterSpec) params;
    if (oaep != null
        && (!"MGF1".equalsIgnoreCase(oaep.getMGFAlgorithm())
            || !(oaep.getPSource() instanceof PSource.PSpecified))) {
      throw new InvalidAlgorithmParameterException("RSA-OAEP takes MGF1 and a specified label");
    }
  }

  private void initAes(int opmode, AlgorithmParameterSpec params)
      throws InvalidAlgorithmParameterException {
    if (algorithm == Algorithm.AES_GCM) {
      if (opmode == Cipher.ENCRYPT_MODE) {
        if (params != null) {
          throw new InvalidAlgorithmParameterException(
              "IHSM chooses GCM IVs itself: encrypt without parameters and"
                  + " read getIV() after doFinal");
        }
        return;
      }
      if (!(params instanceof GCMParameterSpec gcm) || gcm.getTLen() != 128) {
        throw new InvalidAlgorithmParameterException(
            "GCM decryption takes a GCMParameterSpec with a 128-bit tag");
      }
      iv = gcm.getIV();
      return;
    }
    if (algorithm == Algorithm.AES_ECB) {
      if (params != null) {
        throw new InvalidAlgorithmParameterException("ECB takes no parameters");
      }
      return;
    }
    if (params instanceof IvParameterSpec p && p.getIV().length == 16) {
      iv = p.getIV();
    } else if (params == null && opmode == Cipher.ENCRYPT_MODE) {
      iv = hsm.device().randomBytes(16);
    } else {
      String mode = algorithm == Algorithm.AES_CTR ? "CTR" : "CBC";
      throw new InvalidAlgorithmParameterException(
          mode + " takes a 16-byte IvParameterSpec (optional when encrypting)");
    }
  }

  private OAEPParameterSpec oaepSpec() {
    if (oaep != null) {
      return oaep;
    }
    HashAlgorithm h = namedOaepHash != null ? namedOaepHash : HashAlgorithm.SHA1;
    return new OAEPParameterSpec(
        h.jcaName(), "MGF1", MGF1ParameterSpec.SHA1, PSource.PSpecified.DEFAULT);
  }

  @Override
  protected void engineUpdateAAD(byte[] src, int offset, int len) {
    if (algorithm != Algorithm.AES_GCM) {
      throw new IllegalStateException("only GCM takes additional authenticated data");
    }
    aad.write(src, offset, len);
  }

  @Override
  protected byte[] engineUpdate(byte[] in, int off, int len) {
    checkInputLength(input.size() + len);
    input.write(in, off, len);
    return new byte[0];
  }

  private static void checkInputLength(int total) {
    if (total > Operation.MAX_DATA) {
      throw new IllegalStateException(
          "IHSM ciphers take at most " + Operation.MAX_DATA + " bytes per doFinal");
    }
  }

  @Override
  protected int engineUpdate(byte[] in, int off, int len, byte[] out, int outOff) {
    engineUpdate(in, off, len);
    return 0;
  }

  @Override
  protected byte[] engineDoFinal(byte[] in, int off, int len)
      throws IllegalBlockSizeException, BadPaddingException {
    if (mode == 0) {
      throw new IllegalStateException(
          "not initialized (a GCM or CTR encryption needs a new init after each doFinal)");
    }
    byte[] data;
    if (input.size() == 0 && in != null) {
      // One call with all the input: it goes into the request without passing through the buffer.
      checkInputLength(len);
      data = Arrays.copyOfRange(in, off, off + len);
    } else {
      if (in != null && len > 0) {
        engineUpdate(in, off, len);
      }
      data = input.toByteArray();
      input.wipe();
    }
    try {
      return mode == Cipher.ENCRYPT_MODE ? encrypt(data) : decrypt(data);
    } catch (IhsmException e) {
      switch (e.status()) {
        case BAD_TAG -> throw new AEADBadTagException("the GCM tag does not verify");
        case BAD_PADDING -> throw new BadPaddingException("the padding or integrity check failed");
        case INVALID_INPUT_LENGTH, INPUT_TOO_LARGE ->
            throw new IllegalBlockSizeException(e.getMessage());
        default -> throw Failures.provider(e);
      }
    } finally {
      aad.wipe();
      Arrays.fill(data, (byte) 0);
    }
  }

  private Operation operation(byte[] data) throws BadPaddingException {
    if (algorithm == Algorithm.RSA_OAEP) {
      Operation op = Operation.of(0, algorithm, data);
      OAEPParameterSpec p = oaepSpec();
      try {
        return op.withOaep(
            HsmSignature.hashOf(p.getDigestAlgorithm()),
            HsmSignature.hashOf(((MGF1ParameterSpec) p.getMGFParameters()).getDigestAlgorithm()),
            ((PSource.PSpecified) p.getPSource()).getValue());
      } catch (SignatureException e) {
        throw new BadPaddingException(e.getMessage());
      }
    }
    // One constructor call: each wither would copy the data again.
    return new Operation(
        0,
        algorithm,
        HashAlgorithm.NONE,
        HashAlgorithm.NONE,
        0,
        iv != null ? iv : new byte[0],
        algorithm == Algorithm.AES_GCM ? aad.toByteArray() : new byte[0],
        0,
        data,
        new byte[0]);
  }

  private byte[] encrypt(byte[] data) throws BadPaddingException {
    Operation op = operation(data);
    Encrypted e =
        publicKey != null
            ? hsm.call(
                p ->
                    p.encryptWith(
                        HsmSignature.rsaKindUnchecked(publicKey), publicKey.getEncoded(), op))
            : hsm.call(p -> p.encrypt(key.label(), op));
    if (algorithm == Algorithm.AES_GCM) {
      iv = e.iv(); // the HSM's: readable now with getIV()
      mode = 0; // a GCM encryption needs a fresh init, so an IV is never used twice
    } else if (algorithm == Algorithm.AES_CTR) {
      mode = 0; // likewise a CTR counter block: the same one twice gives away the XOR of two
      // plaintexts
    }
    return e.ciphertext();
  }

  private byte[] decrypt(byte[] data) throws BadPaddingException {
    Operation op = operation(data);
    return hsm.call(p -> p.decrypt(key.label(), op));
  }

  @Override
  protected int engineDoFinal(byte[] in, int off, int len, byte[] out, int outOff)
      throws ShortBufferException, IllegalBlockSizeException, BadPaddingException {
    byte[] result = engineDoFinal(in, off, len);
    if (out.length - outOff < result.length) {
      throw new ShortBufferException("the output needs " + result.length + " bytes");
    }
    System.arraycopy(result, 0, out, outOff, result.length);
    return result.length;
  }

  @Override
  protected int engineGetKeySize(Key k) throws InvalidKeyException {
    if (k instanceof IhsmKey h) {
      return h.kind().bytes() * 8;
    }
    if (k instanceof RSAPublicKey rsa) {
      return rsa.getModulus().bitLength();
    }
    throw new InvalidKeyException("not a key IHSM uses");
  }
}
