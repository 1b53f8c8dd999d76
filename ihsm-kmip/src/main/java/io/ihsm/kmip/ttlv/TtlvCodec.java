package io.ihsm.kmip.ttlv;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * TTLV as KMIP 1.x defines it (9.1): a 3-byte tag, a 1-byte type, a 4-byte big-endian length of the
 * value, then the value padded with zeros to a multiple of 8 bytes (a big integer is sign-extended
 * to one instead, its length included). Decoding is strict, so every message has one encoding: each
 * type's length is what it must be, padding is zero, booleans are 0 or 1, text is valid UTF-8, a
 * structure's items fill it exactly, and nothing follows the item. It is bounded before anything is
 * allocated: the whole message, the nesting depth and the number of items.
 */
public final class TtlvCodec {
  /**
   * A message is at most this long (KMIP messages are small; a key or a data block is the bulk).
   */
  public static final int MAX_MESSAGE_BYTES = 1 << 20;

  public static final int MAX_DEPTH = 16;
  public static final int MAX_ITEMS = 16_384;

  private static final int HEADER = 8;

  private TtlvCodec() {}

  public static byte[] encode(Ttlv item) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    write(item, out);
    return out.toByteArray();
  }

  private static void write(Ttlv item, ByteArrayOutputStream out) {
    byte[] value =
        switch (item.type()) {
          case STRUCTURE -> {
            ByteArrayOutputStream inner = new ByteArrayOutputStream();
            for (Ttlv child : item.items()) {
              write(child, inner);
            }
            yield inner.toByteArray();
          }
          case INTEGER -> ByteBuffer.allocate(4).putInt(item.integer()).array();
          case LONG_INTEGER -> ByteBuffer.allocate(8).putLong(item.longInteger()).array();
          case BIG_INTEGER -> signExtended(item.bigInteger().toByteArray());
          case ENUMERATION -> ByteBuffer.allocate(4).putInt((int) item.enumeration()).array();
          case BOOLEAN -> ByteBuffer.allocate(8).putLong(item.bool() ? 1 : 0).array();
          case TEXT_STRING -> item.text().getBytes(StandardCharsets.UTF_8);
          case BYTE_STRING -> (byte[]) item.raw();
          case DATE_TIME ->
              ByteBuffer.allocate(8).putLong(item.dateTime().getEpochSecond()).array();
          case INTERVAL -> ByteBuffer.allocate(4).putInt((int) item.interval()).array();
        };
    ByteBuffer header = ByteBuffer.allocate(HEADER);
    header.put((byte) (item.tag() >> 16)).put((byte) (item.tag() >> 8)).put((byte) item.tag());
    header.put((byte) item.type().code()).putInt(value.length);
    out.writeBytes(header.array());
    out.writeBytes(value);
    out.writeBytes(new byte[padding(value.length)]);
  }

  /** Two's complement, sign-extended on the left to a multiple of 8 bytes. */
  private static byte[] signExtended(byte[] minimal) {
    int length = (minimal.length + 7) / 8 * 8;
    byte[] out = new byte[length];
    Arrays.fill(out, 0, length - minimal.length, minimal[0] < 0 ? (byte) 0xFF : 0);
    System.arraycopy(minimal, 0, out, length - minimal.length, minimal.length);
    return out;
  }

  private static int padding(int length) {
    return (8 - length % 8) % 8;
  }

  /**
   * The one item these bytes hold.
   *
   * @throws TtlvException naming what is wrong and at which offset
   */
  public static Ttlv decode(byte[] message) throws TtlvException {
    if (message.length > MAX_MESSAGE_BYTES) {
      throw new TtlvException(
          "a message of " + message.length + " bytes is over " + MAX_MESSAGE_BYTES);
    }
    Reader r = new Reader(message);
    Ttlv item = r.item(message.length, 0);
    if (r.at != message.length) {
      throw new TtlvException((message.length - r.at) + " bytes follow the item");
    }
    return item;
  }

  /**
   * The length of the whole item whose header these 8 bytes are (value and padding included), for a
   * reader of a stream; checked against {@link #MAX_MESSAGE_BYTES} before anything is read on.
   */
  public static int itemLength(byte[] header) throws TtlvException {
    if (header.length != HEADER) {
      throw new TtlvException("a header is 8 bytes");
    }
    long length = ByteBuffer.wrap(header, 4, 4).getInt() & 0xFFFFFFFFL;
    long total = HEADER + length + padding((int) (length % 8));
    if (total > MAX_MESSAGE_BYTES) {
      throw new TtlvException("an item of " + total + " bytes is over " + MAX_MESSAGE_BYTES);
    }
    return (int) total;
  }

  private static final class Reader {
    private final byte[] in;
    private int at;
    private int items;

    Reader(byte[] in) {
      this.in = in;
    }

    /** An item that must end by {@code end}. */
    Ttlv item(int end, int depth) throws TtlvException {
      if (++items > MAX_ITEMS) {
        throw new TtlvException("more than " + MAX_ITEMS + " items");
      }
      int start = at;
      if (end - at < HEADER) {
        throw new TtlvException("a header is cut short at offset " + start);
      }
      int tag = (in[at] & 0xFF) << 16 | (in[at + 1] & 0xFF) << 8 | in[at + 2] & 0xFF;
      ItemType type = ItemType.fromCode(in[at + 3] & 0xFF);
      long length = ByteBuffer.wrap(in, at + 4, 4).getInt() & 0xFFFFFFFFL;
      at += HEADER;
      if (type == null) {
        throw new TtlvException(
            "unknown item type " + (in[start + 3] & 0xFF) + " at offset " + start);
      }
      long padded = length + padding((int) (length % 8));
      if (padded > end - at) {
        throw new TtlvException(
            "item "
                + hex(tag)
                + " at offset "
                + start
                + " says "
                + length
                + " bytes; "
                + (end - at)
                + " are left");
      }
      int n = (int) length;
      Ttlv item =
          switch (type) {
            case STRUCTURE -> {
              if (depth + 1 > MAX_DEPTH) {
                throw new TtlvException("structures nest deeper than " + MAX_DEPTH);
              }
              int stop = at + n;
              List<Ttlv> children = new ArrayList<>();
              while (at < stop) {
                children.add(item(stop, depth + 1));
              }
              yield Ttlv.structure(tag, children);
            }
            case INTEGER -> Ttlv.integer(tag, fixed(type, tag, n, 4).getInt());
            case LONG_INTEGER -> Ttlv.longInteger(tag, fixed(type, tag, n, 8).getLong());
            case BIG_INTEGER -> {
              if (n == 0 || n % 8 != 0) {
                throw new TtlvException(
                    "big integer " + hex(tag) + " is " + n + " bytes, not a multiple of 8");
              }
              byte[] wire = Arrays.copyOfRange(in, at, at + n);
              BigInteger v = new BigInteger(wire);
              if (!Arrays.equals(signExtended(v.toByteArray()), wire)) {
                throw new TtlvException("big integer " + hex(tag) + " is not in its shortest form");
              }
              yield Ttlv.bigInteger(tag, v);
            }
            case ENUMERATION ->
                Ttlv.enumeration(tag, fixed(type, tag, n, 4).getInt() & 0xFFFFFFFFL);
            case BOOLEAN -> {
              long v = fixed(type, tag, n, 8).getLong();
              if (v != 0 && v != 1) {
                throw new TtlvException("boolean " + hex(tag) + " is " + v + ", not 0 or 1");
              }
              yield Ttlv.bool(tag, v == 1);
            }
            case TEXT_STRING -> Ttlv.text(tag, utf8(tag, n));
            case BYTE_STRING -> Ttlv.bytes(tag, Arrays.copyOfRange(in, at, at + n));
            case DATE_TIME -> {
              long seconds = fixed(type, tag, n, 8).getLong();
              if (seconds < Instant.MIN.getEpochSecond()
                  || seconds > Instant.MAX.getEpochSecond()) {
                throw new TtlvException("date-time " + hex(tag) + " is out of range");
              }
              yield Ttlv.dateTime(tag, Instant.ofEpochSecond(seconds));
            }
            case INTERVAL -> Ttlv.interval(tag, fixed(type, tag, n, 4).getInt() & 0xFFFFFFFFL);
          };
      if (type != ItemType.STRUCTURE) {
        at += n;
      }
      for (int i = 0; i < padded - length; i++) {
        if (in[at + i] != 0) {
          throw new TtlvException("item " + hex(tag) + " has padding that is not zero");
        }
      }
      at += (int) (padded - length);
      return item;
    }

    private ByteBuffer fixed(ItemType type, int tag, int length, int wanted) throws TtlvException {
      if (length != wanted) {
        throw new TtlvException(type + " " + hex(tag) + " is " + length + " bytes, not " + wanted);
      }
      return ByteBuffer.wrap(in, at, wanted);
    }

    private String utf8(int tag, int length) throws TtlvException {
      try {
        return StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(in, at, length))
            .toString();
      } catch (CharacterCodingException e) {
        throw new TtlvException("text " + hex(tag) + " is not UTF-8");
      }
    }

    private static String hex(int tag) {
      return String.format("%06X", tag);
    }
  }
}
