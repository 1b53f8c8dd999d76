package io.ihsm.kmip.server;

import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.kmip.protocol.KmipException;
import io.ihsm.kmip.protocol.ResultReason;
import java.util.EnumSet;
import java.util.Set;

/**
 * KMIP's algorithms, lengths and usage masks against ihsm's key kinds and single usages (an ihsm
 * key has exactly one usage class; a mask across classes is refused, not narrowed).
 */
final class KeyMapping {
  static final int AES = 0x03;
  static final int RSA = 0x04;
  static final int ECDSA = 0x06;
  static final int HMAC_SHA256 = 0x09;
  static final int HMAC_SHA384 = 0x0A;
  static final int HMAC_SHA512 = 0x0B;
  static final int EC = 0x1A;

  static final int SIGN = 0x01;
  static final int VERIFY = 0x02;
  static final int ENCRYPT = 0x04;
  static final int DECRYPT = 0x08;
  static final int WRAP_KEY = 0x10;
  static final int UNWRAP_KEY = 0x20;
  static final int EXPORT = 0x40;
  static final int MAC_GENERATE = 0x80;
  static final int MAC_VERIFY = 0x100;
  static final int DERIVE_KEY = 0x200;

  private KeyMapping() {}

  static KeyKind kind(int algorithm, int length) throws KmipException {
    KeyKind k =
        switch (algorithm) {
          case AES ->
              switch (length) {
                case 128 -> KeyKind.AES_128;
                case 192 -> KeyKind.AES_192;
                case 256 -> KeyKind.AES_256;
                default -> null;
              };
          case HMAC_SHA256 -> length == 256 || length == 0 ? KeyKind.HMAC_SHA256 : null;
          case HMAC_SHA384 -> length == 384 || length == 0 ? KeyKind.HMAC_SHA384 : null;
          case HMAC_SHA512 -> length == 512 || length == 0 ? KeyKind.HMAC_SHA512 : null;
          case RSA ->
              switch (length) {
                case 2048 -> KeyKind.RSA_2048;
                case 3072 -> KeyKind.RSA_3072;
                case 4096 -> KeyKind.RSA_4096;
                default -> null;
              };
          case EC, ECDSA ->
              switch (length) {
                case 256 -> KeyKind.EC_P256;
                case 384 -> KeyKind.EC_P384;
                case 521 -> KeyKind.EC_P521;
                default -> null;
              };
          default -> null;
        };
    if (k == null) {
      throw new KmipException(
          ResultReason.INVALID_FIELD,
          "this server makes AES-128/192/256, HMAC-SHA256/384/512, RSA-2048/3072/4096 and EC"
              + " P-256/384/521 keys; algorithm "
              + algorithm
              + " of "
              + length
              + " bits is none of them");
    }
    return k;
  }

  /** KMIP's algorithm for a kind (EC keys report ECDSA, as PyKMIP and most clients expect). */
  static int algorithm(KeyKind kind) {
    return switch (kind.family()) {
      case AES, AES_XTS -> AES;
      case RSA -> RSA;
      case EC -> ECDSA;
      case HMAC ->
          switch (kind) {
            case HMAC_SHA384 -> HMAC_SHA384;
            case HMAC_SHA512 -> HMAC_SHA512;
            default -> HMAC_SHA256;
          };
      // KMIP 1.x names no ML-DSA or ML-KEM algorithm: such keys (made through the other front
      // ends) are reported without one.
      case SECRET, ML_DSA, ML_KEM -> 0;
    };
  }

  static int length(KeyKind kind) {
    return switch (kind.family()) {
      case EC -> kind == KeyKind.EC_P521 ? 521 : kind.bytes() * 8;
      default -> kind.bytes() * 8;
    };
  }

  /**
   * The one usage a mask asks for, among those the kind has ({@link #EXPORT} is extractability, not
   * a usage). Clients that always add encrypt and decrypt to a mask (PyKMIP does) still get an HMAC
   * key: classes the kind cannot have are set aside first.
   *
   * @throws KmipException INVALID_FIELD when none, or more than one, of the kind's usages is asked
   *     for, or the mask has bits this server does not know
   */
  static KeyUsage usage(int mask, KeyKind kind) throws KmipException {
    int m = mask & ~EXPORT;
    int known = SIGN | VERIFY | MAC_GENERATE | MAC_VERIFY | ENCRYPT | DECRYPT | WRAP_KEY;
    known |= UNWRAP_KEY | DERIVE_KEY;
    EnumSet<KeyUsage> asked = EnumSet.noneOf(KeyUsage.class);
    if ((m & (SIGN | VERIFY | MAC_GENERATE | MAC_VERIFY)) != 0) {
      asked.add(KeyUsage.SIGN);
    }
    if ((m & (ENCRYPT | DECRYPT)) != 0) {
      asked.add(KeyUsage.ENCRYPT);
    }
    if ((m & (WRAP_KEY | UNWRAP_KEY)) != 0) {
      asked.add(KeyUsage.WRAP);
    }
    if ((m & DERIVE_KEY) != 0) {
      asked.add(KeyUsage.DERIVE);
    }
    asked.retainAll(usages(kind));
    if (asked.size() > 1) {
      // Encrypt/decrypt is what clients put in every mask (PyKMIP always does): a mask that also
      // asks for wrapping, MAC or derivation makes a key for that.
      asked.remove(KeyUsage.ENCRYPT);
    }
    if (asked.size() != 1 || (m & ~known) != 0) {
      throw new KmipException(
          ResultReason.INVALID_FIELD,
          "an ihsm key has one usage: sign/verify (or MAC), encrypt/decrypt, wrap/unwrap or"
              + " derive, of those a "
              + kind.textName()
              + " key can have "
              + usages(kind)
              + "; the usage mask 0x"
              + Integer.toHexString(mask)
              + " asks for "
              + (asked.isEmpty() ? "none of them" : asked + " or unknown bits"));
    }
    return asked.iterator().next();
  }

  /** The usages a kind may have (the device's rule). */
  static Set<KeyUsage> usages(KeyKind kind) {
    return kind.usages();
  }

  static boolean extractable(int mask) {
    return (mask & EXPORT) != 0;
  }
}
