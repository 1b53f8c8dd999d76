package io.ihsm.firmware.keys;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.key.Algorithm;
import io.ihsm.ddi.key.DeriveKeyRequest;
import io.ihsm.ddi.key.KeyActivation;
import io.ihsm.ddi.key.KeyAttributes;
import io.ihsm.ddi.key.KeyInfo;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyLifecycle;
import io.ihsm.ddi.key.KeyOrigin;
import io.ihsm.ddi.key.KeyState;
import io.ihsm.ddi.key.KeyStateChange;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.ddi.key.RotatedKey;
import io.ihsm.ddi.key.UnwrapKeyRequest;
import io.ihsm.ddi.key.WrapKeyRequest;
import io.ihsm.ddi.spi.Port;
import io.ihsm.firmware.crypto.Ciphers;
import io.ihsm.firmware.crypto.CryptoEngine;
import io.ihsm.firmware.crypto.CryptoRefusal;
import io.ihsm.firmware.crypto.Hkdf;
import io.ihsm.firmware.crypto.Kbkdf;
import io.ihsm.firmware.crypto.KeyAgreements;
import io.ihsm.firmware.rng.RandomSource;
import io.ihsm.firmware.vault.Masking;
import io.ihsm.firmware.vault.Vault;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.spec.SecretKeySpec;

/**
 * The partitions' keys: made, masked, loaded from their blobs and unloaded. App keys are masked
 * under the partition's masking secret; session keys under a secret of their session, which
 * vanishes when the session closes, so their blobs die with it.
 */
public final class KeyService {
  private final Vault vault;
  private final CryptoEngine engine;
  private final RandomSource random;
  private final KeyGeneration generation;
  private final int firmwareSvn;
  private final Map<Integer, KeyTable> tables = new HashMap<>();
  private final Map<Integer, Masking> sessionMaskings = new HashMap<>();

  public KeyService(Vault vault, CryptoEngine engine, RandomSource random, int firmwareSvn) {
    this.vault = vault;
    this.engine = engine;
    this.random = random;
    this.generation = new KeyGeneration(engine, random);
    this.firmwareSvn = firmwareSvn;
  }

  public KeyInfo generate(Port port, int sessionId, KeyAttributes attrs) throws DdiException {
    return generate(port, sessionId, attrs, 0, KeyActivation.NOW);
  }

  /**
   * @param length in bytes, 0 for the kind's own size; only HMAC keys take another (14 to 128)
   * @param activation when the key becomes active ({@link KeyActivation})
   */
  public KeyInfo generate(
      Port port, int sessionId, KeyAttributes attrs, int length, long activation)
      throws DdiException {
    KeyGeneration.checkUsage(attrs.kind(), attrs.usage());
    KeyGeneration.checkLength(attrs.kind(), length);
    checkActivation(attrs, activation);
    table(port); // refuse before spending time on generation
    return storeNew(
        port,
        sessionId,
        attrs,
        KeyOrigin.GENERATED,
        generation.generate(attrs.kind(), length),
        activation);
  }

  private static void checkActivation(KeyAttributes attrs, long activation) throws DdiException {
    if (attrs.sessionKey() && activation != KeyActivation.NOW) {
      throw new DdiException(
          Status.INVALID_PARAMETER, "a session key is active for its session's life");
    }
  }

