package io.ihsm.firmware.crypto;

import io.ihsm.firmware.crypto.CryptoRefusal.Reason;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAKey;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import javax.crypto.AEADBadTagException;
import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.IllegalBlockSizeException;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;

/**
 * The module's ciphers, checking what the engines let through (an empty CBC ciphertext decrypts to
 * nothing on both engines; the module refuses it) and naming every refusal.
 */
public final class Ciphers {
  public static final int GCM_IV_BYTES = 12;
  public static final int GCM_TAG_BYTES = 16;
  private static final int AES_BLOCK = 16;

  private final CryptoEngine engine;

  public Ciphers(CryptoEngine engine) {
    this.engine = engine;
  }

  /** AES-GCM with a 96-bit IV and a 128-bit tag appended to the ciphertext. */
  public byte[] aesGcmEncrypt(SecretKey key, byte[] iv, byte[] aad, byte[] plaintext)
      throws CryptoRefusal {
    requireLength(iv, GCM_IV_BYTES, "GCM IV");
    return run(
        Cipher.ENCRYPT_MODE,
        "AES/GCM/NoPadding",
        key,
        new GCMParameterSpec(128, iv),
        aad,
        plaintext);
  }

  public byte[] aesGcmDecrypt(SecretKey key, byte[] iv, byte[] aad, byte[] ciphertextAndTag)
      throws CryptoRefusal {
    requireLength(iv, GCM_IV_BYTES, "GCM IV");
    if (ciphertextAndTag.length < GCM_TAG_BYTES) {
      throw new CryptoRefusal(Reason.INVALID_INPUT, "GCM input is shorter than its tag");
    }
    return run(
        Cipher.DECRYPT_MODE,
        "AES/GCM/NoPadding",
        key,
        new GCMParameterSpec(128, iv),
        aad,
        ciphertextAndTag);
  }

  /** AES-CBC; {@code pkcs7} selects PKCS#7 padding, otherwise the input must be whole blocks. */
  public byte[] aesCbcEncrypt(SecretKey key, byte[] iv, byte[] plaintext, boolean pkcs7)
      throws CryptoRefusal {
    requireLength(iv, AES_BLOCK, "CBC IV");
    if (!pkcs7 && plaintext.length % AES_BLOCK != 0) {
      throw new CryptoRefusal(
          Reason.INVALID_INPUT, "unpadded CBC input must be whole 16-byte blocks");
    }
    return run(Cipher.ENCRYPT_MODE, cbc(pkcs7), key, new IvParameterSpec(iv), null, plaintext);
  }

  public byte[] aesCbcDecrypt(SecretKey key, byte[] iv, byte[] ciphertext, boolean pkcs7)
      throws CryptoRefusal {
    requireLength(iv, AES_BLOCK, "CBC IV");
    if (ciphertext.length == 0 || ciphertext.length % AES_BLOCK != 0) {
      throw new CryptoRefusal(
          Reason.INVALID_INPUT, "CBC ciphertext must be one or more whole 16-byte blocks");
    }
    return run(Cipher.DECRYPT_MODE, cbc(pkcs7), key, new IvParameterSpec(iv), null, ciphertext);
  }

  /** AES-ECB without padding: one or more whole blocks, each enciphered on its own. */
  public byte[] aesEcb(SecretKey key, byte[] data, boolean encrypt) throws CryptoRefusal {
    if (data.length == 0 || data.length % AES_BLOCK != 0) {
      throw new CryptoRefusal(
          Reason.INVALID_INPUT, "ECB input must be one or more whole 16-byte blocks");
    }
    return run(
        encrypt ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE,
        "AES/ECB/NoPadding",
        key,
        null,
        null,
        data);
  }

  /**
   * AES-CTR (SP 800-38A 6.5) from a 16-byte initial counter block that rises as one 128-bit
   * big-endian number; encryption and decryption are the same. Any length, no padding.
   */
  public byte[] aesCtr(SecretKey key, byte[] counter, byte[] data) throws CryptoRefusal {
    requireLength(counter, AES_BLOCK, "CTR counter block");
    return run(
        Cipher.ENCRYPT_MODE, "AES/CTR/NoPadding", key, new IvParameterSpec(counter), null, data);
  }

  /** AES key wrap with padding (RFC 5649). */
  public byte[] aesKwpWrap(SecretKey kek, byte[] keyData) throws CryptoRefusal {
    if (keyData.length == 0) {
      throw new CryptoRefusal(Reason.INVALID_INPUT, "nothing to wrap");
    }
    return run(Cipher.ENCRYPT_MODE, "AES/KWP/NoPadding", kek, null, null, keyData);
  }

  public byte[] aesKwpUnwrap(SecretKey kek, byte[] wrapped) throws CryptoRefusal {
    if (wrapped.length < 16 || wrapped.length % 8 != 0) {
      throw new CryptoRefusal(
          Reason.INVALID_INPUT, "KWP input must be at least 16 bytes in 8-byte units");
    }
    return unwrap("AES/KWP/NoPadding", kek, wrapped);
  }

