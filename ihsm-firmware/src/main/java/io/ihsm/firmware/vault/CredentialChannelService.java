package io.ihsm.firmware.vault;

import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.credential.Credential;
import io.ihsm.ddi.credential.CredentialSealer;
import io.ihsm.ddi.message.CredentialChannel;
import io.ihsm.ddi.message.SealedCredential;
import io.ihsm.ddi.spi.Port;
import io.ihsm.firmware.crypto.CryptoEngine;
import io.ihsm.firmware.crypto.CryptoRefusal;
import io.ihsm.firmware.crypto.Hkdf;
import io.ihsm.firmware.crypto.KeyAgreements;
import io.ihsm.firmware.rng.RandomSource;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The device half of the credential channel (see {@link CredentialSealer}): one P-384 key per
 * power-on, and per port a nonce that rotates every time a sealed credential is presented, whatever
 * the outcome, so no sealed credential opens twice. The last few nonces are remembered only to tell
 * a replay (CREDENTIAL_REPLAYED) from garbage (CREDENTIAL_MALFORMED).
 */
final class CredentialChannelService {
  private static final int REMEMBERED_NONCES = 8;

  /** A credential as opened inside the device; the caller wipes it. */
  record Opened(byte[] id, byte[] pin) {
    void wipe() {
      Arrays.fill(pin, (byte) 0);
    }
  }

  private final CryptoEngine engine;
  private final RandomSource random;
  private final KeyPair channelKey;
  private final Map<Port, byte[]> current = new HashMap<>();
  private final Map<Port, Deque<byte[]>> used = new HashMap<>();

  CredentialChannelService(CryptoEngine engine, RandomSource random) {
    this.engine = engine;
    this.random = random;
    try {
      KeyPairGenerator g = engine.keyPairGenerator("EC");
      g.initialize(new ECGenParameterSpec("secp384r1"), random.secureRandom());
      this.channelKey = g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot make the credential channel key", e);
    }
  }

  synchronized CredentialChannel channel(Port port) {
    return new CredentialChannel(channelKey.getPublic().getEncoded(), nonceOf(port));
  }

  /**
   * Opens a credential sealed for {@code op} on {@code port}; the port's nonce rotates in every
   * case.
   */
  Opened open(SealedCredential sealed, Opcode op, Port port) throws DdiException {
    byte[] nonce;
    Deque<byte[]> older;
    synchronized (this) {
      nonce = nonceOf(port);
      older = new ArrayDeque<>(used.computeIfAbsent(port, p -> new ArrayDeque<>()));
      rotate(port, nonce);
    }
    byte[] shared = sharedSecret(sealed);
    try {
      byte[] plaintext = tryOpen(sealed, op, port, nonce, shared);
      if (plaintext != null) {
        return decode(plaintext);
      }
      for (byte[] old : older) {
        byte[] replayed = tryOpen(sealed, op, port, old, shared);
        if (replayed != null) {
          Arrays.fill(replayed, (byte) 0);
          throw new DdiException(
              Status.CREDENTIAL_REPLAYED, "the credential was sealed to a nonce already used");
        }
      }
      throw malformed();
    } finally {
      Arrays.fill(shared, (byte) 0);
    }
  }

  private byte[] nonceOf(Port port) {
    return current.computeIfAbsent(port, p -> random.bytes(CredentialChannel.NONCE_BYTES)).clone();
  }

  private void rotate(Port port, byte[] spent) {
    Deque<byte[]> history = used.computeIfAbsent(port, p -> new ArrayDeque<>());
    history.addFirst(spent);
    while (history.size() > REMEMBERED_NONCES) {
      history.removeLast();
    }
    current.put(port, random.bytes(CredentialChannel.NONCE_BYTES));
  }

  private byte[] sharedSecret(SealedCredential sealed) throws DdiException {
    KeyAgreements ka = new KeyAgreements(engine);
    try {
      ECPublicKey host = ka.parseEcPublicKey(sealed.hostPublicKey());
      return ka.ecdh(channelKey.getPrivate(), host);
    } catch (CryptoRefusal e) {
      throw malformed();
    }
  }

  /** The plaintext, or null when it does not open under this nonce. */
  private byte[] tryOpen(
      SealedCredential sealed, Opcode op, Port port, byte[] nonce, byte[] shared) {
    byte[] key =
        new Hkdf(engine, "HmacSHA384")
            .derive(
                shared, nonce, CredentialSealer.HKDF_INFO.getBytes(StandardCharsets.US_ASCII), 32);
    try {
      if (sealed.iv().length != 12) {
        return null;
      }
      Cipher gcm =
          engine.initCipher(
              "AES/GCM/NoPadding",
              Cipher.DECRYPT_MODE,
              new SecretKeySpec(key, "AES"),
              new GCMParameterSpec(128, sealed.iv()));
      gcm.updateAAD(CredentialSealer.associatedData(op, port, nonce, sealed.hostPublicKey()));
      return gcm.doFinal(sealed.ciphertext());
    } catch (GeneralSecurityException | RuntimeException e) {
      return null;
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  private static Opened decode(byte[] plaintext) throws DdiException {
    try {
      int idBytes = Credential.ID_BYTES;
      if (plaintext.length < idBytes + 1) {
        throw malformed();
      }
      int pinLength = plaintext[idBytes] & 0xFF;
      if (pinLength < Credential.MIN_PIN_BYTES
          || pinLength > Credential.MAX_PIN_BYTES
          || plaintext.length != idBytes + 1 + pinLength) {
        throw malformed();
      }
      return new Opened(
          Arrays.copyOf(plaintext, idBytes),
          Arrays.copyOfRange(plaintext, idBytes + 1, plaintext.length));
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  private static DdiException malformed() {
    return new DdiException(Status.CREDENTIAL_MALFORMED, "the sealed credential does not open");
  }
}