  /** Loads a key from its masked blob; the blob must be this partition's (or this session's). */
  public KeyInfo unmask(Port port, int sessionId, byte[] blob) throws DdiException {
    boolean sessionKey = blob.length > 1 && blob[1] == Masking.Kind.SESSION_KEY.code;
    Masking masking =
        sessionKey
            ? masking(port, sessionId, true)
            : vault.keyMasking(port, Masking.epochOf(blob)); // a domain key of another epoch too
    Masking.Opened opened =
        masking.open(
            blob, sessionKey ? Masking.Kind.SESSION_KEY : Masking.Kind.KEY, vault.binding(port));
    try {
      Metadata meta = Metadata.decode(opened.metadata());
      KeyMaterial material = decodeMaterial(meta, opened.secret());
      KeyLifecycle lifecycle =
          meta.lifecycle() != null ? meta.lifecycle() : legacyLifecycle(port, meta);
      if (lifecycle.state() == KeyState.DESTROYED) {
        material.wipe();
        throw new DdiException(Status.KEY_STATE_NOT_PERMITTED, "the key was destroyed");
      }
      LoadedKey same =
          sessionKey ? null : table(port).loadedAppKey(meta.attributes().label(), material);
      if (same != null) {
        // Already loaded (by another client of the partition): the same key, so its handle and
        // the lifecycle the device holds, which is never older than a blob's.
        material.wipe();
        return info(same, new byte[0]);
      }
      return store(
          port,
          table(port),
          masking,
          new KeyTable.LoadedKeyDraft(
              meta.attributes(), meta.origin(), lifecycle, sessionKey ? sessionId : 0, material),
          false);
    } finally {
      Arrays.fill(opened.secret(), (byte) 0);
    }
  }

  /** The partition's RSA unwrapping key, for the host to wrap keys it brings. */
  public byte[] unwrappingPublicKey(Port port) throws DdiException {
    return vault.unwrappingKey(port).getPublic().getEncoded();
  }

  /**
   * Bring your own key: {@code wrapped} is RSA-OAEP (SHA-256, MGF1-SHA-256, no label) of a one-time
   * AES-256 key under the partition's unwrapping key, followed by AES-KWP of the key material under
   * that AES key (PKCS#11's CKM_RSA_AES_KEY_WRAP).
   */
  public KeyInfo importWrapped(
      Port port, int sessionId, KeyAttributes attrs, byte[] wrapped, long activation)
      throws DdiException {
    KeyGeneration.checkUsage(attrs.kind(), attrs.usage());
    checkActivation(attrs, activation);
    byte[] material = rsaAesUnwrap(vault.unwrappingKey(port).getPrivate(), wrapped);
    return storeNew(
        port,
        sessionId,
        attrs,
        KeyOrigin.IMPORTED,
        KeyMaterials.of(engine, attrs.kind(), material),
        activation);
  }

  /**
   * The RSA-AES key unwrap: the OAEP block gives a one-time AES-256 key, which unwraps the KWP
   * block.
   */
  private byte[] rsaAesUnwrap(PrivateKey rsa, byte[] wrapped) throws DdiException {
    int rsaBytes = (((RSAKey) rsa).getModulus().bitLength() + 7) / 8;
    if (wrapped.length <= rsaBytes) {
      throw new DdiException(
          Status.INVALID_INPUT_LENGTH,
          "an RSA-AES wrapped key is the OAEP block then the KWP block");
    }
    Ciphers ciphers = new Ciphers(engine);
    byte[] aes = null;
    try {
      aes =
          ciphers.rsaOaepDecrypt(
              rsa, "SHA-256", "SHA-256", new byte[0], Arrays.copyOf(wrapped, rsaBytes));
      if (aes.length != 32) {
        throw new DdiException(
            Status.INVALID_KEY_MATERIAL, "the one-time wrapping key must be AES-256");
      }
      return ciphers.aesKwpUnwrap(
          new SecretKeySpec(aes, "AES"), Arrays.copyOfRange(wrapped, rsaBytes, wrapped.length));
    } catch (CryptoRefusal r) {
      throw KeyOperations.status(r);
    } finally {
      if (aes != null) {
        Arrays.fill(aes, (byte) 0);
      }
    }
  }

