package io.ihsm.firmware.keys;

import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.key.Algorithm;
import io.ihsm.ddi.key.Encrypted;
import io.ihsm.ddi.key.HashAlgorithm;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyLifecycle;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.ddi.key.Operation;
import io.ihsm.firmware.crypto.Ciphers;
import io.ihsm.firmware.crypto.Cmac;
import io.ihsm.firmware.crypto.CryptoEngine;
import io.ihsm.firmware.crypto.CryptoRefusal;
import io.ihsm.firmware.crypto.Macs;
import io.ihsm.firmware.crypto.PssOverDigest;
import io.ihsm.firmware.crypto.Signatures;
import io.ihsm.firmware.crypto.Xts;
import io.ihsm.firmware.policy.ApprovedMode;
import io.ihsm.firmware.rng.RandomSource;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.interfaces.RSAKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/**
 * Sign, verify, encrypt and decrypt with a loaded key. Each checks the key's usage and kind and the
 * request's parameters before any cryptography, and turns the primitives' refusals into statuses in
 * one place ({@link #status(CryptoRefusal)}).
 */
public final class KeyOperations {
  private static final Set<HashAlgorithm> SIGNATURE_HASHES =
      EnumSet.of(HashAlgorithm.SHA256, HashAlgorithm.SHA384, HashAlgorithm.SHA512);
  private static final Set<HashAlgorithm> OAEP_HASHES =
      EnumSet.of(
          HashAlgorithm.SHA1, HashAlgorithm.SHA256, HashAlgorithm.SHA384, HashAlgorithm.SHA512);

  private final CryptoEngine engine;
  private final RandomSource random;
  private final Signatures signatures;
  private final Ciphers ciphers;
  private final Macs macs;
  private final Cmac cmac;
  private final Xts xts;
  private final PssOverDigest pssOverDigest;
  private final ApprovedMode mode;

  public KeyOperations(CryptoEngine engine, RandomSource random, ApprovedMode mode) {
    this.mode = mode;
    this.engine = engine;
    this.random = random;
    this.signatures = new Signatures(engine);
    this.ciphers = new Ciphers(engine);
    this.macs = new Macs(engine);
    this.cmac = new Cmac(engine);
    this.xts = new Xts(engine);
    this.pssOverDigest = new PssOverDigest(engine);
  }

  /**
   * The service indicator for a request this class served: false only for a non-approved parameter,
   * which approved-only mode refuses before it is used.
   */
  public static boolean approved(Operation op, boolean encrypting) {
    return switch (op.algorithm()) {
      case ECDSA -> op.hash() != HashAlgorithm.SHA1;
      case RSA_PKCS1 ->
          op.hash() != HashAlgorithm.SHA1
              && (op.hash() != HashAlgorithm.NONE
                  || DigestInfo.hashOf(op.data()) != HashAlgorithm.SHA1);
      case RSA_PSS, RSA_PSS_DIGEST ->
          op.hash() != HashAlgorithm.SHA1 && op.mgf1Hash() != HashAlgorithm.SHA1;
      case AES_GCM -> !encrypting || op.iv().length == 0;
      default -> true;
    };
  }

  public byte[] sign(LoadedKey key, Operation op) throws DdiException {
    require(key, op, KeyUsage.SIGN, KeyLifecycle.Use.PROTECT);
    requirePrivate(key);
    try {
      return switch (op.algorithm()) {
        case HMAC ->
            macs.compute(
                hmacName(key.attributes().kind()),
                key.material().secretKey(hmacName(key.attributes().kind())),
                op.data());
        case AES_CMAC -> cmac.compute(key.material().secretKey("AES"), op.data());
        case RSA_PSS_DIGEST -> {
          checkSignatureParameters(key, op);
          yield pssOverDigest.sign(
              key.material().privateKey(),
              op.hash().jcaName(),
              op.mgf1Hash().jcaName(),
              op.saltLength(),
              op.data(),
              random.secureRandom());
        }
        case ECDSA, RSA_PKCS1, RSA_PSS -> {
          Signature s = signature(key, op);
          s.initSign(key.material().privateKey(), random.secureRandom());
          s.update(op.data());
          yield s.sign();
        }
        case ML_DSA -> {
          // Hedged ML-DSA (FIPS 204 §3.4): its randomness comes from the module's DRBG.
          Signature s = engine.signature("ML-DSA");
          s.initSign(key.material().privateKey(), random.secureRandom());
          s.update(op.data());
          yield s.sign();
        }
        default -> throw notFor(op, "signing");
      };
    } catch (GeneralSecurityException e) {
      throw new DdiException(Status.INVALID_PARAMETER, op.algorithm() + " refused its parameters");
    } catch (CryptoRefusal r) {
      throw status(r);
    }
  }