  /** AES key wrap without padding (RFC 3394). */
  public byte[] aesKwWrap(SecretKey kek, byte[] keyData) throws CryptoRefusal {
    if (keyData.length < 16 || keyData.length % 8 != 0) {
      throw new CryptoRefusal(
          Reason.INVALID_INPUT, "KW input must be at least 16 bytes in 8-byte units");
    }
    return run(Cipher.ENCRYPT_MODE, "AES/KW/NoPadding", kek, null, null, keyData);
  }

  public byte[] aesKwUnwrap(SecretKey kek, byte[] wrapped) throws CryptoRefusal {
    if (wrapped.length < 24 || wrapped.length % 8 != 0) {
      throw new CryptoRefusal(
          Reason.INVALID_INPUT, "KW input must be at least 24 bytes in 8-byte units");
    }
    return unwrap("AES/KW/NoPadding", kek, wrapped);
  }

  /**
   * Unwraps a length-checked input, so a failure is the integrity check: the JDK reports it as a
   * block-size error and ACCP with an unchecked exception; both become BAD_PADDING.
   */
  private byte[] unwrap(String transformation, SecretKey kek, byte[] wrapped) throws CryptoRefusal {
    try {
      return run(Cipher.DECRYPT_MODE, transformation, kek, null, null, wrapped);
    } catch (CryptoRefusal r) {
      throw new CryptoRefusal(
          Reason.BAD_PADDING, transformation + ": the wrapped key's integrity check failed");
    } catch (RuntimeException providerRefusal) {
      throw new CryptoRefusal(
          Reason.BAD_PADDING, transformation + ": the wrapped key's integrity check failed");
    }
  }

  /**
   * RSA-OAEP decryption; {@code hash} and {@code mgf1Hash} are JCA digest names, e.g. "SHA-256".
   */
  public byte[] rsaOaepDecrypt(
      PrivateKey key, String hash, String mgf1Hash, byte[] label, byte[] ciphertext)
      throws CryptoRefusal {
    if (!(key instanceof RSAKey rsa)
        || ciphertext.length != (rsa.getModulus().bitLength() + 7) / 8) {
      throw new CryptoRefusal(
          Reason.INPUT_TOO_LARGE, "OAEP ciphertext must be exactly the modulus length");
    }
    return run(
        Cipher.DECRYPT_MODE,
        "RSA/ECB/OAEPPadding",
        key,
        oaep(hash, mgf1Hash, label),
        null,
        ciphertext);
  }

  /** RSA-OAEP encryption with the public key; the message must fit (k - 2 hLen - 2 bytes). */
  public byte[] rsaOaepEncrypt(
      PublicKey key, String hash, String mgf1Hash, byte[] label, byte[] message)
      throws CryptoRefusal {
    if (!(key instanceof RSAKey rsa)) {
      throw new CryptoRefusal(Reason.INVALID_INPUT, "OAEP needs an RSA key");
    }
    int hLen = engine.digest(hash).getDigestLength();
    if (message.length > (rsa.getModulus().bitLength() + 7) / 8 - 2 * hLen - 2) {
      throw new CryptoRefusal(
          Reason.INPUT_TOO_LARGE, "the message is too long for OAEP with this key and hash");
    }
    return run(
        Cipher.ENCRYPT_MODE,
        "RSA/ECB/OAEPPadding",
        key,
        oaep(hash, mgf1Hash, label),
        null,
        message);
  }

  /**
   * No label is the standard empty label, which ACCP takes; with a label ACCP refuses and the JDK
   * serves.
   */
  private static OAEPParameterSpec oaep(String hash, String mgf1Hash, byte[] label) {
    return new OAEPParameterSpec(
        hash,
        "MGF1",
        new MGF1ParameterSpec(mgf1Hash),
        label.length == 0 ? PSource.PSpecified.DEFAULT : new PSource.PSpecified(label));
  }

  private static String cbc(boolean pkcs7) {
    return pkcs7 ? "AES/CBC/PKCS5Padding" : "AES/CBC/NoPadding";
  }

  private byte[] run(
      int mode,
      String transformation,
      Key key,
      AlgorithmParameterSpec params,
      byte[] aad,
      byte[] input)
      throws CryptoRefusal {
    try {
      Cipher c = engine.initCipher(transformation, mode, key, params);
      if (aad != null && aad.length > 0) {
        c.updateAAD(aad);
      }
      return c.doFinal(input);
    } catch (AEADBadTagException e) {
      throw new CryptoRefusal(Reason.BAD_TAG, "authentication tag does not verify");
    } catch (BadPaddingException e) {
      throw new CryptoRefusal(
          Reason.BAD_PADDING, transformation + ": padding or integrity check failed");
    } catch (IllegalBlockSizeException e) {
      throw new CryptoRefusal(Reason.INVALID_INPUT, transformation + ": input length is not valid");
    } catch (InvalidKeyException | InvalidAlgorithmParameterException e) {
      throw new CryptoRefusal(Reason.INVALID_INPUT, transformation + ": key or parameters refused");
    } catch (GeneralSecurityException e) {
      throw new CryptoRefusal(Reason.INVALID_INPUT, transformation + ": refused");
    }
  }

  private static void requireLength(byte[] b, int expected, String what) throws CryptoRefusal {
    if (b.length != expected) {
      throw new CryptoRefusal(
          Reason.INVALID_INPUT, what + " must be " + expected + " bytes, got " + b.length);
    }
  }
}
