package io.ihsm.firmware.vault;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.domain.MaskedBlobs;
import io.ihsm.firmware.crypto.CryptoEngine;
import io.ihsm.firmware.crypto.Hkdf;
import io.ihsm.firmware.rng.RandomSource;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Masked blobs: encrypt-then-MAC with AES-256-CBC (PKCS#7) and HMAC-SHA384, under two subkeys
 * derived from one masking secret. Everything before the tag is authenticated: kind, binding (the
 * partition it belongs to), generation and metadata travel in clear but cannot be changed. The MAC
 * is checked, in constant time, before anything is decrypted. Format in docs/masked-keys.md.
 *
 * <pre>
 * u8 version = 1, u8 kind, bytes binding (16), u32 generation, bytes metadata (≤ 4096),
 * bytes iv (16), bytes ciphertext (≤ 9216), then 48 bytes of HMAC-SHA384 over all of the above
 * </pre>
 *
 * A blob masked under a security domain's secret is version 2: the domain epoch (u32, from 1)
 * follows the kind, so a member knows which epoch's keys open it. A masking belongs to one epoch (0
 * for the device's own secrets) and opens only blobs of that epoch.
 */
public final class Masking {
  public static final int VERSION = 1;
  public static final int DOMAIN_VERSION = MaskedBlobs.DOMAIN_VERSION;
  public static final int BINDING_BYTES = 16;
  static final int TAG_BYTES = 48;
  static final int MAX_METADATA =
      4096; // a key's metadata holds its public key: ML-DSA-87's is 2614 bytes
  static final int MAX_CIPHERTEXT = 9216;

  /** What a blob holds. */
  public enum Kind {
    PARTITION(1),
    BACKUP_KEY(2),
    KEY(3),
    SESSION_KEY(4);

    public final int code;

    Kind(int code) {
      this.code = code;
    }
  }

  /** A blob's authenticated header and decrypted content; the caller wipes {@code secret}. */
  public record Opened(Kind kind, byte[] binding, int generation, byte[] metadata, byte[] secret) {}

  private final CryptoEngine engine;
  private final RandomSource random;
  private final byte[] encKey;
  private final byte[] macKey;
  private final int epoch;

  /**
   * @param maskingSecret 32 bytes; the two subkeys are derived from it with HKDF-SHA384
   */
  public Masking(CryptoEngine engine, RandomSource random, byte[] maskingSecret) {
    this(engine, random, maskingSecret, 0);
  }

  /**
   * @param epoch the security domain epoch whose secret {@code maskingSecret} derives from, or 0
   */
  public Masking(CryptoEngine engine, RandomSource random, byte[] maskingSecret, int epoch) {
    if (epoch < 0) {
      throw new IllegalArgumentException("an epoch is not negative");
    }
    this.engine = engine;
    this.random = random;
    this.epoch = epoch;
    Hkdf hkdf = new Hkdf(engine, "HmacSHA384");
    this.encKey = hkdf.derive(maskingSecret, new byte[0], "ihsm masking enc".getBytes(), 32);
    this.macKey = hkdf.derive(maskingSecret, new byte[0], "ihsm masking mac".getBytes(), 48);
  }

  public byte[] seal(Kind kind, byte[] binding, int generation, byte[] metadata, byte[] secret) {
    byte[] iv = random.bytes(16);
    byte[] ct;
    try {
      Cipher c = engine.cipher("AES/CBC/PKCS5Padding");
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(encKey, "AES"), new IvParameterSpec(iv));
      ct = c.doFinal(secret);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("masking failed", e);
    }
    BodyWriter w = new BodyWriter().u8(epoch == 0 ? VERSION : DOMAIN_VERSION).u8(kind.code);
    if (epoch != 0) {
      w.u32(epoch);
    }
    w.bytes(binding, BINDING_BYTES)
        .u32(generation)
        .bytes(metadata, MAX_METADATA)
        .bytes(iv, 16)
        .bytes(ct, MAX_CIPHERTEXT);
    byte[] body = w.toByteArray();
    byte[] tag = mac(body, 0, body.length);
    byte[] blob = Arrays.copyOf(body, body.length + TAG_BYTES);
    System.arraycopy(tag, 0, blob, body.length, TAG_BYTES);
    return blob;
  }

  /**
   * Opens a blob of {@code expected} kind bound to {@code binding}. A blob bound elsewhere is
   * MASKED_BLOB_FOREIGN; any other defect (format, tag, padding, kind, epoch) is
   * MASKED_BLOB_INVALID.
   */
  public Opened open(byte[] blob, Kind expected, byte[] binding) throws DdiException {
    return checkedOpen(blob, expected, binding);
  }

  /** The epoch a blob says it was masked under (0 for the device's own): {@link MaskedBlobs}. */
  public static int epochOf(byte[] blob) {
    return MaskedBlobs.epochOf(blob);
  }

  /**
   * Opens a blob of {@code expected} kind whatever it is bound to; the caller checks the binding.
   */
  public Opened open(byte[] blob, Kind expected) throws DdiException {
    return checkedOpen(blob, expected, null);
  }

  /** {@code binding} null: any binding. */
  private Opened checkedOpen(byte[] blob, Kind expected, byte[] binding) throws DdiException {
    if (blob.length <= TAG_BYTES) {
      throw invalid();
    }
    int bodyLength = blob.length - TAG_BYTES;
    BodyReader r = new BodyReader(blob, 0, bodyLength);
    int version;
    int kind;
    int blobEpoch = 0;
    byte[] blobBinding;
    int generation;
    byte[] metadata;
    byte[] iv;
    byte[] ct;
    try {
      version = r.u8("version");
      kind = r.u8("kind");
      if (version == DOMAIN_VERSION) {
        blobEpoch = r.u32("epoch");
      }
      blobBinding = r.bytes("binding", BINDING_BYTES);
      generation = r.u32("generation");
      metadata = r.bytes("metadata", MAX_METADATA);
      iv = r.bytes("iv", 16);
      ct = r.bytes("ciphertext", MAX_CIPHERTEXT);
      r.end();
    } catch (DdiException e) {
      throw invalid();
    }
    int expectedVersion = epoch == 0 ? VERSION : DOMAIN_VERSION;
    if (version != expectedVersion
        || blobEpoch != epoch
        || kind != expected.code
        || iv.length != 16) {
      throw invalid();
    }
    if (binding != null && !MessageDigest.isEqual(blobBinding, binding)) {
      throw new DdiException(
          Status.MASKED_BLOB_FOREIGN, "the blob is bound to another partition or device");
    }
    byte[] tag = Arrays.copyOfRange(blob, bodyLength, blob.length);
    if (!MessageDigest.isEqual(mac(blob, 0, bodyLength), tag)) {
      throw invalid();
    }
    try {
      Cipher c = engine.cipher("AES/CBC/PKCS5Padding");
      c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(encKey, "AES"), new IvParameterSpec(iv));
      return new Opened(expected, blobBinding, generation, metadata, c.doFinal(ct));
    } catch (GeneralSecurityException e) {
      throw invalid(); // cannot happen for a blob with a valid tag unless the key changed
    }
  }

  /** Wipes the subkeys. */
  public void destroy() {
    Arrays.fill(encKey, (byte) 0);
    Arrays.fill(macKey, (byte) 0);
  }

  private byte[] mac(byte[] b, int off, int len) {
    try {
      Mac m = engine.mac("HmacSHA384");
      m.init(new SecretKeySpec(macKey, "HmacSHA384"));
      m.update(b, off, len);
      return m.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("masking MAC failed", e);
    }
  }

  private static DdiException invalid() {
    return new DdiException(
        Status.MASKED_BLOB_INVALID, "the masked blob is malformed or was tampered with");
  }
}