  /**
   * The RSA-AES key wrap: a one-time AES-256 key, OAEP-encrypted to the RSA key, wraps the material
   * with KWP.
   */
  private byte[] rsaAesWrap(PublicKey rsa, byte[] material) throws CryptoRefusal {
    byte[] aes = random.bytes(32);
    try {
      Ciphers ciphers = new Ciphers(engine);
      byte[] head = ciphers.rsaOaepEncrypt(rsa, "SHA-256", "SHA-256", new byte[0], aes);
      byte[] tail = ciphers.aesKwpWrap(new SecretKeySpec(aes, "AES"), material);
      byte[] out = Arrays.copyOf(head, head.length + tail.length);
      System.arraycopy(tail, 0, out, head.length, tail.length);
      return out;
    } finally {
      Arrays.fill(aes, (byte) 0);
    }
  }

  /** A public key from its SubjectPublicKeyInfo: for verifying and encrypting only. */
  public KeyInfo importPublic(
      Port port, int sessionId, KeyAttributes attrs, byte[] spki, long activation)
      throws DdiException {
    checkActivation(attrs, activation);
    if (attrs.usage() != KeyUsage.SIGN
        && attrs.usage() != KeyUsage.ENCRYPT
        && attrs.usage() != KeyUsage.WRAP) {
      throw new DdiException(
          Status.INVALID_PARAMETER,
          "public keys verify (usage sign), encrypt (usage encrypt) or wrap keys for export (RSA, usage wrap)");
    }
    KeyGeneration.checkUsage(attrs.kind(), attrs.usage());
    return storeNew(
        port,
        sessionId,
        attrs,
        KeyOrigin.IMPORTED,
        KeyMaterials.publicKey(engine, attrs.kind(), spki),
        activation);
  }

  /**
   * Wraps an extractable key under a wrapping key; a non-extractable key never leaves, by any path.
   */
  public byte[] wrap(Port port, int sessionId, WrapKeyRequest request) throws DdiException {
    LoadedKey wrapping =
        wrappingKey(port, sessionId, request.wrappingHandle(), request.algorithm());
    wrapping.requireState(KeyLifecycle.Use.PROTECT);
    LoadedKey target = find(port, sessionId, request.targetHandle());
    if (!target.attributes().extractable()) {
      throw new DdiException(Status.NOT_EXTRACTABLE, "the key is not extractable");
    }
    if (target.material().isAsymmetric() && !target.material().hasPrivateKey()) {
      throw new DdiException(
          Status.INVALID_PARAMETER, "a public key is exported as SPKI, not wrapped");
    }
    byte[] material = target.material().encode();
    try {
      Ciphers ciphers = new Ciphers(engine);
      return switch (request.algorithm()) {
        case AES_KW -> ciphers.aesKwWrap(wrapping.material().secretKey("AES"), material);
        case RSA_AES_KW -> rsaAesWrap(wrapping.material().publicKey(), material);
        default -> ciphers.aesKwpWrap(wrapping.material().secretKey("AES"), material);
      };
    } catch (CryptoRefusal r) {
      throw KeyOperations.status(r);
    } finally {
      Arrays.fill(material, (byte) 0);
    }
  }

  public KeyInfo unwrap(Port port, int sessionId, UnwrapKeyRequest request) throws DdiException {
    KeyGeneration.checkUsage(request.attributes().kind(), request.attributes().usage());
    LoadedKey wrapping =
        wrappingKey(port, sessionId, request.wrappingHandle(), request.algorithm());
    wrapping.requireState(KeyLifecycle.Use.PROCESS);
    byte[] material;
    if (request.algorithm() == Algorithm.RSA_AES_KW) {
      if (!wrapping.material().hasPrivateKey()) {
        throw new DdiException(
            Status.USAGE_NOT_PERMITTED,
            "an imported public key wraps; unwrapping needs the private key");
      }
      material = rsaAesUnwrap(wrapping.material().privateKey(), request.wrapped());
    } else {
      try {
        Ciphers ciphers = new Ciphers(engine);
        material =
            request.algorithm() == Algorithm.AES_KW
                ? ciphers.aesKwUnwrap(wrapping.material().secretKey("AES"), request.wrapped())
                : ciphers.aesKwpUnwrap(wrapping.material().secretKey("AES"), request.wrapped());
      } catch (CryptoRefusal r) {
        throw KeyOperations.status(r);
      }
    }
    return storeNew(
        port,
        sessionId,
        request.attributes(),
        KeyOrigin.IMPORTED,
        KeyMaterials.of(engine, request.attributes().kind(), material),
        KeyActivation.NOW);
  }

