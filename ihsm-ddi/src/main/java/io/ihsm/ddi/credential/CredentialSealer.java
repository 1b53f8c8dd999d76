package io.ihsm.ddi.credential;

import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.message.CredentialChannel;
import io.ihsm.ddi.message.SealedCredential;
import io.ihsm.ddi.spi.Port;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.KDF;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.HKDFParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The host half of the credential channel: seals a credential to the device's channel key and the
 * port's current nonce, so it crosses the socket encrypted and cannot be replayed (the device
 * rotates the nonce after every use). Uses only the JDK.
 *
 * <pre>
 * shared = ECDH-P384(host ephemeral private key, device channel public key)
 * key    = HKDF-SHA384(ikm = shared, salt = nonce, info = "ihsm credential channel v1", L = 32)
 * aad    = "ihsm-credential-v1" || u16 opcode || u32 port || nonce || host public key (SPKI)
 * sealed = AES-256-GCM(key, random 96-bit IV, aad, id || u8 len(PIN) || PIN)
 * </pre>
 */
public final class CredentialSealer {
  public static final String HKDF_INFO = "ihsm credential channel v1";
  public static final String AAD_LABEL = "ihsm-credential-v1";

  private static final SecureRandom RANDOM = new SecureRandom();

  private CredentialSealer() {}

  /** The associated data both sides bind a sealed credential to. */
  public static byte[] associatedData(Opcode op, Port port, byte[] nonce, byte[] hostPublicKey) {
    byte[] label = AAD_LABEL.getBytes(StandardCharsets.US_ASCII);
    return ByteBuffer.allocate(label.length + 2 + 4 + nonce.length + hostPublicKey.length)
        .put(label)
        .putShort((short) op.code())
        .putInt(port.partitionId())
        .put(nonce)
        .put(hostPublicKey)
        .array();
  }

  /** Seals {@code credential} for one {@code op} request on {@code port}. */
  public static SealedCredential seal(
      CredentialChannel channel, Opcode op, Port port, Credential credential) {
    byte[] shared = null;
    byte[] key = null;
    byte[] plaintext = credential.encode();
    try {
      PublicKey device =
          KeyFactory.getInstance("EC")
              .generatePublic(new X509EncodedKeySpec(channel.devicePublicKey()));
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp384r1"), RANDOM);
      KeyPair ephemeral = g.generateKeyPair();
      KeyAgreement ka = KeyAgreement.getInstance("ECDH");
      ka.init(ephemeral.getPrivate());
      ka.doPhase(device, true);
      shared = ka.generateSecret();
      key =
          KDF.getInstance("HKDF-SHA384")
              .deriveData(
                  HKDFParameterSpec.ofExtract()
                      .addIKM(shared)
                      .addSalt(channel.nonce())
                      .thenExpand(HKDF_INFO.getBytes(StandardCharsets.US_ASCII), 32));
      byte[] iv = new byte[12];
      RANDOM.nextBytes(iv);
      byte[] hostPublic = ephemeral.getPublic().getEncoded();
      Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
      gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
      gcm.updateAAD(associatedData(op, port, channel.nonce(), hostPublic));
      return new SealedCredential(hostPublic, iv, gcm.doFinal(plaintext));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "cannot seal to this channel: " + e.getClass().getSimpleName(), e);
    } finally {
      Arrays.fill(plaintext, (byte) 0);
      if (shared != null) {
        Arrays.fill(shared, (byte) 0);
      }
      if (key != null) {
        Arrays.fill(key, (byte) 0);
      }
    }
  }
}
