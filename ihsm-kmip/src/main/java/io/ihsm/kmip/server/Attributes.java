package io.ihsm.kmip.server;

import io.ihsm.ddi.key.KeyLifecycle;
import io.ihsm.kmip.protocol.KmipException;
import io.ihsm.kmip.protocol.ResultReason;
import io.ihsm.kmip.protocol.Struct;
import io.ihsm.kmip.protocol.Tag;
import io.ihsm.kmip.ttlv.ItemType;
import io.ihsm.kmip.ttlv.Ttlv;
import io.ihsm.kmip.ttlv.TtlvCodec;
import io.ihsm.kmip.ttlv.TtlvException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * KMIP attributes (KMIP 1.4 section 3): reading a request's template, and the attributes of an
 * object as the server reports them. Names are KMIP's own ("Cryptographic Algorithm"); the client's
 * own attributes start with {@code x-}.
 */
final class Attributes {
  static final String UNIQUE_IDENTIFIER = "Unique Identifier";
  static final String NAME = "Name";
  static final String OBJECT_TYPE = "Object Type";
  static final String ALGORITHM = "Cryptographic Algorithm";
  static final String LENGTH = "Cryptographic Length";
  static final String USAGE_MASK = "Cryptographic Usage Mask";
  static final String STATE = "State";
  static final String INITIAL_DATE = "Initial Date";
  static final String ACTIVATION_DATE = "Activation Date";
  static final String DEACTIVATION_DATE = "Deactivation Date";
  static final String OPERATION_POLICY_NAME = "Operation Policy Name";

  /** What a client may send when it makes a key; anything else is refused, naming it. */
  static final Set<String> SETTABLE =
      Set.of(NAME, ALGORITHM, LENGTH, USAGE_MASK, ACTIVATION_DATE, OPERATION_POLICY_NAME);

  /** A client's own attributes: at most this many values, each at most this many bytes. */
  static final int MAX_CUSTOM_VALUES = 64;

  static final int MAX_CUSTOM_BYTES = 4096;

  private Attributes() {}

  /** An attribute as a request carries it. */
  record Attribute(String name, int index, Ttlv value) {}

  /** The attributes of a Template-Attribute structure (or of any list of Attribute items). */
  static List<Attribute> read(Struct holder) throws KmipException {
    List<Attribute> out = new ArrayList<>();
    for (Ttlv t : holder.all(Tag.ATTRIBUTE)) {
      out.add(readOne(Struct.of(t, "Attribute")));
    }
    return out;
  }

  static Attribute readOne(Struct a) throws KmipException {
    a.only(Set.of(Tag.ATTRIBUTE_NAME, Tag.ATTRIBUTE_INDEX, Tag.ATTRIBUTE_VALUE));
    String name = a.text(Tag.ATTRIBUTE_NAME, "Attribute Name");
    int index = a.optionalInteger(Tag.ATTRIBUTE_INDEX, "Attribute Index").orElse(0);
    if (index < 0) {
      throw new KmipException(ResultReason.INVALID_FIELD, "an Attribute Index is not negative");
    }
    Ttlv value = a.required(Tag.ATTRIBUTE_VALUE, "Attribute Value");
    return new Attribute(name, index, value);
  }

  /** The template's values by name, checked: only what a client may set, each of its type. */
  static Map<String, Ttlv> template(List<Attribute> attrs) throws KmipException {
    Map<String, Ttlv> out = new LinkedHashMap<>();
    for (Attribute a : attrs) {
      if (!SETTABLE.contains(a.name())) {
        throw new KmipException(
            ResultReason.INVALID_FIELD,
            "attribute '" + a.name() + "' is not one a client sets when it makes a key");
      }
      if (out.containsKey(a.name())) {
        throw new KmipException(
            ResultReason.INVALID_FIELD, "attribute '" + a.name() + "' is given twice");
      }
      check(a);
      out.put(a.name(), a.value());
    }
    return out;
  }

  /** Checks a standard attribute's value type. */
  static void check(Attribute a) throws KmipException {
    ItemType want =
        switch (a.name()) {
          case NAME -> ItemType.STRUCTURE;
          case ALGORITHM, STATE, OBJECT_TYPE -> ItemType.ENUMERATION;
          case LENGTH, USAGE_MASK -> ItemType.INTEGER;
          case ACTIVATION_DATE, DEACTIVATION_DATE, INITIAL_DATE -> ItemType.DATE_TIME;
          case OPERATION_POLICY_NAME, UNIQUE_IDENTIFIER -> ItemType.TEXT_STRING;
          default -> null;
        };
    if (want != null && a.value().type() != want) {
      throw new KmipException(
          ResultReason.INVALID_FIELD, "attribute '" + a.name() + "' is a " + want);
    }
    if (a.name().equals(NAME)) {
      name(a.value());
    }
  }

