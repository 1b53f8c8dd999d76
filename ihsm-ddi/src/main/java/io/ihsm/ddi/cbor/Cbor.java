package io.ihsm.ddi.cbor;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Deterministically encoded CBOR (RFC 8949 section 4.2.1), the encoding of attestation reports. The
 * data model is plain Java: {@code Long} (or {@code Integer}) integers, {@code byte[]} byte
 * strings, {@code String} text, {@code Boolean}, {@code null}, {@code List} arrays, {@code Map}
 * maps keyed by integers or text, and {@link Tagged} values. Floats and indefinite lengths are not
 * part of it.
 *
 * <p>{@link #decode} is strict: it accepts exactly the encodings {@link #encode} makes (shortest
 * heads, map keys unique and in order), so one value has one encoding and a signed report cannot be
 * read two ways. Lengths are checked against the input before anything is allocated.
 */
public final class Cbor {
  /** Nesting deeper than this is refused. */
  public static final int MAX_DEPTH = 16;

  private static final int UNSIGNED = 0,
      NEGATIVE = 1,
      BYTES = 2,
      TEXT = 3,
      ARRAY = 4,
      MAP = 5,
      TAG = 6,
      SIMPLE = 7;

  private Cbor() {}

  /** A tagged value (major type 6), such as COSE_Sign1's tag 18. */
  public record Tagged(long tag, Object value) {}

  public static byte[] encode(Object value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    write(out, value, 0);
    return out.toByteArray();
  }

  /**
   * Decodes one complete item; trailing bytes, non-deterministic encodings and unsupported types
   * are refused.
   */
  public static Object decode(byte[] encoded) {
    Reader r = new Reader(encoded);
    Object value = r.item(0);
    if (r.buf.hasRemaining()) {
      throw new CborException(r.buf.remaining() + " bytes follow the item");
    }
    return value;
  }

  /**
   * Diagnostic notation (RFC 8949 section 8) of a decoded value, for people: maps one entry a line,
   * byte strings as h'hex'. Used by the documentation's worked examples.
   */
  public static String diagnostic(Object value) {
    StringBuilder b = new StringBuilder();
    diagnostic(b, value, "");
    return b.toString();
  }

  private static void diagnostic(StringBuilder b, Object v, String indent) {
    switch (v) {
      case null -> b.append("null");
      case byte[] bytes -> b.append("h'").append(HexFormat.of().formatHex(bytes)).append('\'');
      case String s ->
          b.append('"').append(s.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
      case List<?> list -> {
        b.append('[');
        for (int i = 0; i < list.size(); i++) {
          b.append(i == 0 ? "" : ", ");
          diagnostic(b, list.get(i), indent);
        }
        b.append(']');
      }
      case Map<?, ?> map -> {
        b.append('{');
        String inner = indent + "  ";
        int i = 0;
        for (Map.Entry<?, ?> e : map.entrySet()) {
          b.append(i++ == 0 ? "\n" : ",\n").append(inner);
          diagnostic(b, e.getKey(), inner);
          b.append(": ");
          diagnostic(b, e.getValue(), inner);
        }
        b.append(map.isEmpty() ? "}" : "\n" + indent + "}");
      }
      case Tagged t -> {
        b.append(t.tag()).append('(');
        diagnostic(b, t.value(), indent);
        b.append(')');
      }
      default -> b.append(v);
    }
  }

  private static void write(ByteArrayOutputStream out, Object v, int depth) {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException("nested deeper than " + MAX_DEPTH);
    }
    switch (v) {
      case null -> out.write(0xf6);
      case Boolean b -> out.write(b ? 0xf5 : 0xf4);
      case Integer i -> writeInteger(out, i);
      case Long l -> writeInteger(out, l);
      case byte[] b -> {
        head(out, BYTES, b.length);
        out.writeBytes(b);
      }
      case String s -> {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        head(out, TEXT, utf8.length);
        out.writeBytes(utf8);
      }
      case List<?> list -> {
        head(out, ARRAY, list.size());
        list.forEach(item -> write(out, item, depth + 1));
      }
      case Map<?, ?> map -> {
        // Keys sort by their encodings, bytewise (RFC 8949 section 4.2.1).
        TreeMap<byte[], Object> sorted = new TreeMap<>(Arrays::compareUnsigned);
        for (Map.Entry<?, ?> e : map.entrySet()) {
          if (!(e.getKey() instanceof Long
              || e.getKey() instanceof Integer
              || e.getKey() instanceof String)) {
            throw new IllegalArgumentException("map keys are integers or text, got " + e.getKey());
          }
          if (sorted.put(encode(e.getKey()), e.getValue()) != null) {
            throw new IllegalArgumentException("duplicate map key " + e.getKey());
          }
        }
        head(out, MAP, sorted.size());
        sorted.forEach(
            (key, value) -> {
              out.writeBytes(key);
              write(out, value, depth + 1);
            });
      }
      case Tagged t -> {
        head(out, TAG, t.tag());
        write(out, t.value(), depth + 1);
      }
      default ->
          throw new IllegalArgumentException(
              "no CBOR encoding for " + v.getClass().getSimpleName());
    }
  }

