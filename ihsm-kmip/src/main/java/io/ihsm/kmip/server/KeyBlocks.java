package io.ihsm.kmip.server;

import io.ihsm.ddi.key.Algorithm;
import io.ihsm.kmip.protocol.KmipException;
import io.ihsm.kmip.protocol.ResultReason;
import io.ihsm.kmip.protocol.Struct;
import io.ihsm.kmip.protocol.Tag;
import io.ihsm.kmip.ttlv.Ttlv;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Key Blocks (KMIP 1.4 section 2.1.3): a registered key's material in, a public key out. */
final class KeyBlocks {
  static final long RAW = 0x01;
  static final long PKCS_8 = 0x04;
  static final long X_509 = 0x05;
  static final long TRANSPARENT_SYMMETRIC_KEY = 0x07;

  private KeyBlocks() {}

  /** A key's material as a client brought it, with what it is; the caller wipes it. */
  record Material(byte[] bytes, int algorithm, int length) {
    void wipe() {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  static Material read(Struct block, int objectType) throws KmipException {
    block.only(
        Set.of(
            Tag.KEY_FORMAT_TYPE,
            Tag.KEY_VALUE,
            Tag.CRYPTOGRAPHIC_ALGORITHM,
            Tag.CRYPTOGRAPHIC_LENGTH,
            Tag.KEY_COMPRESSION_TYPE));
    if (block.optional(Tag.KEY_COMPRESSION_TYPE, "Key Compression Type").isPresent()) {
      throw new KmipException(ResultReason.FEATURE_NOT_SUPPORTED, "compressed keys are not taken");
    }
    long format = block.enumeration(Tag.KEY_FORMAT_TYPE, "Key Format Type");
    long expected =
        switch (objectType) {
          case KmipObject.SYMMETRIC_KEY -> RAW;
          case KmipObject.PUBLIC_KEY -> X_509;
          default -> PKCS_8;
        };
    if (format != expected) {
      throw new KmipException(
          ResultReason.KEY_FORMAT_TYPE_NOT_SUPPORTED,
          "this server takes symmetric keys Raw, public keys X.509 and private keys PKCS#8");
    }
    Struct value =
        block.struct(Tag.KEY_VALUE, "Key Value").only(Set.of(Tag.KEY_MATERIAL, Tag.ATTRIBUTE));
    byte[] material = value.bytes(Tag.KEY_MATERIAL, "Key Material");
    int algorithm = (int) block.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, "Cryptographic Algorithm");
    int length = block.integer(Tag.CRYPTOGRAPHIC_LENGTH, "Cryptographic Length");
    if (objectType == KmipObject.SYMMETRIC_KEY && material.length * 8 != length) {
      Arrays.fill(material, (byte) 0);
      throw new KmipException(
          ResultReason.INVALID_FIELD, "the key material is not Cryptographic Length bits long");
    }
    if (objectType == KmipObject.PUBLIC_KEY) {
      checkPublicKey(material, algorithm, length);
    }
    return new Material(material, algorithm, length);
  }

  private static void checkPublicKey(byte[] spki, int algorithm, int length) throws KmipException {
    try {
      String alg = algorithm == KeyMapping.RSA ? "RSA" : "EC";
      PublicKey k = KeyFactory.getInstance(alg).generatePublic(new X509EncodedKeySpec(spki));
      int bits =
          k instanceof RSAPublicKey r
              ? r.getModulus().bitLength()
              : ((ECPublicKey) k).getParams().getCurve().getField().getFieldSize();
      if (bits != length) {
        throw new KmipException(
            ResultReason.INVALID_FIELD, "the public key is " + bits + " bits, not " + length);
      }
    } catch (java.security.GeneralSecurityException | ClassCastException e) {
      throw new KmipException(
          ResultReason.INVALID_FIELD,
          "the key material is not an X.509 public key of its algorithm");
    }
  }

  private static final long ENCRYPT = 1;
  private static final long AES_KEY_WRAP_PADDING = 12;
  private static final long NIST_KEY_WRAP = 13;

