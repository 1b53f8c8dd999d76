package io.ihsm.sdk;

import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.credential.Credential;
import io.ihsm.ddi.key.Algorithm;
import io.ihsm.ddi.key.DeriveKeyRequest;
import io.ihsm.ddi.key.Encrypted;
import io.ihsm.ddi.key.GenerateKeyRequest;
import io.ihsm.ddi.key.ImportKeyRequest;
import io.ihsm.ddi.key.KeyAttributes;
import io.ihsm.ddi.key.KeyInfo;
import io.ihsm.ddi.key.KeyStateChange;
import io.ihsm.ddi.key.Operation;
import io.ihsm.ddi.key.RotatedKey;
import io.ihsm.ddi.key.UnwrapKeyRequest;
import io.ihsm.ddi.key.Verified;
import io.ihsm.ddi.key.WrapKeyRequest;
import io.ihsm.ddi.message.AttestKeyRequest;
import io.ihsm.ddi.message.Bytes;
import io.ihsm.ddi.message.Empty;
import io.ihsm.ddi.message.Id;
import io.ihsm.ddi.spi.Port;
import io.ihsm.sdk.internal.Channel;

/**
 * A user session in a partition: keys by handle and the operations on them. Low level: handles do
 * not survive a device reset. {@link PartitionClient} adds labels, the host key store and recovery.
 */
public final class HsmSession implements AutoCloseable {
  private final Channel channel;
  private final Port port;
  private final int sessionId;

  HsmSession(Channel channel, Port port, int sessionId) {
    this.channel = channel;
    this.port = port;
    this.sessionId = sessionId;
  }

  public int id() {
    return sessionId;
  }

  public KeyInfo generateKey(KeyAttributes attributes) {
    return generateKey(attributes, 0);
  }

  /**
   * @param length in bytes, 0 for the kind's own size (HMAC keys: 14 to 128)
   */
  public KeyInfo generateKey(KeyAttributes attributes, int length) {
    return channel.call(
        Opcode.GENERATE_KEY, sessionId, new GenerateKeyRequest(attributes, length), KeyInfo::read);
  }

  /**
   * Generates a key that becomes active when {@code activation} says ({@link
   * io.ihsm.ddi.key.KeyActivation}).
   */
  public KeyInfo generateKey(KeyAttributes attributes, int length, long activation) {
    return channel.call(
        Opcode.GENERATE_KEY,
        sessionId,
        new GenerateKeyRequest(attributes, length, activation),
        KeyInfo::read);
  }

  /**
   * Makes the next version of a loaded app key; the version it replaces is deactivated if it was
   * active.
   */
  public RotatedKey rotateKey(int handle) {
    return channel.call(Opcode.ROTATE_KEY, sessionId, new Id(handle), RotatedKey::read);
  }

  /** Moves a loaded app key to another lifecycle state; answers it masked anew. */
  public KeyInfo setKeyState(KeyStateChange change) {
    return channel.call(Opcode.SET_KEY_STATE, sessionId, change, KeyInfo::read);
  }

  public KeyInfo unmask(byte[] maskedBlob) {
    return channel.call(Opcode.UNMASK_KEY, sessionId, new Bytes(maskedBlob), KeyInfo::read);
  }

  public void unload(int handle) {
    channel.call(Opcode.UNLOAD_KEY, sessionId, new Id(handle), Empty::read);
  }

  public byte[] sign(Operation op) {
    return channel.call(Opcode.SIGN, sessionId, op, Bytes::read).bytes();
  }

  public boolean verify(Operation op) {
    return channel.call(Opcode.VERIFY, sessionId, op, Verified::read).valid();
  }

  public Encrypted encrypt(Operation op) {
    return channel.call(Opcode.ENCRYPT, sessionId, op, Encrypted::read);
  }

  public byte[] decrypt(Operation op) {
    return channel.call(Opcode.DECRYPT, sessionId, op, Bytes::read).bytes();
  }

  /**
   * A batch of operations in this session, sent to the device as one request ({@link Batch}): for
   * many small operations, where the call itself costs more than the work.
   */
  public Batch batch() {
    return new Batch(channel, sessionId);
  }

  /**
   * A key attestation report (COSE_Sign1, signed by the partition identity key) carrying {@code
   * nonce} (0-128 bytes).
   */
  public byte[] attestKey(int handle, byte[] nonce) {
    return channel
        .call(Opcode.ATTEST_KEY, sessionId, new AttestKeyRequest(handle, nonce), Bytes::readBlob)
        .bytes();
  }

  /** The partition's RSA unwrapping key (SPKI DER), to wrap keys for {@link #importKey}. */
  public byte[] unwrappingKey() {
    return channel.call(Opcode.GET_UNWRAPPING_KEY, sessionId, Empty.INSTANCE, Bytes::read).bytes();
  }

  /** Imports a key wrapped by {@link KeyImport#wrapForImport}. */
  /** Imports a wrapped key that becomes active when {@code activation} says. */
  public KeyInfo importKey(KeyAttributes attributes, byte[] wrapped, long activation) {
    return channel.call(
        Opcode.IMPORT_KEY,
        sessionId,
        new ImportKeyRequest(attributes, wrapped, activation),
        KeyInfo::read);
  }

  /** Imports a public key that becomes active when {@code activation} says. */
  public KeyInfo importPublicKey(KeyAttributes attributes, byte[] spki, long activation) {
    return channel.call(
        Opcode.IMPORT_PUBLIC_KEY,
        sessionId,
        new ImportKeyRequest(attributes, spki, activation),
        KeyInfo::read);
  }

  public KeyInfo importKey(KeyAttributes attributes, byte[] wrapped) {
    return channel.call(
        Opcode.IMPORT_KEY, sessionId, new ImportKeyRequest(attributes, wrapped), KeyInfo::read);
  }

  /** Imports a public key (SPKI DER) for verification or encryption. */
  public KeyInfo importPublicKey(KeyAttributes attributes, byte[] spki) {
    return channel.call(
        Opcode.IMPORT_PUBLIC_KEY, sessionId, new ImportKeyRequest(attributes, spki), KeyInfo::read);
  }

  /** Wraps an extractable key under a wrapping key (AES_KW or AES_KWP). */
  public byte[] wrapKey(int wrappingHandle, int targetHandle, Algorithm algorithm) {
    return channel
        .call(
            Opcode.WRAP_KEY,
            sessionId,
            new WrapKeyRequest(wrappingHandle, targetHandle, algorithm),
            Bytes::read)
        .bytes();
  }

  public KeyInfo unwrapKey(
      int wrappingHandle, Algorithm algorithm, KeyAttributes attributes, byte[] wrapped) {
    return channel.call(
        Opcode.UNWRAP_KEY,
        sessionId,
        new UnwrapKeyRequest(wrappingHandle, algorithm, attributes, wrapped),
        KeyInfo::read);
  }

  public KeyInfo deriveKey(DeriveKeyRequest request) {
    return channel.call(Opcode.DERIVE_KEY, sessionId, request, KeyInfo::read);
  }

  /**
   * Changes the PIN (same credential id); returns the partition's new blob, which the host must
   * keep.
   */
  public byte[] changePin(Credential newCredential) {
    return channel
        .callSealed(Opcode.CHANGE_PIN, sessionId, port, newCredential, sc -> sc, Bytes::readBlob)
        .bytes();
  }

  @Override
  public void close() {
    try {
      channel.call(Opcode.CLOSE_SESSION, sessionId, Empty.INSTANCE, Empty::read);
    } catch (IhsmException alreadyGone) {
      // a reset or a lost connection already ended it
    }
  }
}