  /** ECDH into a secret that never leaves, or HKDF / KBKDF from a secret or HMAC key. */
  public KeyInfo derive(Port port, int sessionId, DeriveKeyRequest request) throws DdiException {
    KeyAttributes attrs = request.attributes();
    KeyGeneration.checkUsage(attrs.kind(), attrs.usage());
    LoadedKey base = find(port, sessionId, request.baseHandle());
    if (base.attributes().usage() != KeyUsage.DERIVE) {
      throw new DdiException(
          Status.USAGE_NOT_PERMITTED,
          "the base key's usage is "
              + base.attributes().usage().textName()
              + ", derivation needs derive");
    }
    base.requireState(
        request.method() == DeriveKeyRequest.Method.ML_KEM
            ? KeyLifecycle.Use.PROCESS // decapsulating is receiving, as decrypting is
            : KeyLifecycle.Use.PROTECT);
    int length =
        request.method() == DeriveKeyRequest.Method.ML_KEM
            ? 32
            : outputLength(attrs.kind(), request.length());
    byte[] output;
    switch (request.method()) {
      case ECDH -> {
        if (base.attributes().kind().family() != KeyKind.Family.EC
            || !base.material().hasPrivateKey()) {
          throw new DdiException(Status.WRONG_KEY_KIND, "ECDH needs an EC private key");
        }
        if (attrs.kind() != KeyKind.SECRET) {
          throw new DdiException(
              Status.INVALID_PARAMETER,
              "ECDH makes a secret key (kind secret); derive keys from it");
        }
        KeyAgreements ka = new KeyAgreements(engine);
        try {
          output =
              ka.ecdh(base.material().privateKey(), ka.parseEcPublicKey(request.peerPublicKey()));
        } catch (CryptoRefusal r) {
          throw KeyOperations.status(r);
        }
        if (request.length() != 0 && request.length() != output.length) {
          Arrays.fill(output, (byte) 0);
          throw new DdiException(
              Status.INVALID_PARAMETER, "an ECDH secret is as long as the curve's field");
        }
      }
      case HKDF, KBKDF -> {
        KeyKind.Family f = base.attributes().kind().family();
        if (f != KeyKind.Family.SECRET && f != KeyKind.Family.HMAC) {
          throw new DdiException(
              Status.WRONG_KEY_KIND, request.method() + " needs a secret or HMAC base key");
        }
        String hmac =
            switch (request.hash()) {
              case SHA256 -> "HmacSHA256";
              case SHA384 -> "HmacSHA384";
              case SHA512 -> "HmacSHA512";
              default ->
                  throw new DdiException(
                      Status.INVALID_PARAMETER, "HKDF and KBKDF use SHA-256, SHA-384 or SHA-512");
            };
        byte[] key = base.material().secretBytes();
        try {
          if (request.method() == DeriveKeyRequest.Method.HKDF) {
            Hkdf hkdf = new Hkdf(engine, hmac);
            if (length > hkdf.maxOutputLength()) {
              throw new DdiException(
                  Status.INVALID_PARAMETER,
                  "HKDF gives at most " + hkdf.maxOutputLength() + " bytes");
            }
            output = hkdf.derive(key, request.salt(), request.info(), length);
          } else {
            output = new Kbkdf(engine, hmac).derive(key, request.salt(), request.info(), length);
          }
        } finally {
          Arrays.fill(key, (byte) 0);
        }
      }
      case ML_KEM -> output = decapsulate(base, attrs.kind(), request);
      default -> throw new DdiException(Status.INVALID_PARAMETER, "unknown derivation");
    }
    return storeNew(
        port,
        sessionId,
        attrs,
        KeyOrigin.DERIVED,
        KeyMaterials.of(engine, attrs.kind(), output),
        KeyActivation.NOW);
  }