  /**
   * A secret or private key wrapped inside the device under the client's wrapping key (AES Key
   * Wrap, RFC 3394, or with padding, RFC 5649): the Get answer for an extractable key when the
   * client asked for it wrapped. Raw (symmetric) or PKCS#8 (private) material, never in clear.
   */
  static List<Ttlv> wrapped(KmipPartition p, KmipObject o, Struct spec, Batch batch)
      throws KmipException {
    spec.only(
        Set.of(
            Tag.WRAPPING_METHOD,
            Tag.ENCRYPTION_KEY_INFORMATION,
            Tag.ENCODING_OPTION,
            Tag.ATTRIBUTE_NAME));
    if (spec.enumeration(Tag.WRAPPING_METHOD, "Wrapping Method") != ENCRYPT) {
      throw new KmipException(
          ResultReason.FEATURE_NOT_SUPPORTED, "keys are wrapped by Encrypt only");
    }
    if (spec.optionalEnumeration(Tag.ENCODING_OPTION, "Encoding Option").orElse(1L) != 1L) {
      throw new KmipException(ResultReason.FEATURE_NOT_SUPPORTED, "wrapped keys have No Encoding");
    }
    if (!spec.all(Tag.ATTRIBUTE_NAME).isEmpty()) {
      throw new KmipException(ResultReason.FEATURE_NOT_SUPPORTED, "no attributes are wrapped");
    }
    Struct info =
        spec.struct(Tag.ENCRYPTION_KEY_INFORMATION, "Encryption Key Information")
            .only(Set.of(Tag.UNIQUE_IDENTIFIER, Tag.CRYPTOGRAPHIC_PARAMETERS));
    KmipObject wrappingKey = p.object(info.text(Tag.UNIQUE_IDENTIFIER, "Unique Identifier"));
    long mode = NIST_KEY_WRAP;
    Optional<Struct> parameters =
        info.optionalStruct(Tag.CRYPTOGRAPHIC_PARAMETERS, "Cryptographic Parameters");
    if (parameters.isPresent()) {
      mode =
          parameters
              .get()
              .optionalEnumeration(Tag.BLOCK_CIPHER_MODE, "Block Cipher Mode")
              .orElse(NIST_KEY_WRAP);
    }
    Algorithm algorithm;
    if (mode == NIST_KEY_WRAP && o.objectType() == KmipObject.SYMMETRIC_KEY) {
      algorithm = Algorithm.AES_KW;
    } else if (mode == AES_KEY_WRAP_PADDING || mode == NIST_KEY_WRAP) {
      algorithm = Algorithm.AES_KWP; // a PKCS#8 key is not whole 8-byte blocks
    } else {
      throw new KmipException(
          ResultReason.FEATURE_NOT_SUPPORTED,
          "keys are wrapped with NIST Key Wrap or AES Key Wrap with Padding");
    }
    byte[] wrapped = p.client.wrap(wrappingKey.key(), o.key(), algorithm);
    int objectTag =
        o.objectType() == KmipObject.SYMMETRIC_KEY ? Tag.SYMMETRIC_KEY : Tag.PRIVATE_KEY;
    long format = o.objectType() == KmipObject.SYMMETRIC_KEY ? RAW : PKCS_8;
    Ttlv block =
        Ttlv.structure(
            Tag.KEY_BLOCK,
            Ttlv.enumeration(Tag.KEY_FORMAT_TYPE, format),
            // KMIP 1.x allows the wrapped bytes as the Key Value itself; PyKMIP (and its own
            // server) reads a Key Value structure only, so the wrapped bytes are its Key Material.
            Ttlv.structure(Tag.KEY_VALUE, Ttlv.bytes(Tag.KEY_MATERIAL, wrapped)),
            Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, o.algorithm()),
            Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, o.length()),
            Ttlv.structure(
                Tag.KEY_WRAPPING_DATA,
                Ttlv.enumeration(Tag.WRAPPING_METHOD, ENCRYPT),
                Ttlv.structure(
                    Tag.ENCRYPTION_KEY_INFORMATION,
                    Ttlv.text(Tag.UNIQUE_IDENTIFIER, wrappingKey.uid()),
                    Ttlv.structure(
                        Tag.CRYPTOGRAPHIC_PARAMETERS,
                        Ttlv.enumeration(
                            Tag.BLOCK_CIPHER_MODE,
                            algorithm == Algorithm.AES_KW
                                ? NIST_KEY_WRAP
                                : AES_KEY_WRAP_PADDING)))));
    return List.of(
        Ttlv.enumeration(Tag.OBJECT_TYPE, o.objectType()),
        Ttlv.text(Tag.UNIQUE_IDENTIFIER, o.uid()),
        Ttlv.structure(objectTag, block));
  }

  static Ttlv publicKeyBlock(byte[] spki, int algorithm, int length) {
    return Ttlv.structure(
        Tag.KEY_BLOCK,
        Ttlv.enumeration(Tag.KEY_FORMAT_TYPE, X_509),
        Ttlv.structure(Tag.KEY_VALUE, Ttlv.bytes(Tag.KEY_MATERIAL, spki)),
        Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, algorithm),
        Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, length));
  }
}
