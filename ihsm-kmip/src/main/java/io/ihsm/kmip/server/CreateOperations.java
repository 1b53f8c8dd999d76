package io.ihsm.kmip.server;

import io.ihsm.ddi.key.KeyActivation;
import io.ihsm.ddi.key.KeyAttributes;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.kmip.protocol.KmipException;
import io.ihsm.kmip.protocol.ResultReason;
import io.ihsm.kmip.protocol.Struct;
import io.ihsm.kmip.protocol.Tag;
import io.ihsm.kmip.server.Attributes.Attribute;
import io.ihsm.kmip.ttlv.Ttlv;
import io.ihsm.sdk.KeyImport;
import io.ihsm.sdk.store.HostKeyStore.StoredKey;
import io.ihsm.sdk.store.KeyRef;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Making managed objects: Create, Create Key Pair, Register and Rekey. Every key is made inside the
 * device (a registered key is wrapped for it on this host first); this class records KMIP's view of
 * it.
 */
final class CreateOperations {
  private CreateOperations() {}

  static void register(Map<Integer, Handler> h) {
    h.put(Operation.CREATE, CreateOperations::create);
    h.put(Operation.CREATE_KEY_PAIR, CreateOperations::createKeyPair);
    h.put(Operation.REGISTER, CreateOperations::registerObject);
    h.put(Operation.REKEY, CreateOperations::rekey);
  }

  private static final SecureRandom LABELS = new SecureRandom();

  /** What a template asks of a new key. */
  private record Wanted(int algorithm, int length, int mask, List<String> names, long activation) {}

  private static Wanted wanted(Map<String, Ttlv> t, int defaultMask) throws KmipException {
    Ttlv alg = t.get(Attributes.ALGORITHM);
    if (alg == null) {
      throw new KmipException(
          ResultReason.MISSING_DATA, "a new key needs its Cryptographic Algorithm");
    }
    int length = t.containsKey(Attributes.LENGTH) ? t.get(Attributes.LENGTH).integer() : 0;
    int mask =
        t.containsKey(Attributes.USAGE_MASK) ? t.get(Attributes.USAGE_MASK).integer() : defaultMask;
    List<String> names = new ArrayList<>();
    if (t.containsKey(Attributes.NAME)) {
      names.add(Attributes.name(t.get(Attributes.NAME)));
    }
    long activation = KeyActivation.WHEN_ACTIVATED; // KMIP: pre-active until activated
    if (t.containsKey(Attributes.ACTIVATION_DATE)) {
      long at = t.get(Attributes.ACTIVATION_DATE).dateTime().toEpochMilli();
      activation = at <= System.currentTimeMillis() ? KeyActivation.NOW : at;
    }
    return new Wanted((int) alg.enumeration(), length, mask, names, activation);
  }

  /** The ihsm label for a new key: its name when that is a free label, else one made up. */
  private static String label(KmipPartition p, List<String> names) {
    if (!names.isEmpty()) {
      String n = names.get(0);
      if (KeyAttributes.validLabel(n) && !n.isEmpty() && !p.client.hasKey(n)) {
        return n;
      }
    }
    byte[] r = new byte[8];
    LABELS.nextBytes(r);
    return "kmip-" + HexFormat.of().formatHex(r);
  }

  private static List<Ttlv> create(Struct payload, Batch batch) throws KmipException {
    payload.only(Set.of(Tag.OBJECT_TYPE, Tag.TEMPLATE_ATTRIBUTE));
    long type = payload.enumeration(Tag.OBJECT_TYPE, "Object Type");
    if (type != KmipObject.SYMMETRIC_KEY) {
      throw new KmipException(
          ResultReason.INVALID_FIELD, "Create makes symmetric keys; key pairs: Create Key Pair");
    }
    Map<String, Ttlv> t =
        Attributes.template(Attributes.read(template(payload, Tag.TEMPLATE_ATTRIBUTE)));
    Wanted w = wanted(t, KeyMapping.ENCRYPT | KeyMapping.DECRYPT);
    KeyKind kind = KeyMapping.kind(w.algorithm(), w.length());
    if (kind.isAsymmetric()) {
      throw new KmipException(
          ResultReason.INVALID_FIELD, "Create makes symmetric keys; RSA and EC: Create Key Pair");
    }
    KeyUsage usage = KeyMapping.usage(w.mask(), kind);
    KmipPartition p = batch.partition;
    synchronized (p.changes) {
      StoredKey k = generate(p, w, kind, usage);
      KmipObject o =
          record(
              batch, k.lifecycle().idText(), KmipObject.SYMMETRIC_KEY, k, w.algorithm(), kind, w);
      batch.made(o.uid());
      return List.of(
          Ttlv.enumeration(Tag.OBJECT_TYPE, KmipObject.SYMMETRIC_KEY),
          Ttlv.text(Tag.UNIQUE_IDENTIFIER, o.uid()));
    }
  }

