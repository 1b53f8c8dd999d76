package io.ihsm.kmip.protocol;

import io.ihsm.kmip.ttlv.ItemType;
import io.ihsm.kmip.ttlv.Ttlv;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A structure of a request, read field by field: each getter checks the field's presence, count and
 * type and refuses anything else with the KMIP reason and the field's name, so a handler never sees
 * a malformed request.
 */
public final class Struct {
  private final Ttlv item;
  private final String name;

  private Struct(Ttlv item, String name) {
    this.item = item;
    this.name = name;
  }

  /**
   * @throws KmipException INVALID_FIELD when {@code item} is not a structure
   */
  public static Struct of(Ttlv item, String name) throws KmipException {
    if (item.type() != ItemType.STRUCTURE) {
      throw invalid(name + " is not a structure");
    }
    return new Struct(item, name);
  }

  /**
   * Refuses a field this structure does not define (an unknown or misplaced tag).
   *
   * @throws KmipException INVALID_FIELD naming the tag
   */
  public Struct only(Set<Integer> tags) throws KmipException {
    for (Ttlv t : item.items()) {
      if (!tags.contains(t.tag())) {
        throw invalid(
            name + " has a field it does not define: tag 0x" + Integer.toHexString(t.tag()));
      }
    }
    return this;
  }

  public List<Ttlv> all(int tag) {
    List<Ttlv> out = new ArrayList<>();
    for (Ttlv t : item.items()) {
      if (t.tag() == tag) {
        out.add(t);
      }
    }
    return out;
  }

  public Optional<Ttlv> optional(int tag, String field) throws KmipException {
    List<Ttlv> found = all(tag);
    if (found.size() > 1) {
      throw invalid(name + " has more than one " + field);
    }
    return found.stream().findFirst();
  }

  public Ttlv required(int tag, String field) throws KmipException {
    return optional(tag, field)
        .orElseThrow(() -> new KmipException(ResultReason.MISSING_DATA, name + " needs " + field));
  }

  /** The field, when present, checked to be of {@code type}. */
  private Optional<Ttlv> optional(int tag, String field, ItemType type) throws KmipException {
    Optional<Ttlv> t = optional(tag, field);
    if (t.isPresent()) {
      typed(t.get(), type, field);
    }
    return t;
  }

  public Optional<String> optionalText(int tag, String field) throws KmipException {
    return optional(tag, field, ItemType.TEXT_STRING).map(Ttlv::text);
  }

  public String text(int tag, String field) throws KmipException {
    return typed(required(tag, field), ItemType.TEXT_STRING, field).text();
  }

  public Optional<Long> optionalEnumeration(int tag, String field) throws KmipException {
    return optional(tag, field, ItemType.ENUMERATION).map(Ttlv::enumeration);
  }

  public long enumeration(int tag, String field) throws KmipException {
    return typed(required(tag, field), ItemType.ENUMERATION, field).enumeration();
  }

  public Optional<Integer> optionalInteger(int tag, String field) throws KmipException {
    return optional(tag, field, ItemType.INTEGER).map(Ttlv::integer);
  }

  public int integer(int tag, String field) throws KmipException {
    return typed(required(tag, field), ItemType.INTEGER, field).integer();
  }

  public Optional<byte[]> optionalBytes(int tag, String field) throws KmipException {
    return optional(tag, field, ItemType.BYTE_STRING).map(Ttlv::bytes);
  }

  public byte[] bytes(int tag, String field) throws KmipException {
    return typed(required(tag, field), ItemType.BYTE_STRING, field).bytes();
  }

  public Optional<Struct> optionalStruct(int tag, String field) throws KmipException {
    Optional<Ttlv> t = optional(tag, field);
    return t.isEmpty() ? Optional.empty() : Optional.of(Struct.of(t.get(), field));
  }

  public Struct struct(int tag, String field) throws KmipException {
    return Struct.of(required(tag, field), field);
  }

  public Ttlv item() {
    return item;
  }

  static Ttlv typed(Ttlv t, ItemType type, String field) throws KmipException {
    if (t.type() != type) {
      throw invalid(field + " is a " + t.type() + ", not a " + type);
    }
    return t;
  }

  static KmipException invalid(String why) {
    return new KmipException(ResultReason.INVALID_FIELD, why);
  }
}
