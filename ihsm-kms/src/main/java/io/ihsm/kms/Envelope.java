package io.ihsm.kms;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The encrypted DEK the plugin answers and the API server stores: the request's uid (kept so that
 * it can be bound again when decrypting), the 12-byte GCM IV the device chose, and the ciphertext
 * with its 16-byte tag. Strict: one layout, bounded, anything else refused with the reason.
 *
 * <pre>u8 format = 1, u8 uid length (≤ 128), uid (UTF-8), 12 bytes IV, ciphertext ‖ tag</pre>
 *
 * The associated data binds the key version and the uid: {@link #associatedData}.
 */
record Envelope(String uid, byte[] iv, byte[] ciphertext) {
  static final int FORMAT = 1;
  static final int IV_BYTES = 12;
  static final int TAG_BYTES = 16;
  static final int MAX_UID_BYTES = 128;
  private static final byte[] CONTEXT = "ihsm kms v2 dek".getBytes(StandardCharsets.US_ASCII);

  Envelope {
    iv = iv.clone();
    ciphertext = ciphertext.clone();
  }

  @Override
  public byte[] iv() {
    return iv.clone();
  }

  @Override
  public byte[] ciphertext() {
    return ciphertext.clone();
  }

  /** The bytes the API server stores. */
  byte[] encode() {
    byte[] u = uid.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(2 + u.length + iv.length + ciphertext.length)
        .put((byte) FORMAT)
        .put((byte) u.length)
        .put(u)
        .put(iv)
        .put(ciphertext)
        .array();
  }

  /**
   * @throws IllegalArgumentException saying what is wrong, for a stored value that is not one
   */
  static Envelope decode(byte[] b) {
    if (b.length < 2 || (b[0] & 0xff) != FORMAT) {
      throw new IllegalArgumentException("the ciphertext is not an ihsm KMS envelope (format 1)");
    }
    int uidLength = b[1] & 0xff;
    if (uidLength > MAX_UID_BYTES || b.length < 2 + uidLength + IV_BYTES + TAG_BYTES) {
      throw new IllegalArgumentException("the ciphertext is cut short or its uid is too long");
    }
    String uid;
    try {
      uid =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(b, 2, uidLength))
              .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("the ciphertext's uid is not UTF-8");
    }
    int iv = 2 + uidLength;
    return new Envelope(
        uid,
        Arrays.copyOfRange(b, iv, iv + IV_BYTES),
        Arrays.copyOfRange(b, iv + IV_BYTES, b.length));
  }

  /**
   * GCM's associated data: a context label, then the key version's id and the uid, each with its
   * length, so that no two (key id, uid) pairs give the same bytes.
   */
  static byte[] associatedData(String keyId, String uid) {
    byte[] k = keyId.getBytes(StandardCharsets.UTF_8);
    byte[] u = uid.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(CONTEXT.length + 4 + k.length + u.length)
        .put(CONTEXT)
        .putShort((short) k.length)
        .put(k)
        .putShort((short) u.length)
        .put(u)
        .array();
  }
}