  private static Struct template(Struct payload, int tag) throws KmipException {
    Optional<Struct> t = payload.optionalStruct(tag, "Template-Attribute");
    return t.isPresent()
        ? t.get().only(Set.of(Tag.ATTRIBUTE))
        : Struct.of(Ttlv.structure(tag), "Template-Attribute");
  }

  private static List<Ttlv> createKeyPair(Struct payload, Batch batch) throws KmipException {
    payload.only(
        Set.of(
            Tag.COMMON_TEMPLATE_ATTRIBUTE,
            Tag.PRIVATE_KEY_TEMPLATE_ATTRIBUTE,
            Tag.PUBLIC_KEY_TEMPLATE_ATTRIBUTE));
    List<Attribute> common = Attributes.read(template(payload, Tag.COMMON_TEMPLATE_ATTRIBUTE));
    List<Attribute> priv = Attributes.read(template(payload, Tag.PRIVATE_KEY_TEMPLATE_ATTRIBUTE));
    List<Attribute> pub = Attributes.read(template(payload, Tag.PUBLIC_KEY_TEMPLATE_ATTRIBUTE));
    Map<String, Ttlv> privT = merged(common, priv);
    Map<String, Ttlv> pubT = merged(common, pub);
    Wanted wPriv = wanted(privT, KeyMapping.SIGN);
    Wanted wPub = wanted(pubT, KeyMapping.VERIFY);
    KeyKind kind = KeyMapping.kind(wPriv.algorithm(), wPriv.length());
    if (!kind.isAsymmetric()) {
      throw new KmipException(ResultReason.INVALID_FIELD, "a key pair is RSA or EC");
    }
    KeyUsage usage = KeyMapping.usage(wPriv.mask(), kind);
    if (KeyMapping.usage(wPub.mask(), kind) != usage) {
      throw new KmipException(
          ResultReason.INVALID_FIELD,
          "the public key's usage mask must be the other half of the private key's");
    }
    KmipPartition p = batch.partition;
    synchronized (p.changes) {
      StoredKey k = generate(p, wPriv, kind, usage);
      String id = k.lifecycle().idText();
      record(batch, id, KmipObject.PRIVATE_KEY, k, wPriv.algorithm(), kind, wPriv);
      record(batch, id + "-public", KmipObject.PUBLIC_KEY, k, wPriv.algorithm(), kind, wPub);
      batch.made(id);
      return List.of(
          Ttlv.text(Tag.PRIVATE_KEY_UNIQUE_IDENTIFIER, id),
          Ttlv.text(Tag.PUBLIC_KEY_UNIQUE_IDENTIFIER, id + "-public"));
    }
  }

  private static StoredKey generate(KmipPartition p, Wanted w, KeyKind kind, KeyUsage usage) {
    return p.client.generate(
        label(p, w.names()), kind, usage, KeyMapping.extractable(w.mask()), 0, w.activation());
  }

  /** Files the KMIP object of a key version the device just made. */
  private static KmipObject record(
      Batch batch, String uid, int type, StoredKey k, int algorithm, KeyKind kind, Wanted w) {
    KmipObject o =
        new KmipObject(
            uid,
            type,
            k.versionRef(),
            algorithm,
            KeyMapping.length(kind),
            w.mask(),
            w.names(),
            Map.of(),
            Instant.now());
    batch.partition.objects.save(o);
    return o;
  }

  private static Map<String, Ttlv> merged(List<Attribute> common, List<Attribute> own)
      throws KmipException {
    Map<String, Ttlv> out = new LinkedHashMap<>(Attributes.template(common));
    out.putAll(Attributes.template(own));
    return out;
  }

