package io.ihsm.sdk;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;

/**
 * The host half of bringing your own key (PKCS#11's CKM_RSA_AES_KEY_WRAP): a one-time AES-256 key
 * wraps the key material with AES-KWP, and the partition's RSA unwrapping key wraps that AES key
 * with RSA-OAEP (SHA-256, MGF1-SHA-256, no label). Output: the OAEP block, then the KWP block. Key
 * material is PKCS#8 DER for EC and RSA private keys, raw bytes for AES, HMAC and secrets. Only the
 * JDK is used, so a key owner can run this anywhere.
 */
public final class KeyImport {
  private static final SecureRandom RANDOM = new SecureRandom();

  private KeyImport() {}

  /**
   * @param unwrappingKey the partition's unwrapping key, SubjectPublicKeyInfo DER
   */
  public static byte[] wrapForImport(byte[] unwrappingKey, byte[] keyMaterial) {
    byte[] aes = new byte[32];
    RANDOM.nextBytes(aes);
    try {
      PublicKey rsa =
          KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(unwrappingKey));
      Cipher oaep = Cipher.getInstance("RSA/ECB/OAEPPadding");
      oaep.init(
          Cipher.ENCRYPT_MODE,
          rsa,
          new OAEPParameterSpec(
              "SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT),
          RANDOM);
      byte[] head = oaep.doFinal(aes);
      Cipher kwp = Cipher.getInstance("AES/KWP/NoPadding");
      kwp.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(aes, "AES"));
      byte[] tail = kwp.doFinal(keyMaterial);
      byte[] out = Arrays.copyOf(head, head.length + tail.length);
      System.arraycopy(tail, 0, out, head.length, tail.length);
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "cannot wrap for import: " + e.getClass().getSimpleName(), e);
    } finally {
      Arrays.fill(aes, (byte) 0);
    }
  }
}