  private static void writeInteger(ByteArrayOutputStream out, long v) {
    if (v >= 0) {
      head(out, UNSIGNED, v);
    } else {
      head(out, NEGATIVE, -1 - v);
    }
  }

  /** The shortest head for an argument, which is read as unsigned. */
  private static void head(ByteArrayOutputStream out, int major, long argument) {
    int m = major << 5;
    if (argument >= 0 && argument < 24) {
      out.write(m | (int) argument);
    } else if (argument >= 0 && argument < 0x100) {
      out.write(m | 24);
      out.write((int) argument);
    } else if (argument >= 0 && argument < 0x10000) {
      out.write(m | 25);
      out.writeBytes(ByteBuffer.allocate(2).putShort((short) argument).array());
    } else if (argument >= 0 && argument < 0x1_0000_0000L) {
      out.write(m | 26);
      out.writeBytes(ByteBuffer.allocate(4).putInt((int) argument).array());
    } else {
      out.write(m | 27);
      out.writeBytes(ByteBuffer.allocate(8).putLong(argument).array());
    }
  }

  private static final class Reader {
    final ByteBuffer buf;

    Reader(byte[] encoded) {
      this.buf = ByteBuffer.wrap(encoded);
    }

    Object item(int depth) {
      if (depth > MAX_DEPTH) {
        throw new CborException("nested deeper than " + MAX_DEPTH);
      }
      int initial = u8();
      int major = initial >>> 5;
      int info = initial & 0x1f;
      if (major == SIMPLE) {
        return switch (info) {
          case 20 -> Boolean.FALSE;
          case 21 -> Boolean.TRUE;
          case 22 -> null;
          default -> throw new CborException("simple value or float " + info + " is not supported");
        };
      }
      long argument = argument(info);
      return switch (major) {
        case UNSIGNED -> {
          if (argument < 0) {
            throw new CborException("an integer beyond 2^63 - 1");
          }
          yield argument;
        }
        case NEGATIVE -> {
          if (argument < 0) {
            throw new CborException("an integer below -2^63");
          }
          yield -1 - argument;
        }
        case BYTES -> take(argument);
        case TEXT -> utf8(take(argument));
        case ARRAY -> {
          int n = count(argument, 1);
          List<Object> list = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            list.add(item(depth + 1));
          }
          yield list;
        }
        case MAP -> map(count(argument, 2), depth);
        case TAG -> new Tagged(argument, item(depth + 1));
        default -> throw new IllegalStateException("major type " + major);
      };
    }

    private Map<Object, Object> map(int n, int depth) {
      Map<Object, Object> map = new LinkedHashMap<>();
      byte[] previous = null;
      for (int i = 0; i < n; i++) {
        int start = buf.position();
        Object key = item(depth + 1);
        if (!(key instanceof Long || key instanceof String)) {
          throw new CborException("a map key that is not an integer or text");
        }
        byte[] encodedKey = Arrays.copyOfRange(buf.array(), start, buf.position());
        if (previous != null && Arrays.compareUnsigned(previous, encodedKey) >= 0) {
          throw new CborException("map keys out of order or repeated at key " + key);
        }
        previous = encodedKey;
        map.put(key, item(depth + 1));
      }
      return map;
    }

    /**
     * An argument in its shortest form; 64-bit arguments come back as a raw (possibly negative)
     * long.
     */
    private long argument(int info) {
      long v;
      long min;
      switch (info) {
        case 24 -> {
          v = u8();
          min = 24;
        }
        case 25 -> {
          need(2);
          v = buf.getShort() & 0xffffL;
          min = 0x100;
        }
        case 26 -> {
          need(4);
          v = buf.getInt() & 0xffff_ffffL;
          min = 0x10000;
        }
        case 27 -> {
          need(8);
          v = buf.getLong();
          min = 0x1_0000_0000L;
        }
        default -> {
          if (info > 27) {
            throw new CborException(
                info == 31
                    ? "indefinite lengths are not supported"
                    : "reserved additional info " + info);
          }
          return info;
        }
      }
      if (v >= 0 && v < min) {
        throw new CborException("a head that is not in its shortest form");
      }
      return v;
    }

    /**
     * An element count that the rest of the input can hold (each element takes at least one byte).
     */
    private int count(long argument, int bytesPerEntry) {
      if (argument < 0 || argument > buf.remaining() / bytesPerEntry) {
        throw new CborException(
            "a count of " + Long.toUnsignedString(argument) + " runs past the input");
      }
      return (int) argument;
    }

    private byte[] take(long length) {
      if (length < 0 || length > buf.remaining()) {
        throw new CborException(
            "a length of " + Long.toUnsignedString(length) + " runs past the input");
      }
      byte[] b = new byte[(int) length];
      buf.get(b);
      return b;
    }

    private int u8() {
      need(1);
      return buf.get() & 0xff;
    }

    private void need(int n) {
      if (buf.remaining() < n) {
        throw new CborException("the input ends inside an item");
      }
    }

    private static String utf8(byte[] b) {
      try {
        return StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(b))
            .toString();
      } catch (CharacterCodingException e) {
        throw new CborException("text that is not UTF-8");
      }
    }
  }
}
