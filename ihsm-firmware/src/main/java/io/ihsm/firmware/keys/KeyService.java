package io.ihsm.firmware.keys;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.key.KeyAttributes;
import io.ihsm.ddi.key.KeyInfo;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyOrigin;
import io.ihsm.ddi.spi.Port;
import io.ihsm.firmware.crypto.CryptoEngine;
import io.ihsm.firmware.rng.RandomSource;
import io.ihsm.firmware.vault.Masking;
import io.ihsm.firmware.vault.Vault;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

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
    KeyGeneration.checkUsage(attrs.kind(), attrs.usage());
    KeyTable table = table(port);
    Masking masking = masking(port, sessionId, attrs.sessionKey());
    KeyMaterial material = generation.generate(attrs.kind());
    return store(port, table, masking, new KeyTable.LoadedKeyDraft(attrs, KeyOrigin.GENERATED,
        attrs.sessionKey() ? sessionId : 0, material), true);
  }

  /** Loads a key from its masked blob; the blob must be this partition's (or this session's). */
  public KeyInfo unmask(Port port, int sessionId, byte[] blob) throws DdiException {
    boolean sessionKey = blob.length > 1 && blob[1] == Masking.Kind.SESSION_KEY.code;
    Masking masking = masking(port, sessionId, sessionKey);
    Masking.Opened opened = masking.open(blob, sessionKey ? Masking.Kind.SESSION_KEY : Masking.Kind.KEY,
        vault.binding(port));
    try {
      Metadata meta = Metadata.decode(opened.metadata());
      KeyMaterial material = decodeMaterial(meta, opened.secret());
      return store(port, table(port), masking,
          new KeyTable.LoadedKeyDraft(meta.attributes(), meta.origin(), sessionKey ? sessionId : 0, material), false);
    } finally {
      Arrays.fill(opened.secret(), (byte) 0);
    }
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

  private KeyInfo store(Port port, KeyTable table, Masking masking, KeyTable.LoadedKeyDraft draft, boolean withBlob)
      throws DdiException {
    byte[] blob = new byte[0];
    if (withBlob) {
      byte[] secret = draft.material().encode();
      try {
        Metadata meta = new Metadata(port.partitionId(), draft.attributes(), draft.origin(), firmwareSvn,
            draft.material().isAsymmetric() ? draft.material().publicKey().getEncoded() : new byte[0]);
        blob = masking.seal(draft.attributes().sessionKey() ? Masking.Kind.SESSION_KEY : Masking.Kind.KEY,
            vault.binding(port), 0, meta.encode(), secret);
      } finally {
        Arrays.fill(secret, (byte) 0);
      }
    }
    LoadedKey k;
    try {
      k = table.add(draft);
    } catch (DdiException e) {
      draft.material().wipe();
      throw e;
    }
    return new KeyInfo(k.handle(), k.attributes(), k.origin(), k.publicKeyDer(), blob);
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

  private synchronized Masking masking(Port port, int sessionId, boolean sessionKey) throws DdiException {
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

  private KeyMaterial decodeMaterial(Metadata meta, byte[] secret) throws DdiException {
    KeyKind kind = meta.attributes().kind();
    if (!kind.isAsymmetric()) {
      if (kind != KeyKind.SECRET && secret.length != kind.bytes()) {
        throw new DdiException(Status.MASKED_BLOB_INVALID, "key material of the wrong length");
      }
      return KeyMaterial.symmetric(kind, secret.clone());
    }
    try {
      String alg = kind.family() == KeyKind.Family.EC ? "EC" : "RSA";
      PrivateKey priv = engine.keyFactory(alg).generatePrivate(new PKCS8EncodedKeySpec(secret));
      PublicKey pub = engine.keyFactory(alg).generatePublic(new X509EncodedKeySpec(meta.publicKey()));
      return KeyMaterial.asymmetric(kind, new KeyPair(pub, priv));
    } catch (GeneralSecurityException e) {
      throw new DdiException(Status.MASKED_BLOB_INVALID, "key material does not decode");
    }
  }

  /**
   * A key blob's clear, authenticated metadata.
   * <pre>u32 partition id, attributes, u8 origin, u32 firmware SVN, bytes public key (SPKI, ≤ 1024)</pre>
   */
  record Metadata(int partitionId, KeyAttributes attributes, KeyOrigin origin, int firmwareSvn, byte[] publicKey) {
    byte[] encode() {
      BodyWriter w = new BodyWriter().u32(partitionId);
      attributes.writeTo(w);
      return w.u8(origin.code()).u32(firmwareSvn).bytes(publicKey, KeyInfo.MAX_PUBLIC_KEY).toByteArray();
    }

    static Metadata decode(byte[] b) throws DdiException {
      try {
        BodyReader r = BodyReader.of(b);
        Metadata m = new Metadata(r.u32("partitionId"), KeyAttributes.readField(r), KeyOrigin.fromCode(r.u8("origin")),
            r.u32("firmwareSvn"), r.bytes("publicKey", KeyInfo.MAX_PUBLIC_KEY));
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