  /** Register: a key the client brings, wrapped for the device on this host before it goes in. */
  private static List<Ttlv> registerObject(Struct payload, Batch batch) throws KmipException {
    payload.only(
        Set.of(
            Tag.OBJECT_TYPE,
            Tag.TEMPLATE_ATTRIBUTE,
            Tag.SYMMETRIC_KEY,
            Tag.PUBLIC_KEY,
            Tag.PRIVATE_KEY));
    int type = (int) payload.enumeration(Tag.OBJECT_TYPE, "Object Type");
    int objectTag =
        switch (type) {
          case KmipObject.SYMMETRIC_KEY -> Tag.SYMMETRIC_KEY;
          case KmipObject.PUBLIC_KEY -> Tag.PUBLIC_KEY;
          case KmipObject.PRIVATE_KEY -> Tag.PRIVATE_KEY;
          default ->
              throw new KmipException(
                  ResultReason.INVALID_FIELD,
                  "Register takes symmetric keys, public keys and private keys");
        };
    Struct block =
        payload
            .struct(objectTag, "the object")
            .only(Set.of(Tag.KEY_BLOCK))
            .struct(Tag.KEY_BLOCK, "Key Block");
    KeyBlocks.Material m = KeyBlocks.read(block, type);
    Map<String, Ttlv> t =
        Attributes.template(Attributes.read(template(payload, Tag.TEMPLATE_ATTRIBUTE)));
    int defaultMask =
        switch (type) {
          case KmipObject.PUBLIC_KEY -> KeyMapping.VERIFY;
          case KmipObject.PRIVATE_KEY -> KeyMapping.SIGN;
          default -> KeyMapping.ENCRYPT | KeyMapping.DECRYPT;
        };
    Map<String, Ttlv> withAlg = new LinkedHashMap<>(t);
    withAlg.putIfAbsent(Attributes.ALGORITHM, Ttlv.enumeration(Tag.ATTRIBUTE_VALUE, m.algorithm()));
    withAlg.putIfAbsent(Attributes.LENGTH, Ttlv.integer(Tag.ATTRIBUTE_VALUE, m.length()));
    Wanted w = wanted(withAlg, defaultMask);
    KeyKind kind = KeyMapping.kind(m.algorithm(), m.length());
    KeyUsage usage = KeyMapping.usage(w.mask(), kind);
    KmipPartition p = batch.partition;
    synchronized (p.changes) {
      String label = label(p, w.names());
      StoredKey k;
      if (type == KmipObject.PUBLIC_KEY) {
        k = p.client.importPublicKey(label, kind, usage, m.bytes(), w.activation());
      } else {
        byte[] wrapped;
        try {
          wrapped = KeyImport.wrapForImport(p.client.unwrappingKey(), m.bytes());
        } finally {
          m.wipe();
        }
        k =
            p.client.importKey(
                label, kind, usage, KeyMapping.extractable(w.mask()), wrapped, w.activation());
      }
      String uid = k.lifecycle().idText() + (type == KmipObject.PUBLIC_KEY ? "-public" : "");
      KmipObject o = record(batch, uid, type, k, m.algorithm(), kind, w);
      batch.made(o.uid());
      return List.of(Ttlv.text(Tag.UNIQUE_IDENTIFIER, o.uid()));
    }
  }

  /** Rekey: the key's next version, made in the device; the old object stays, deactivated. */
  private static List<Ttlv> rekey(Struct payload, Batch batch) throws KmipException {
    payload.only(Set.of(Tag.UNIQUE_IDENTIFIER, Tag.OFFSET, Tag.TEMPLATE_ATTRIBUTE));
    if (payload.optional(Tag.OFFSET, "Offset").isPresent()
        || !Attributes.read(template(payload, Tag.TEMPLATE_ATTRIBUTE)).isEmpty()) {
      throw new KmipException(
          ResultReason.FEATURE_NOT_SUPPORTED,
          "Rekey takes no Offset or template here: the new key is active at once, like the old");
    }
    KmipPartition p = batch.partition;
    synchronized (p.changes) {
      KmipObject o = p.object(batch.uid(payload));
      if (o.objectType() != KmipObject.SYMMETRIC_KEY) {
        throw new KmipException(
            ResultReason.ILLEGAL_OPERATION, "Rekey renews symmetric keys; key pairs are made anew");
      }
      KeyRef ref = KeyRef.parse(o.key());
      StoredKey newest = p.client.key(ref.label());
      if (newest.version() != ref.version()) {
        throw new KmipException(
            ResultReason.ILLEGAL_OPERATION, "object " + o.uid() + " was rekeyed already");
      }
      StoredKey next = p.client.rotate(ref.label());
      KmipObject renewed =
          new KmipObject(
              next.lifecycle().idText(),
              o.objectType(),
              next.versionRef(),
              o.algorithm(),
              o.length(),
              o.usageMask(),
              o.names(),
              o.custom(),
              Instant.now());
      p.objects.save(renewed);
      batch.made(renewed.uid());
      return List.of(Ttlv.text(Tag.UNIQUE_IDENTIFIER, renewed.uid()));
    }
  }
}
