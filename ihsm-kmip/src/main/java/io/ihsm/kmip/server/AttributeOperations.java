package io.ihsm.kmip.server;

import io.ihsm.kmip.protocol.KmipException;
import io.ihsm.kmip.protocol.ResultReason;
import io.ihsm.kmip.protocol.Struct;
import io.ihsm.kmip.protocol.Tag;
import io.ihsm.kmip.server.Attributes.Attribute;
import io.ihsm.kmip.ttlv.Ttlv;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The client's attributes of an object: Add, Modify and Delete Attribute, for Name and the client's
 * own x- attributes; the others are the server's.
 */
final class AttributeOperations {
  private AttributeOperations() {}

  static void register(Map<Integer, Handler> h) {
    h.put(Operation.ADD_ATTRIBUTE, AttributeOperations::addAttribute);
    h.put(Operation.MODIFY_ATTRIBUTE, AttributeOperations::modifyAttribute);
    h.put(Operation.DELETE_ATTRIBUTE, AttributeOperations::deleteAttribute);
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
