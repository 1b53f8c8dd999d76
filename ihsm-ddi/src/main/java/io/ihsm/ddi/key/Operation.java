package io.ihsm.ddi.key;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.message.Body;

/**
 * The body of Sign, Verify, Encrypt, Decrypt, MacSign and MacVerify: one key, one algorithm and its
 * parameters, the data, and (for verification) the signature or tag.
 *
 * <pre>
 * u32   key handle
 * u8    algorithm
 * u8    hash, u8 MGF1 hash, u32 salt length       (RSA-PSS; hash also ECDSA, PKCS#1, OAEP)
 * bytes iv (≤ 16)                                   (GCM/CBC/CTR/XTS)
 * bytes aad (≤ 4096)                                (GCM AAD, OAEP label)
 * u32   data unit size                              (XTS)
 * bytes data (≤ {@value #MAX_DATA})
 * bytes signature (≤ 1024)                          (Verify, MacVerify)
 * </pre>
 *
 * Fields the algorithm does not read ({@link Algorithm#fields()}) must be empty or zero, so each
 * request has one encoding.
 */
public record Operation(
    int handle,
    Algorithm algorithm,
    HashAlgorithm hash,
    HashAlgorithm mgf1Hash,
    int saltLength,
    byte[] iv,
    byte[] aad,
    int dataUnitSize,
    byte[] data,
    byte[] signature)
    implements Body {
  public static final int MAX_DATA = 128 * 1024;
  public static final int MAX_AAD = 4096;
  public static final int MAX_SIGNATURE = 8192; // an ML-DSA-87 signature is 4627 bytes

  /** The optional fields. */
  public enum Field {
    HASH,
    MGF1_HASH,
    SALT_LENGTH,
    IV,
    AAD,
    DATA_UNIT
  }

  public Operation {
    iv = iv.clone();
    aad = aad.clone();
    data = data.clone();
    signature = signature.clone();
  }

  /** A request with only the key, algorithm and data; add fields with the withers. */
  public static Operation of(int handle, Algorithm algorithm, byte[] data) {
    return new Operation(
        handle,
        algorithm,
        HashAlgorithm.NONE,
        HashAlgorithm.NONE,
        0,
        new byte[0],
        new byte[0],
        0,
        data,
        new byte[0]);
  }

  /** The same operation on another key (the SDK fills in the loaded key's handle). */
  public Operation withHandle(int newHandle) {
    return new Operation(
        newHandle, algorithm, hash, mgf1Hash, saltLength, iv, aad, dataUnitSize, data, signature);
  }

  public Operation withHash(HashAlgorithm h) {
    return new Operation(
        handle, algorithm, h, mgf1Hash, saltLength, iv, aad, dataUnitSize, data, signature);
  }

  public Operation withPss(HashAlgorithm h, HashAlgorithm mgf1, int salt) {
    return new Operation(handle, algorithm, h, mgf1, salt, iv, aad, dataUnitSize, data, signature);
  }

  public Operation withOaep(HashAlgorithm h, HashAlgorithm mgf1, byte[] label) {
    return new Operation(
        handle, algorithm, h, mgf1, saltLength, iv, label, dataUnitSize, data, signature);
  }

  public Operation withIv(byte[] newIv) {
    return new Operation(
        handle, algorithm, hash, mgf1Hash, saltLength, newIv, aad, dataUnitSize, data, signature);
  }

  public Operation withAad(byte[] newAad) {
    return new Operation(
        handle, algorithm, hash, mgf1Hash, saltLength, iv, newAad, dataUnitSize, data, signature);
  }

  public Operation withDataUnitSize(int size) {
    return new Operation(
        handle, algorithm, hash, mgf1Hash, saltLength, iv, aad, size, data, signature);
  }

  public Operation withSignature(byte[] sig) {
    return new Operation(
        handle, algorithm, hash, mgf1Hash, saltLength, iv, aad, dataUnitSize, data, sig);
  }

  @Override
  public byte[] iv() {
    return iv.clone();
  }

  @Override
  public byte[] aad() {
    return aad.clone();
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  @Override
  public void writeTo(BodyWriter w) {
    w.u32(handle)
        .u8(algorithm.code())
        .u8(hash.code())
        .u8(mgf1Hash.code())
        .u32(saltLength)
        .bytes(iv, 16)
        .bytes(aad, MAX_AAD)
        .u32(dataUnitSize)
        .bytes(data, MAX_DATA)
        .bytes(signature, MAX_SIGNATURE);
  }

  public static Operation read(BodyReader r) throws DdiException {
    int handle = r.u32("handle");
    int a = r.u8("algorithm");
    int h = r.u8("hash");
    int m = r.u8("mgf1Hash");
    int salt = r.u32("saltLength");
    byte[] iv = r.bytes("iv", 16);
    byte[] aad = r.bytes("aad", MAX_AAD);
    int unit = r.u32("dataUnitSize");
    byte[] data = r.bytes("data", MAX_DATA);
    byte[] sig = r.bytes("signature", MAX_SIGNATURE);
    r.end();
    Algorithm algorithm = Algorithm.fromCode(a);
    HashAlgorithm hash = HashAlgorithm.fromCode(h);
    HashAlgorithm mgf1 = HashAlgorithm.fromCode(m);
    if (algorithm == null || hash == null || mgf1 == null) {
      throw new DdiException(Status.INVALID_PARAMETER, "unknown algorithm or hash");
    }
    Operation op = new Operation(handle, algorithm, hash, mgf1, salt, iv, aad, unit, data, sig);
    op.requireUnusedFieldsEmpty();
    return op;
  }

  private void requireUnusedFieldsEmpty() throws DdiException {
    var used = algorithm.fields();
    boolean clean =
        (used.contains(Field.HASH) || hash == HashAlgorithm.NONE)
            && (used.contains(Field.MGF1_HASH) || mgf1Hash == HashAlgorithm.NONE)
            && (used.contains(Field.SALT_LENGTH) || saltLength == 0)
            && (used.contains(Field.IV) || iv.length == 0)
            && (used.contains(Field.AAD) || aad.length == 0)
            && (used.contains(Field.DATA_UNIT) || dataUnitSize == 0);
    if (!clean) {
      throw new DdiException(Status.INVALID_PARAMETER, algorithm + " takes only " + used);
    }
  }
}