  public boolean verify(LoadedKey key, Operation op) throws DdiException {
    require(key, op, KeyUsage.SIGN, KeyLifecycle.Use.PROCESS);
    try {
      return switch (op.algorithm()) {
        case HMAC ->
            macs.verify(
                hmacName(key.attributes().kind()),
                key.material().secretKey(hmacName(key.attributes().kind())),
                op.data(),
                op.signature());
        case AES_CMAC -> cmac.verify(key.material().secretKey("AES"), op.data(), op.signature());
        case ECDSA -> {
          checkSignatureParameters(key, op);
          yield signatures.verifyEcdsa(
              ecdsaName(op), key.material().publicKey(), op.data(), op.signature());
        }
        case RSA_PKCS1 -> {
          checkSignatureParameters(key, op);
          yield signatures.verifyRsaPkcs1(
              rsaPkcs1Name(op), key.material().publicKey(), op.data(), op.signature());
        }
        case RSA_PSS -> {
          checkSignatureParameters(key, op);
          yield signatures.verifyRsaPss(
              pss(op), key.material().publicKey(), op.data(), op.signature());
        }
        case ML_DSA -> {
          Signature v = engine.signature("ML-DSA");
          v.initVerify(key.material().publicKey());
          v.update(op.data());
          boolean valid;
          try {
            valid = v.verify(op.signature());
          } catch (java.security.SignatureException malformed) {
            valid = false; // a signature of the wrong size is simply not valid
          }
          yield valid;
        }
        case RSA_PSS_DIGEST -> {
          checkSignatureParameters(key, op);
          yield pssOverDigest.verify(
              key.material().publicKey(),
              op.hash().jcaName(),
              op.mgf1Hash().jcaName(),
              op.saltLength(),
              op.data(),
              op.signature());
        }
        default -> throw notFor(op, "verification");
      };
    } catch (GeneralSecurityException e) {
      throw new DdiException(Status.INVALID_PARAMETER, op.algorithm() + " refused its parameters");
    } catch (CryptoRefusal r) {
      throw status(r);
    }
  }

  public Encrypted encrypt(LoadedKey key, Operation op) throws DdiException {
    require(key, op, KeyUsage.ENCRYPT, KeyLifecycle.Use.PROTECT);
    try {
      return switch (op.algorithm()) {
        case AES_GCM -> {
          // The device chooses GCM IVs: a caller-chosen IV risks reuse, which breaks GCM (SP
          // 800-38D 8.2).
          mode.check(op.iv().length == 0, "AES-GCM encryption with a caller-chosen IV");
          byte[] iv = op.iv().length == 0 ? random.publicNonce(Ciphers.GCM_IV_BYTES) : op.iv();
          yield new Encrypted(
              iv, ciphers.aesGcmEncrypt(key.material().secretKey("AES"), iv, op.aad(), op.data()));
        }
        case AES_CBC, AES_CBC_PAD -> {
          byte[] iv = op.iv().length == 0 ? random.publicNonce(16) : op.iv();
          yield new Encrypted(
              iv,
              ciphers.aesCbcEncrypt(
                  key.material().secretKey("AES"),
                  iv,
                  op.data(),
                  op.algorithm() == Algorithm.AES_CBC_PAD));
        }
        case AES_ECB ->
            new Encrypted(
                new byte[0], ciphers.aesEcb(key.material().secretKey("AES"), op.data(), true));
        case AES_CTR -> {
          byte[] counter = op.iv().length == 0 ? random.publicNonce(16) : op.iv();
          yield new Encrypted(
              counter, ciphers.aesCtr(key.material().secretKey("AES"), counter, op.data()));
        }
        case AES_XTS -> {
          checkXts(op);
          yield new Encrypted(
              op.iv(), withSecret(key, k -> xts.encrypt(k, op.iv(), op.dataUnitSize(), op.data())));
        }
        case RSA_OAEP -> {
          checkOaep(op);
          yield new Encrypted(
              new byte[0],
              ciphers.rsaOaepEncrypt(
                  key.material().publicKey(),
                  op.hash().jcaName(),
                  op.mgf1Hash().jcaName(),
                  op.aad(),
                  op.data()));
        }
        default -> throw notFor(op, "encryption");
      };
    } catch (CryptoRefusal r) {
      throw status(r);
    }
  }