  /**
   * ML-KEM decapsulation (FIPS 203): the 32-byte shared secret of the ciphertext, which becomes a
   * secret, aes-256 or hmac-sha256 key. A ciphertext of the wrong size is refused; a wrong one of
   * the right size gives another secret (implicit rejection), as the standard says.
   */
  private byte[] decapsulate(LoadedKey base, KeyKind kind, DeriveKeyRequest request)
      throws DdiException {
    if (base.attributes().kind().family() != KeyKind.Family.ML_KEM
        || !base.material().hasPrivateKey()) {
      throw new DdiException(
          Status.WRONG_KEY_KIND, "ML-KEM decapsulation needs an ML-KEM private key");
    }
    if (kind != KeyKind.SECRET && kind != KeyKind.AES_256 && kind != KeyKind.HMAC_SHA256) {
      throw new DdiException(
          Status.INVALID_PARAMETER,
          "an ML-KEM shared secret (32 bytes) becomes a secret, aes-256 or hmac-sha256 key");
    }
    if (request.length() != 0 && request.length() != 32) {
      throw new DdiException(Status.INVALID_PARAMETER, "an ML-KEM shared secret is 32 bytes");
    }
    try {
      return engine
          .kem("ML-KEM")
          .newDecapsulator(base.material().privateKey())
          .decapsulate(request.peerPublicKey())
          .getEncoded();
    } catch (javax.crypto.DecapsulateException
        | java.security.InvalidKeyException
        | RuntimeException e) {
      throw new DdiException(
          Status.INVALID_INPUT_LENGTH,
          "not an ML-KEM ciphertext for a " + base.attributes().kind().textName() + " key");
    }
  }

  private static int outputLength(KeyKind kind, int requested) throws DdiException {
    if (kind.isAsymmetric()) {
      throw new DdiException(
          Status.INVALID_PARAMETER, "key pairs are generated or imported, not derived");
    }
    if (kind == KeyKind.SECRET) {
      if (requested < 0 || requested > DeriveKeyRequest.MAX_SECRET) {
        throw new DdiException(
            Status.INVALID_PARAMETER,
            "a derived secret is 1.." + DeriveKeyRequest.MAX_SECRET + " bytes");
      }
      return requested;
    }
    if (requested != 0 && requested != kind.bytes()) {
      throw new DdiException(
          Status.INVALID_PARAMETER, kind.textName() + " keys are " + kind.bytes() + " bytes");
    }
    return kind.bytes();
  }

  private LoadedKey wrappingKey(Port port, int sessionId, int handle, Algorithm algorithm)
      throws DdiException {
    LoadedKey k = find(port, sessionId, handle);
    KeyKind.Family needed =
        algorithm == Algorithm.RSA_AES_KW ? KeyKind.Family.RSA : KeyKind.Family.AES;
    if (k.attributes().kind().family() != needed) {
      throw new DdiException(Status.WRONG_KEY_KIND, algorithm + " wraps under " + needed + " keys");
    }
    if (k.attributes().usage() != KeyUsage.WRAP) {
      throw new DdiException(
          Status.USAGE_NOT_PERMITTED,
          "the wrapping key's usage is " + k.attributes().usage().textName() + ", this needs wrap");
    }
    return k;
  }

  private KeyInfo storeNew(
      Port port,
      int sessionId,
      KeyAttributes attrs,
      KeyOrigin origin,
      KeyMaterial material,
      long activation)
      throws DdiException {
    KeyTable table = table(port);
    Masking masking = masking(port, sessionId, attrs.sessionKey());
    KeyLifecycle lifecycle =
        KeyTransitions.initial(
            1, random.bytes(KeyLifecycle.ID_BYTES), activation, System.currentTimeMillis());
    return store(
        port,
        table,
        masking,
        new KeyTable.LoadedKeyDraft(
            attrs, origin, lifecycle, attrs.sessionKey() ? sessionId : 0, material),
        true);
  }

