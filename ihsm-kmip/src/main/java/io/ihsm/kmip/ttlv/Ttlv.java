package io.ihsm.kmip.ttlv;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One TTLV item: a tag (24 bits), a type and its value; a structure holds items. Immutable: made by
 * the static factories, which check the value fits its type, and read with the accessor of its type
 * (another type's accessor throws). Equal items encode to equal bytes.
 */
public final class Ttlv {
  private final int tag;
  private final ItemType type;
  private final Object value;

  private Ttlv(int tag, ItemType type, Object value) {
    if (tag < 0 || tag > 0xFFFFFF) {
      throw new IllegalArgumentException("a tag is 24 bits, not " + Integer.toHexString(tag));
    }
    this.tag = tag;
    this.type = type;
    this.value = value;
  }

  public static Ttlv structure(int tag, List<Ttlv> items) {
    return new Ttlv(tag, ItemType.STRUCTURE, List.copyOf(items));
  }

  public static Ttlv structure(int tag, Ttlv... items) {
    return structure(tag, List.of(items));
  }

  public static Ttlv integer(int tag, int value) {
    return new Ttlv(tag, ItemType.INTEGER, value);
  }

  public static Ttlv longInteger(int tag, long value) {
    return new Ttlv(tag, ItemType.LONG_INTEGER, value);
  }

  public static Ttlv bigInteger(int tag, BigInteger value) {
    return new Ttlv(tag, ItemType.BIG_INTEGER, Objects.requireNonNull(value));
  }

  /** An enumeration's value is unsigned 32 bits: 0 to 0xFFFFFFFF. */
  public static Ttlv enumeration(int tag, long value) {
    if (value < 0 || value > 0xFFFFFFFFL) {
      throw new IllegalArgumentException("an enumeration is 0 to 0xFFFFFFFF, not " + value);
    }
    return new Ttlv(tag, ItemType.ENUMERATION, value);
  }

  public static Ttlv bool(int tag, boolean value) {
    return new Ttlv(tag, ItemType.BOOLEAN, value);
  }

  public static Ttlv text(int tag, String value) {
    return new Ttlv(tag, ItemType.TEXT_STRING, Objects.requireNonNull(value));
  }

  public static Ttlv bytes(int tag, byte[] value) {
    return new Ttlv(tag, ItemType.BYTE_STRING, value.clone());
  }

  /** Whole seconds since the epoch (the wire has no fraction). */
  public static Ttlv dateTime(int tag, Instant value) {
    if (value.getNano() != 0) {
      throw new IllegalArgumentException("a TTLV date-time is whole seconds");
    }
    return new Ttlv(tag, ItemType.DATE_TIME, value);
  }

  /** An interval in seconds, unsigned 32 bits. */
  public static Ttlv interval(int tag, long seconds) {
    if (seconds < 0 || seconds > 0xFFFFFFFFL) {
      throw new IllegalArgumentException("an interval is 0 to 0xFFFFFFFF seconds, not " + seconds);
    }
    return new Ttlv(tag, ItemType.INTERVAL, seconds);
  }

  public int tag() {
    return tag;
  }

  public ItemType type() {
    return type;
  }

  @SuppressWarnings("unchecked")
  public List<Ttlv> items() {
    return (List<Ttlv>) as(ItemType.STRUCTURE);
  }

  public int integer() {
    return (Integer) as(ItemType.INTEGER);
  }

  public long longInteger() {
    return (Long) as(ItemType.LONG_INTEGER);
  }

  public BigInteger bigInteger() {
    return (BigInteger) as(ItemType.BIG_INTEGER);
  }

  public long enumeration() {
    return (Long) as(ItemType.ENUMERATION);
  }

  public boolean bool() {
    return (Boolean) as(ItemType.BOOLEAN);
  }

  public String text() {
    return (String) as(ItemType.TEXT_STRING);
  }

  public byte[] bytes() {
    return ((byte[]) as(ItemType.BYTE_STRING)).clone();
  }

  public Instant dateTime() {
    return (Instant) as(ItemType.DATE_TIME);
  }

  public long interval() {
    return (Long) as(ItemType.INTERVAL);
  }

  /** The value, for the codec (a byte string's array itself, not a copy). */
  Object raw() {
    return value;
  }

  private Object as(ItemType wanted) {
    if (type != wanted) {
      throw new IllegalStateException(
          "item " + Integer.toHexString(tag) + " is a " + type + ", not a " + wanted);
    }
    return value;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Ttlv t) || t.tag != tag || t.type != type) {
      return false;
    }
    return value instanceof byte[] b ? Arrays.equals(b, (byte[]) t.value) : value.equals(t.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        tag, type, value instanceof byte[] b ? Arrays.hashCode(b) : value.hashCode());
  }

  /** Tag, type and numbers; strings and bytes only by their length (they may be secrets). */
  @Override
  public String toString() {
    String shown =
        switch (type) {
          case BYTE_STRING -> "(" + ((byte[]) value).length + " bytes)";
          case TEXT_STRING -> "(" + ((String) value).length() + " chars)";
          case STRUCTURE -> "(" + items().size() + " items)";
          default -> String.valueOf(value);
        };
    return String.format("%06X %s %s", tag, type, shown);
  }
}
