package io.ihsm.ddi.json;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A small JSON object writer (the CLI's {@code --json} output, the compliance report): fields in
 * insertion order, strings escaped, no whitespace. Values: null, numbers, booleans, nested {@code
 * Json} objects, iterables (arrays); anything else is written as its string.
 */
public final class Json {
  private final Map<String, Object> fields = new LinkedHashMap<>();

  /** A JSON array of the given values, written like {@link #toString()}. */
  public static String array(Iterable<?> values) {
    StringBuilder b = new StringBuilder();
    write(b, values);
    return b.toString();
  }

  public Json put(String name, Object value) {
    fields.put(name, value);
    return this;
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    write(b, this);
    return b.toString();
  }

  private static void write(StringBuilder b, Object v) {
    switch (v) {
      case null -> b.append("null");
      case Json j -> {
        b.append('{');
        boolean first = true;
        for (Map.Entry<String, Object> e : j.fields.entrySet()) {
          if (!first) {
            b.append(',');
          }
          first = false;
          string(b, e.getKey());
          b.append(':');
          write(b, e.getValue());
        }
        b.append('}');
      }
      case Number n -> b.append(n);
      case Boolean bool -> b.append(bool);
      case Iterable<?> list -> {
        b.append('[');
        boolean first = true;
        for (Object o : list) {
          if (!first) {
            b.append(',');
          }
          first = false;
          write(b, o);
        }
        b.append(']');
      }
      default -> string(b, v.toString());
    }
  }

  private static void string(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }
}