  public byte[] decrypt(LoadedKey key, Operation op) throws DdiException {
    require(key, op, KeyUsage.ENCRYPT, KeyLifecycle.Use.PROCESS);
    try {
      return switch (op.algorithm()) {
        case AES_GCM ->
            ciphers.aesGcmDecrypt(key.material().secretKey("AES"), op.iv(), op.aad(), op.data());
        case AES_CBC, AES_CBC_PAD ->
            ciphers.aesCbcDecrypt(
                key.material().secretKey("AES"),
                op.iv(),
                op.data(),
                op.algorithm() == Algorithm.AES_CBC_PAD);
        case AES_ECB -> ciphers.aesEcb(key.material().secretKey("AES"), op.data(), false);
        case AES_CTR -> ciphers.aesCtr(key.material().secretKey("AES"), op.iv(), op.data());
        case AES_XTS -> {
          checkXts(op);
          yield withSecret(key, k -> xts.decrypt(k, op.iv(), op.dataUnitSize(), op.data()));
        }
        case RSA_OAEP -> {
          checkOaep(op);
          requirePrivate(key);
          yield ciphers.rsaOaepDecrypt(
              key.material().privateKey(),
              op.hash().jcaName(),
              op.mgf1Hash().jcaName(),
              op.aad(),
              op.data());
        }
        default -> throw notFor(op, "decryption");
      };
    } catch (CryptoRefusal r) {
      throw status(r);
    }
  }

  /** The one place where primitive refusals become device statuses. */
  static DdiException status(CryptoRefusal r) {
    Status s =
        switch (r.reason()) {
          case INVALID_INPUT -> Status.INVALID_INPUT_LENGTH;
          case BAD_TAG -> Status.BAD_TAG;
          case BAD_PADDING -> Status.BAD_PADDING;
          case INVALID_PUBLIC_KEY -> Status.INVALID_PUBLIC_KEY;
          case CURVE_MISMATCH -> Status.CURVE_MISMATCH;
          case INPUT_TOO_LARGE -> Status.INPUT_TOO_LARGE;
        };
    return new DdiException(s, r.getMessage());
  }

  private static void require(LoadedKey key, Operation op, KeyUsage usage, KeyLifecycle.Use use)
      throws DdiException {
    if (!op.algorithm().takes(key.attributes().kind())) {
      throw new DdiException(
          Status.WRONG_KEY_KIND,
          op.algorithm() + " cannot use a " + key.attributes().kind().textName() + " key");
    }
    if (key.attributes().usage() != usage) {
      throw new DdiException(
          Status.USAGE_NOT_PERMITTED,
          "the key's usage is "
              + key.attributes().usage().textName()
              + ", this needs "
              + usage.textName());
    }
    key.requireState(use);
  }

  private static void requirePrivate(LoadedKey key) throws DdiException {
    if (key.material().isAsymmetric() && !key.material().hasPrivateKey()) {
      throw new DdiException(
          Status.USAGE_NOT_PERMITTED, "an imported public key can only verify or encrypt");
    }
  }

  private Signature signature(LoadedKey key, Operation op)
      throws DdiException, GeneralSecurityException {
    checkSignatureParameters(key, op);
    return switch (op.algorithm()) {
      case ECDSA -> engine.signature(ecdsaName(op));
      case RSA_PKCS1 -> engine.signature(rsaPkcs1Name(op));
      case RSA_PSS -> {
        Signature s = engine.signature("RSASSA-PSS");
        s.setParameter(pss(op));
        yield s;
      }
      default -> throw notFor(op, "signing");
    };
  }