  /**
   * The next version of a loaded app key, made here: new material of the same kind, usage and
   * label, active; the version it replaces is deactivated if it was pre-active or active, so only
   * the newest protects. Both come back masked.
   */
  public RotatedKey rotate(Port port, int sessionId, int handle) throws DdiException {
    KeyTable table = table(port);
    LoadedKey current = appKey(port, sessionId, handle, "rotated");
    KeyAttributes attrs = current.attributes();
    if (attrs.label().isEmpty()) {
      throw new DdiException(
          Status.INVALID_PARAMETER, "a key's versions share its label: give it one to rotate it");
    }
    if (current.material().isAsymmetric() && !current.material().hasPrivateKey()) {
      throw new DdiException(
          Status.INVALID_PARAMETER,
          "an imported public key has no material the device could renew; import the next one");
    }
    if (attrs.kind() == KeyKind.SECRET) {
      throw new DdiException(
          Status.INVALID_PARAMETER, "a derived secret is renewed by deriving it again");
    }
    long now = System.currentTimeMillis();
    KeyLifecycle old = current.lifecycle();
    KeyState oldState = old.effectiveState(now);
    if (oldState == KeyState.DESTROYED) {
      throw new DdiException(Status.KEY_STATE_NOT_PERMITTED, "the key was destroyed");
    }
    KeyLifecycle retired =
        oldState == KeyState.ACTIVE || oldState == KeyState.PRE_ACTIVE
            ? old.withState(KeyState.DEACTIVATED).withDates(old.activationDate(), now)
            : old.withState(oldState);
    int length = attrs.kind().family() == KeyKind.Family.HMAC ? current.material().bits() / 8 : 0;
    KeyLifecycle nextLifecycle =
        KeyTransitions.initial(
            old.version() + 1, random.bytes(KeyLifecycle.ID_BYTES), KeyActivation.NOW, now);
    KeyInfo next =
        store(
            port,
            table,
            vault.keyMasking(port),
            new KeyTable.LoadedKeyDraft(
                attrs,
                KeyOrigin.GENERATED,
                nextLifecycle,
                0,
                generation.generate(attrs.kind(), length)),
            true);
    return new RotatedKey(next, remask(port, table, current.withLifecycle(retired)));
  }

  /** Moves a loaded app key to another state ({@link KeyTransitions}); answers it masked anew. */
  public KeyInfo setState(Port port, int sessionId, KeyStateChange change) throws DdiException {
    KeyTable table = table(port);
    LoadedKey current = appKey(port, sessionId, change.handle(), "moved between states");
    KeyLifecycle next =
        KeyTransitions.apply(current.lifecycle(), change, System.currentTimeMillis());
    if (next.state() == KeyState.DESTROYED) {
      LoadedKey gone = current.withLifecycle(next);
      table.remove(current.handle()); // wipes the material
      return info(gone, new byte[0]);
    }
    return remask(port, table, current.withLifecycle(next));
  }

  private LoadedKey appKey(Port port, int sessionId, int handle, String what) throws DdiException {
    LoadedKey k = find(port, sessionId, handle);
    if (!k.isAppKey()) {
      throw new DdiException(
          Status.INVALID_PARAMETER,
          "a session key lives as long as its session; only app keys are " + what);
    }
    return k;
  }

  /** Records a loaded app key's new lifecycle and answers its blob with it. */
  private KeyInfo remask(Port port, KeyTable table, LoadedKey changed) throws DdiException {
    byte[] blob =
        seal(
            port,
            vault.keyMasking(port),
            changed.attributes(),
            changed.origin(),
            changed.lifecycle(),
            changed.material());
    table.update(changed);
    return info(changed, blob);
  }

