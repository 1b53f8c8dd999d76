package io.ihsm.kmip.server;

import io.ihsm.ddi.key.KeyActivation;
import io.ihsm.ddi.key.KeyAttributes;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyLifecycle;
import io.ihsm.ddi.key.KeyState;
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
 * The operations on managed objects: making them (Create, Create Key Pair, Register, Rekey),
 * reading them (Get, Get Attributes, Get Attribute List, Locate), their lifecycle (Activate,
 * Revoke, Destroy) and their attributes (Add, Modify, Delete Attribute). Every key is made and
 * moved between states inside the device; this class keeps KMIP's view of it.
 */
final class ObjectOperations {
  private static final SecureRandom LABELS = new SecureRandom();

  private ObjectOperations() {}

  static void register(Map<Integer, Handler> h) {
    h.put(Operation.CREATE, ObjectOperations::create);
    h.put(Operation.CREATE_KEY_PAIR, ObjectOperations::createKeyPair);
    h.put(Operation.REGISTER, ObjectOperations::registerObject);
    h.put(Operation.REKEY, ObjectOperations::rekey);
    h.put(Operation.GET, ObjectOperations::get);
    h.put(Operation.GET_ATTRIBUTES, ObjectOperations::getAttributes);
    h.put(Operation.GET_ATTRIBUTE_LIST, ObjectOperations::getAttributeList);
    h.put(Operation.LOCATE, ObjectOperations::locate);
    h.put(Operation.ACTIVATE, ObjectOperations::activate);
    h.put(Operation.REVOKE, ObjectOperations::revoke);
    h.put(Operation.DESTROY, ObjectOperations::destroy);
    h.put(Operation.ADD_ATTRIBUTE, ObjectOperations::addAttribute);
    h.put(Operation.MODIFY_ATTRIBUTE, ObjectOperations::modifyAttribute);
    h.put(Operation.DELETE_ATTRIBUTE, ObjectOperations::deleteAttribute);
  }

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
      StoredKey k =
          p.client.generate(
              label(p, w.names()),
              kind,
              usage,
              KeyMapping.extractable(w.mask()),
              0,
              w.activation());
      KmipObject o =
          new KmipObject(
              k.lifecycle().idText(),
              KmipObject.SYMMETRIC_KEY,
              k.versionRef(),
              w.algorithm(),
              KeyMapping.length(kind),
              w.mask(),
              w.names(),
              Map.of(),
              Instant.now());
      p.objects.save(o);
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
      StoredKey k =
          p.client.generate(
              label(p, wPriv.names()),
              kind,
              usage,
              KeyMapping.extractable(wPriv.mask()),
              0,
              wPriv.activation());
      String id = k.lifecycle().idText();
      Instant now = Instant.now();
      int alg = wPriv.algorithm();
      int len = KeyMapping.length(kind);
      p.objects.save(
          new KmipObject(
              id,
              KmipObject.PRIVATE_KEY,
              k.versionRef(),
              alg,
              len,
              wPriv.mask(),
              wPriv.names(),
              Map.of(),
              now));
      p.objects.save(
          new KmipObject(
              id + "-public",
              KmipObject.PUBLIC_KEY,
              k.versionRef(),
              alg,
              len,
              wPub.mask(),
              wPub.names(),
              Map.of(),
              now));
      batch.made(id);
      return List.of(
          Ttlv.text(Tag.PRIVATE_KEY_UNIQUE_IDENTIFIER, id),
          Ttlv.text(Tag.PUBLIC_KEY_UNIQUE_IDENTIFIER, id + "-public"));
    }
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
      KmipObject o =
          new KmipObject(
              k.lifecycle().idText() + (type == KmipObject.PUBLIC_KEY ? "-public" : ""),
              type,
              k.versionRef(),
              m.algorithm(),
              KeyMapping.length(kind),
              w.mask(),
              w.names(),
              Map.of(),
              Instant.now());
      p.objects.save(o);
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

  private static List<Ttlv> get(Struct payload, Batch batch) throws KmipException {
    payload.only(
        Set.of(
            Tag.UNIQUE_IDENTIFIER,
            Tag.KEY_FORMAT_TYPE,
            Tag.KEY_WRAPPING_SPECIFICATION,
            Tag.KEY_COMPRESSION_TYPE)); // refused below when present
    if (payload.optional(Tag.KEY_COMPRESSION_TYPE, "Key Compression Type").isPresent()) {
      throw new KmipException(ResultReason.FEATURE_NOT_SUPPORTED, "keys are not compressed here");
    }
    KmipPartition p = batch.partition;
    KmipObject o = p.object(batch.uid(payload));
    StoredKey k = p.key(o);
    if (k.state() == KeyState.DESTROYED) {
      throw new KmipException(
          ResultReason.ILLEGAL_OPERATION, "object " + o.uid() + " is destroyed");
    }
    Optional<Struct> wrapping =
        payload.optionalStruct(Tag.KEY_WRAPPING_SPECIFICATION, "Key Wrapping Specification");
    if (o.objectType() != KmipObject.PUBLIC_KEY) {
      if (!k.extractable()) {
        throw new KmipException(
            ResultReason.NOT_EXTRACTABLE,
            "object " + o.uid() + " is not extractable: its material never leaves the HSM");
      }
      if (wrapping.isEmpty()) {
        throw new KmipException(
            ResultReason.NOT_EXTRACTABLE,
            "object "
                + o.uid()
                + " leaves the HSM only wrapped: give a Key Wrapping Specification");
      }
      return KeyBlocks.wrapped(p, o, wrapping.get(), batch);
    }
    if (wrapping.isPresent()) {
      throw new KmipException(ResultReason.INVALID_FIELD, "a public key is not wrapped");
    }
    Optional<Long> format = payload.optionalEnumeration(Tag.KEY_FORMAT_TYPE, "Key Format Type");
    if (format.isPresent() && format.get() != KeyBlocks.X_509) {
      throw new KmipException(
          ResultReason.KEY_FORMAT_TYPE_NOT_SUPPORTED, "public keys come as X.509 (SPKI) here");
    }
    return List.of(
        Ttlv.enumeration(Tag.OBJECT_TYPE, KmipObject.PUBLIC_KEY),
        Ttlv.text(Tag.UNIQUE_IDENTIFIER, o.uid()),
        Ttlv.structure(
            Tag.PUBLIC_KEY, KeyBlocks.publicKeyBlock(k.publicKey(), o.algorithm(), o.length())));
  }

  private static List<Ttlv> getAttributes(Struct payload, Batch batch) throws KmipException {
    payload.only(Set.of(Tag.UNIQUE_IDENTIFIER, Tag.ATTRIBUTE_NAME));
    KmipPartition p = batch.partition;
    KmipObject o = p.object(batch.uid(payload));
    List<String> wanted = new ArrayList<>();
    for (Ttlv n : payload.all(Tag.ATTRIBUTE_NAME)) {
      if (n.type() != io.ihsm.kmip.ttlv.ItemType.TEXT_STRING) {
        throw new KmipException(ResultReason.INVALID_FIELD, "an Attribute Name is text");
      }
      wanted.add(n.text());
    }
    List<Ttlv> out = new ArrayList<>();
    out.add(Ttlv.text(Tag.UNIQUE_IDENTIFIER, o.uid()));
    for (Ttlv a : Attributes.all(o, lifecycle(p, o))) {
      String name = a.items().get(0).text();
      if (wanted.isEmpty() || wanted.contains(name)) {
        out.add(a);
      }
    }
    return out;
  }

  private static List<Ttlv> getAttributeList(Struct payload, Batch batch) throws KmipException {
    payload.only(Set.of(Tag.UNIQUE_IDENTIFIER));
    KmipPartition p = batch.partition;
    KmipObject o = p.object(batch.uid(payload));
    List<Ttlv> out = new ArrayList<>();
    out.add(Ttlv.text(Tag.UNIQUE_IDENTIFIER, o.uid()));
    List<String> seen = new ArrayList<>();
    for (Ttlv a : Attributes.all(o, lifecycle(p, o))) {
      String name = a.items().get(0).text();
      if (!seen.contains(name)) {
        seen.add(name);
        out.add(Ttlv.text(Tag.ATTRIBUTE_NAME, name));
      }
    }
    return out;
  }

  private static List<Ttlv> locate(Struct payload, Batch batch) throws KmipException {
    payload.only(Set.of(Tag.MAXIMUM_ITEMS, Tag.STORAGE_STATUS_MASK, Tag.ATTRIBUTE));
    int max = payload.optionalInteger(Tag.MAXIMUM_ITEMS, "Maximum Items").orElse(Integer.MAX_VALUE);
    if (max < 0) {
      throw new KmipException(ResultReason.INVALID_FIELD, "Maximum Items is not negative");
    }
    List<Attribute> filters = Attributes.read(payload);
    for (Attribute f : filters) {
      Attributes.check(f);
    }
    KmipPartition p = batch.partition;
    List<Ttlv> out = new ArrayList<>();
    for (KmipObject o : p.objects.all()) {
      if (out.size() >= max) {
        break;
      }
      List<Ttlv> attrs;
      try {
        attrs = Attributes.all(o, lifecycle(p, o));
      } catch (KmipException gone) {
        continue;
      }
      if (filters.stream().allMatch(f -> matches(attrs, f))) {
        out.add(Ttlv.text(Tag.UNIQUE_IDENTIFIER, o.uid()));
      }
    }
    return out;
  }

  private static boolean matches(List<Ttlv> attrs, Attribute f) {
    for (Ttlv a : attrs) {
      if (a.items().get(0).text().equals(f.name())) {
        Ttlv v = a.items().get(a.items().size() - 1);
        if (v.equals(f.value())) {
          return true;
        }
      }
    }
    return false;
  }

  private static KeyLifecycle lifecycle(KmipPartition p, KmipObject o) throws KmipException {
    StoredKey k = p.key(o);
    if (k.lifecycle() == null) {
      throw new KmipException(
          ResultReason.ITEM_NOT_FOUND, "object " + o.uid() + " has no state yet");
    }
    return k.lifecycle();
  }

  private static List<Ttlv> activate(Struct payload, Batch batch) throws KmipException {
    payload.only(Set.of(Tag.UNIQUE_IDENTIFIER));
    return moved(batch, batch.uid(payload), KeyState.ACTIVE);
  }

  private static List<Ttlv> revoke(Struct payload, Batch batch) throws KmipException {
    payload.only(
        Set.of(Tag.UNIQUE_IDENTIFIER, Tag.REVOCATION_REASON, Tag.COMPROMISE_OCCURRENCE_DATE));
    String uid = batch.uid(payload);
    Struct reason =
        payload
            .struct(Tag.REVOCATION_REASON, "Revocation Reason")
            .only(Set.of(Tag.REVOCATION_REASON_CODE, Tag.REVOCATION_MESSAGE));
    long code = reason.enumeration(Tag.REVOCATION_REASON_CODE, "Revocation Reason Code");
    reason.optionalText(Tag.REVOCATION_MESSAGE, "Revocation Message");
    if (code < 1 || code > 8) {
      throw new KmipException(ResultReason.INVALID_FIELD, "unknown Revocation Reason Code " + code);
    }
    boolean compromise = code == 2 || code == 3; // Key Compromise, CA Compromise
    return moved(batch, uid, compromise ? KeyState.COMPROMISED : KeyState.DEACTIVATED);
  }

  private static List<Ttlv> destroy(Struct payload, Batch batch) throws KmipException {
    payload.only(Set.of(Tag.UNIQUE_IDENTIFIER));
    return moved(batch, batch.uid(payload), KeyState.DESTROYED);
  }

  /** A transition inside the device; the public half of a pair moves with its private key. */
  private static List<Ttlv> moved(Batch batch, String uid, KeyState to) throws KmipException {
    KmipPartition p = batch.partition;
    synchronized (p.changes) {
      KmipObject o = p.object(uid);
      p.client.setState(o.key(), to, null);
      return List.of(Ttlv.text(Tag.UNIQUE_IDENTIFIER, o.uid()));
    }
  }

  private static List<Ttlv> addAttribute(Struct payload, Batch batch) throws KmipException {
    payload.only(Set.of(Tag.UNIQUE_IDENTIFIER, Tag.ATTRIBUTE));
    Attribute a = Attributes.readOne(payload.struct(Tag.ATTRIBUTE, "Attribute"));
    KmipPartition p = batch.partition;
    synchronized (p.changes) {
      KmipObject o = p.object(batch.uid(payload));
      KmipObject changed;
      int index;
      if (a.name().equals(Attributes.NAME)) {
        List<String> names = new ArrayList<>(o.names());
        names.add(Attributes.name(a.value()));
        index = names.size() - 1;
        changed = o.withNames(names);
      } else {
        Map<String, List<byte[]>> custom = new LinkedHashMap<>(o.custom());
        List<byte[]> values = new ArrayList<>(custom.getOrDefault(a.name(), List.of()));
        values.add(Attributes.customValue(a));
        if (custom.values().stream().mapToInt(List::size).sum() >= Attributes.MAX_CUSTOM_VALUES) {
          throw new KmipException(
              ResultReason.INVALID_FIELD,
              "an object keeps at most " + Attributes.MAX_CUSTOM_VALUES + " client attributes");
        }
        index = values.size() - 1;
        custom.put(a.name(), values);
        changed = o.withCustom(custom);
      }
      p.objects.save(changed);
      return List.of(
          Ttlv.text(Tag.UNIQUE_IDENTIFIER, o.uid()),
          Attributes.attribute(a.name(), index, a.value()));
    }
  }

  private static List<Ttlv> modifyAttribute(Struct payload, Batch batch) throws KmipException {
    payload.only(Set.of(Tag.UNIQUE_IDENTIFIER, Tag.ATTRIBUTE));
    Attribute a = Attributes.readOne(payload.struct(Tag.ATTRIBUTE, "Attribute"));
    KmipPartition p = batch.partition;
    synchronized (p.changes) {
      KmipObject o = p.object(batch.uid(payload));
      KmipObject changed;
      if (a.name().equals(Attributes.NAME)) {
        List<String> names = new ArrayList<>(o.names());
        checkIndex(a.index(), names.size(), a.name());
        names.set(a.index(), Attributes.name(a.value()));
        changed = o.withNames(names);
      } else if (a.name().startsWith("x-")) {
        Map<String, List<byte[]>> custom = new LinkedHashMap<>(o.custom());
        List<byte[]> values = new ArrayList<>(custom.getOrDefault(a.name(), List.of()));
        checkIndex(a.index(), values.size(), a.name());
        values.set(a.index(), Attributes.customValue(a));
        custom.put(a.name(), values);
        changed = o.withCustom(custom);
      } else {
        throw new KmipException(
            ResultReason.PERMISSION_DENIED,
            "attribute '"
                + a.name()
                + "' is the server's: Name and x- attributes are the client's");
      }
      p.objects.save(changed);
      return List.of(
          Ttlv.text(Tag.UNIQUE_IDENTIFIER, o.uid()),
          Attributes.attribute(a.name(), a.index(), a.value()));
    }
  }

  private static List<Ttlv> deleteAttribute(Struct payload, Batch batch) throws KmipException {
    payload.only(Set.of(Tag.UNIQUE_IDENTIFIER, Tag.ATTRIBUTE_NAME, Tag.ATTRIBUTE_INDEX));
    String name = payload.text(Tag.ATTRIBUTE_NAME, "Attribute Name");
    int index = payload.optionalInteger(Tag.ATTRIBUTE_INDEX, "Attribute Index").orElse(0);
    KmipPartition p = batch.partition;
    synchronized (p.changes) {
      KmipObject o = p.object(batch.uid(payload));
      Ttlv deleted;
      KmipObject changed;
      if (name.equals(Attributes.NAME)) {
        List<String> names = new ArrayList<>(o.names());
        checkIndex(index, names.size(), name);
        deleted = Attributes.nameValue(names.remove(index));
        changed = o.withNames(names);
      } else if (name.startsWith("x-")) {
        Map<String, List<byte[]>> custom = new LinkedHashMap<>(o.custom());
        List<byte[]> values = new ArrayList<>(custom.getOrDefault(name, List.of()));
        checkIndex(index, values.size(), name);
        try {
          deleted = io.ihsm.kmip.ttlv.TtlvCodec.decode(values.remove(index));
        } catch (io.ihsm.kmip.ttlv.TtlvException e) {
          throw new IllegalStateException("a kept client attribute does not decode", e);
        }
        if (values.isEmpty()) {
          custom.remove(name);
        } else {
          custom.put(name, values);
        }
        changed = o.withCustom(custom);
      } else {
        throw new KmipException(
            ResultReason.PERMISSION_DENIED,
            "attribute '" + name + "' is the server's: Name and x- attributes are the client's");
      }
      p.objects.save(changed);
      return List.of(
          Ttlv.text(Tag.UNIQUE_IDENTIFIER, o.uid()), Attributes.attribute(name, index, deleted));
    }
  }

  private static void checkIndex(int index, int size, String name) throws KmipException {
    if (index >= size) {
      throw new KmipException(
          ResultReason.INDEX_OUT_OF_BOUNDS,
          "attribute '" + name + "' has " + size + " values, no index " + index);
    }
  }
}
