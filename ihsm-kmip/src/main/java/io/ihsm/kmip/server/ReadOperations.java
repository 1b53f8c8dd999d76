package io.ihsm.kmip.server;

import io.ihsm.ddi.key.KeyLifecycle;
import io.ihsm.ddi.key.KeyState;
import io.ihsm.kmip.protocol.KmipException;
import io.ihsm.kmip.protocol.ResultReason;
import io.ihsm.kmip.protocol.Struct;
import io.ihsm.kmip.protocol.Tag;
import io.ihsm.kmip.server.Attributes.Attribute;
import io.ihsm.kmip.ttlv.Ttlv;
import io.ihsm.sdk.store.HostKeyStore.StoredKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reading managed objects: Get (public keys, and extractable keys wrapped), Get Attributes, Get
 * Attribute List and Locate.
 */
final class ReadOperations {
  private ReadOperations() {}

  static void register(Map<Integer, Handler> h) {
    h.put(Operation.GET, ReadOperations::get);
    h.put(Operation.GET_ATTRIBUTES, ReadOperations::getAttributes);
    h.put(Operation.GET_ATTRIBUTE_LIST, ReadOperations::getAttributeList);
    h.put(Operation.LOCATE, ReadOperations::locate);
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
}