  private static KeyInfo info(LoadedKey k, byte[] blob) {
    return new KeyInfo(
        k.handle(), k.attributes(), k.origin(), k.lifecycle(), k.publicKeyDer(), blob);
  }

  /**
   * A blob masked before keys had versions: version 1, active, with an id derived from the
   * partition and the blob's metadata (label, kind, public key …), stable as those blobs are.
   */
  private KeyLifecycle legacyLifecycle(Port port, Metadata meta) throws DdiException {
    MessageDigest d = engine.digest("SHA-256");
    d.update("ihsm legacy key id".getBytes(StandardCharsets.US_ASCII));
    d.update(vault.binding(port));
    d.update(meta.encode());
    return new KeyLifecycle(
        1, Arrays.copyOf(d.digest(), KeyLifecycle.ID_BYTES), KeyState.ACTIVE, 0, 0);
  }

  public void unload(Port port, int sessionId, int handle) throws DdiException {
    KeyTable t = table(port);
    t.find(handle, sessionId);
    t.remove(handle);
  }

  /** The key a request names, as seen from its session. */
  public LoadedKey find(Port port, int sessionId, int handle) throws DdiException {
    return table(port).find(handle, sessionId);
  }

  /** What a key attestation report says of the key a request names. */
  public AttestedKey describe(Port port, int sessionId, int handle) throws DdiException {
    LoadedKey k = find(port, sessionId, handle);
    return new AttestedKey(
        k.attributes(),
        k.origin(),
        k.lifecycle().withState(k.lifecycle().effectiveState(System.currentTimeMillis())),
        k.material().bits(),
        k.material().isAsymmetric() ? k.material().publicKey() : null);
  }

  /** A session ended: its keys and its masking secret are gone. */
  public synchronized void sessionClosed(Port port, int sessionId) {
    KeyTable t = tables.get(port.partitionId());
    if (t != null) {
      t.removeSession(sessionId);
    }
    Masking m = sessionMaskings.remove(sessionId);
    if (m != null) {
      m.destroy();
    }
  }

  /** How many keys a partition has loaded in the device now (app and session keys). */
  public synchronized int loadedKeys(int partitionId) {
    KeyTable t = tables.get(partitionId);
    return t == null ? 0 : t.size();
  }

  /** How many keys every partition together has loaded in the device now. */
  public synchronized int loadedKeys() {
    return tables.values().stream().mapToInt(KeyTable::size).sum();
  }

  /** The partition was deleted or lost its state. */
  public synchronized void dropPartition(int partitionId) {
    KeyTable t = tables.remove(partitionId);
    if (t != null) {
      t.clear();
    }
  }

  public synchronized void powerOff() {
    tables.values().forEach(KeyTable::clear);
    tables.clear();
    sessionMaskings.values().forEach(Masking::destroy);
    sessionMaskings.clear();
  }

  private KeyInfo store(
      Port port, KeyTable table, Masking masking, KeyTable.LoadedKeyDraft draft, boolean withBlob)
      throws DdiException {
    byte[] blob = new byte[0];
    if (withBlob) {
      blob =
          seal(
              port,
              masking,
              draft.attributes(),
              draft.origin(),
              draft.lifecycle(),
              draft.material());
    }
    LoadedKey k;
    try {
      k = table.add(draft);
    } catch (DdiException e) {
      draft.material().wipe();
      throw e;
    }
    return info(k, blob);
  }