  /** A Name attribute's text. */
  static String name(Ttlv value) throws KmipException {
    Struct s = Struct.of(value, "Name").only(Set.of(Tag.NAME_VALUE, Tag.NAME_TYPE));
    String text = s.text(Tag.NAME_VALUE, "Name Value");
    s.enumeration(Tag.NAME_TYPE, "Name Type");
    if (text.isEmpty() || text.length() > 256) {
      throw new KmipException(ResultReason.INVALID_FIELD, "a Name is 1 to 256 characters");
    }
    return text;
  }

  static Ttlv nameValue(String text) {
    return Ttlv.structure(
        Tag.ATTRIBUTE_VALUE,
        Ttlv.text(Tag.NAME_VALUE, text),
        Ttlv.enumeration(Tag.NAME_TYPE, 1)); // Uninterpreted Text String
  }

  /** A client attribute's value, checked and encoded for keeping. */
  static byte[] customValue(Attribute a) throws KmipException {
    if (!a.name().startsWith("x-") || a.name().length() > 128) {
      throw new KmipException(
          ResultReason.INVALID_FIELD,
          "a client attribute's name starts with x- (at most 128 characters): " + a.name());
    }
    byte[] encoded = TtlvCodec.encode(a.value());
    if (encoded.length > MAX_CUSTOM_BYTES) {
      throw new KmipException(
          ResultReason.INVALID_FIELD,
          "a client attribute's value is at most " + MAX_CUSTOM_BYTES + " bytes");
    }
    return encoded;
  }

  static Ttlv attribute(String name, int index, Ttlv value) {
    List<Ttlv> f = new ArrayList<>();
    f.add(Ttlv.text(Tag.ATTRIBUTE_NAME, name));
    if (index > 0) {
      f.add(Ttlv.integer(Tag.ATTRIBUTE_INDEX, index));
    }
    f.add(value);
    return Ttlv.structure(Tag.ATTRIBUTE, f);
  }

  /** Every attribute the object has, in a stable order. */
  static List<Ttlv> all(KmipObject o, KeyLifecycle lifecycle) {
    List<Ttlv> out = new ArrayList<>();
    out.add(attribute(UNIQUE_IDENTIFIER, 0, Ttlv.text(Tag.ATTRIBUTE_VALUE, o.uid())));
    out.add(attribute(OBJECT_TYPE, 0, Ttlv.enumeration(Tag.ATTRIBUTE_VALUE, o.objectType())));
    out.add(attribute(ALGORITHM, 0, Ttlv.enumeration(Tag.ATTRIBUTE_VALUE, o.algorithm())));
    out.add(attribute(LENGTH, 0, Ttlv.integer(Tag.ATTRIBUTE_VALUE, o.length())));
    out.add(attribute(USAGE_MASK, 0, Ttlv.integer(Tag.ATTRIBUTE_VALUE, o.usageMask())));
    for (int i = 0; i < o.names().size(); i++) {
      out.add(attribute(NAME, i, nameValue(o.names().get(i))));
    }
    long now = System.currentTimeMillis();
    out.add(
        attribute(
            STATE, 0, Ttlv.enumeration(Tag.ATTRIBUTE_VALUE, lifecycle.effectiveState(now).code())));
    out.add(attribute(INITIAL_DATE, 0, date(o.initialDate().toEpochMilli())));
    if (lifecycle.activationDate() != 0) {
      out.add(attribute(ACTIVATION_DATE, 0, date(lifecycle.activationDate())));
    }
    if (lifecycle.deactivationDate() != 0) {
      out.add(attribute(DEACTIVATION_DATE, 0, date(lifecycle.deactivationDate())));
    }
    for (Map.Entry<String, List<byte[]>> c : o.custom().entrySet()) {
      for (int i = 0; i < c.getValue().size(); i++) {
        try {
          out.add(attribute(c.getKey(), i, TtlvCodec.decode(c.getValue().get(i))));
        } catch (TtlvException e) {
          throw new IllegalStateException("a kept client attribute does not decode", e);
        }
      }
    }
    return out;
  }

  private static Ttlv date(long millis) {
    return Ttlv.dateTime(
        Tag.ATTRIBUTE_VALUE, Instant.ofEpochMilli(millis).truncatedTo(ChronoUnit.SECONDS));
  }
}