  private void checkSignatureParameters(LoadedKey key, Operation op) throws DdiException {
    boolean prehashed = op.algorithm() == Algorithm.ECDSA && op.hash() == HashAlgorithm.NONE;
    if (prehashed) {
      int n = op.data().length;
      if (n != 32 && n != 48 && n != 64) {
        throw new DdiException(
            Status.INVALID_INPUT_LENGTH, "a pre-hashed ECDSA input is a SHA-256/384/512 digest");
      }
      return;
    }
    if (op.algorithm() == Algorithm.RSA_PKCS1 && op.hash() == HashAlgorithm.NONE) {
      HashAlgorithm named = DigestInfo.hashOf(op.data());
      if (named == null) {
        throw new DdiException(
            Status.INVALID_INPUT_LENGTH,
            "a pre-hashed RSA PKCS#1 input is the DigestInfo of a SHA-1/256/384/512 digest");
      }
      mode.check(named != HashAlgorithm.SHA1, "SHA-1 in a digital signature");
      return;
    }
    mode.check(op.hash() != HashAlgorithm.SHA1, "SHA-1 in a digital signature");
    if (!SIGNATURE_HASHES.contains(op.hash()) && op.hash() != HashAlgorithm.SHA1) {
      throw new DdiException(
          Status.INVALID_PARAMETER, "signatures use SHA-256, SHA-384 or SHA-512");
    }
    if (op.algorithm() == Algorithm.RSA_PSS_DIGEST && op.data().length != op.hash().length()) {
      throw new DdiException(
          Status.INVALID_INPUT_LENGTH, "the data must be the " + op.hash().jcaName() + " digest");
    }
    if (op.algorithm() == Algorithm.RSA_PSS || op.algorithm() == Algorithm.RSA_PSS_DIGEST) {
      mode.check(op.mgf1Hash() != HashAlgorithm.SHA1, "SHA-1 in a digital signature");
      if (!SIGNATURE_HASHES.contains(op.mgf1Hash()) && op.mgf1Hash() != HashAlgorithm.SHA1) {
        throw new DdiException(
            Status.INVALID_PARAMETER, "PSS uses MGF1 with SHA-256, SHA-384 or SHA-512");
      }
      int modulusBytes = (((RSAKey) key.material().publicKey()).getModulus().bitLength() + 7) / 8;
      if (op.saltLength() < 0 || op.saltLength() > modulusBytes - op.hash().length() - 2) {
        throw new DdiException(
            Status.INVALID_PARAMETER, "PSS salt length does not fit this key and hash");
      }
    }
  }

  private static String ecdsaName(Operation op) {
    return op.hash() == HashAlgorithm.NONE
        ? "NONEwithECDSA"
        : op.hash().compactName() + "withECDSA";
  }

  /** A pre-hashed input (hash 0) is a DigestInfo, padded and signed as it is. */
  private static String rsaPkcs1Name(Operation op) {
    return op.hash() == HashAlgorithm.NONE ? "NONEwithRSA" : op.hash().compactName() + "withRSA";
  }

  private static PSSParameterSpec pss(Operation op) {
    return new PSSParameterSpec(
        op.hash().jcaName(),
        "MGF1",
        new MGF1ParameterSpec(op.mgf1Hash().jcaName()),
        op.saltLength(),
        PSSParameterSpec.TRAILER_FIELD_BC);
  }

  private static void checkOaep(Operation op) throws DdiException {
    if (!OAEP_HASHES.contains(op.hash()) || !OAEP_HASHES.contains(op.mgf1Hash())) {
      throw new DdiException(
          Status.INVALID_PARAMETER, "OAEP uses SHA-1, SHA-256, SHA-384 or SHA-512 and MGF1");
    }
  }

  private static void checkXts(Operation op) throws DdiException {
    if (op.iv().length != 16) {
      throw new DdiException(
          Status.INVALID_PARAMETER, "XTS needs the 16-byte tweak of the first data unit");
    }
    if (!Xts.validUnits(op.dataUnitSize(), op.data().length)) {
      throw new DdiException(
          Status.DATA_UNIT_OUT_OF_RANGE,
          "XTS data units are 16 bytes to 16 MiB in whole blocks, and the data whole units");
    }
  }

  private static String hmacName(KeyKind kind) {
    return switch (kind) {
      case HMAC_SHA256 -> "HmacSHA256";
      case HMAC_SHA384 -> "HmacSHA384";
      case HMAC_SHA512 -> "HmacSHA512";
      default -> throw new IllegalStateException(kind + " is not an HMAC kind");
    };
  }

  private interface SecretUse {
    byte[] apply(byte[] secret) throws CryptoRefusal;
  }

  /** Runs with a copy of the raw key bytes and wipes the copy after. */
  private static byte[] withSecret(LoadedKey key, SecretUse use) throws CryptoRefusal {
    byte[] k = key.material().secretBytes();
    try {
      return use.apply(k);
    } finally {
      Arrays.fill(k, (byte) 0);
    }
  }

  private static DdiException notFor(Operation op, String what) {
    return new DdiException(Status.INVALID_PARAMETER, op.algorithm() + " is not for " + what);
  }
}