  private byte[] seal(
      Port port,
      Masking masking,
      KeyAttributes attributes,
      KeyOrigin origin,
      KeyLifecycle lifecycle,
      KeyMaterial material)
      throws DdiException {
    byte[] secret = material.encode();
    try {
      Metadata meta =
          new Metadata(
              port.partitionId(),
              attributes,
              origin,
              firmwareSvn,
              material.isAsymmetric() ? material.publicKey().getEncoded() : new byte[0],
              lifecycle);
      return masking.seal(
          attributes.sessionKey() ? Masking.Kind.SESSION_KEY : Masking.Kind.KEY,
          vault.binding(port),
          0,
          meta.encode(),
          secret);
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
  }

  private synchronized KeyTable table(Port port) throws DdiException {
    vault.keyMasking(port); // the partition must be established to hold keys
    KeyTable t = tables.get(port.partitionId());
    if (t == null) {
      t = new KeyTable(vault.limits(port), random);
      tables.put(port.partitionId(), t);
    }
    return t;
  }

  private synchronized Masking masking(Port port, int sessionId, boolean sessionKey)
      throws DdiException {
    if (!sessionKey) {
      return vault.keyMasking(port);
    }
    Masking m = sessionMaskings.get(sessionId);
    if (m == null) {
      byte[] secret = random.bytes(32);
      m = new Masking(engine, random, secret);
      Arrays.fill(secret, (byte) 0);
      sessionMaskings.put(sessionId, m);
    }
    return m;
  }

  /** Material from our own blob: trusted (its tag verified), so no pairwise test on every load. */
  private KeyMaterial decodeMaterial(Metadata meta, byte[] secret) throws DdiException {
    KeyKind kind = meta.attributes().kind();
    if (!kind.isAsymmetric()) {
      if (!KeyMaterials.fits(kind, secret.length)) {
        throw new DdiException(Status.MASKED_BLOB_INVALID, "key material of the wrong length");
      }
      return KeyMaterial.symmetric(kind, secret.clone());
    }
    try {
      String alg = kind.keyAlgorithm();
      PublicKey pub =
          engine.keyFactory(alg).generatePublic(new X509EncodedKeySpec(meta.publicKey()));
      if (secret.length == 0) {
        return KeyMaterial.publicOnly(kind, pub);
      }
      PrivateKey priv = engine.keyFactory(alg).generatePrivate(new PKCS8EncodedKeySpec(secret));
      return KeyMaterial.asymmetric(kind, new KeyPair(pub, priv));
    } catch (GeneralSecurityException e) {
      throw new DdiException(Status.MASKED_BLOB_INVALID, "key material does not decode");
    }
  }

  /**
   * A key blob's clear, authenticated metadata. Blobs masked before keys had versions end after the
   * public key; their {@code lifecycle} is null here.
   *
   * <pre>
   * u32 partition id, attributes, u8 origin, u32 firmware SVN, bytes public key (SPKI, ≤ 4096),
   * lifecycle</pre>
   */
  record Metadata(
      int partitionId,
      KeyAttributes attributes,
      KeyOrigin origin,
      int firmwareSvn,
      byte[] publicKey,
      KeyLifecycle lifecycle) {
    byte[] encode() {
      BodyWriter w = new BodyWriter().u32(partitionId);
      attributes.writeTo(w);
      w.u8(origin.code()).u32(firmwareSvn).bytes(publicKey, KeyInfo.MAX_PUBLIC_KEY);
      if (lifecycle != null) {
        lifecycle.writeTo(w);
      }
      return w.toByteArray();
    }

    static Metadata decode(byte[] b) throws DdiException {
      try {
        BodyReader r = BodyReader.of(b);
        Metadata m =
            new Metadata(
                r.u32("partitionId"),
                KeyAttributes.readField(r),
                KeyOrigin.fromCode(r.u8("origin")),
                r.u32("firmwareSvn"),
                r.bytes("publicKey", KeyInfo.MAX_PUBLIC_KEY),
                r.remaining() > 0 ? KeyLifecycle.readField(r) : null);
        r.end();
        if (m.origin() == null) {
          throw new DdiException(Status.MASKED_BLOB_INVALID, "unknown origin");
        }
        return m;
      } catch (DdiException e) {
        throw new DdiException(Status.MASKED_BLOB_INVALID, "key metadata does not decode");
      }
    }
  }
}
