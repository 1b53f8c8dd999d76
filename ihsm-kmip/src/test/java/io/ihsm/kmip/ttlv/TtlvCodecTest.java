package io.ihsm.kmip.ttlv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * TTLV as the KMIP specification's own examples encode it, every type round trip, and every way
 * bytes can fail to be one well-formed item refused with the reason.
 */
class TtlvCodecTest {
  static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replace(" ", "").replace("|", ""));
  }

  @Test
  void theSpecificationsExamplesEncodeByteForByte() throws Exception {
    // KMIP 1.x 9.1.2: an Integer 8, a Long Integer 123456789000000000, a Big Integer
    // 1234567890000000000000000000, an Enumeration 255, a Boolean true, a Text String "Hello
    // World", a Byte String 01 02 03, a Date-Time, an Interval of 10 days, and a Structure.
    String[][] examples = {
      {"42 00 20 | 02 | 00 00 00 04 | 00 00 00 08 00 00 00 00"},
      {"42 00 20 | 03 | 00 00 00 08 | 01 B6 9B 4B A5 74 92 00"},
      {"42 00 20 | 04 | 00 00 00 10 | 00 00 00 00 03 FD 35 EB 6B C2 DF 46 18 08 00 00"},
      {"42 00 20 | 05 | 00 00 00 04 | 00 00 00 FF 00 00 00 00"},
      {"42 00 20 | 06 | 00 00 00 08 | 00 00 00 00 00 00 00 01"},
      {"42 00 20 | 07 | 00 00 00 0B | 48 65 6C 6C 6F 20 57 6F 72 6C 64 00 00 00 00 00"},
      {"42 00 20 | 08 | 00 00 00 03 | 01 02 03 00 00 00 00 00"},
      {"42 00 20 | 09 | 00 00 00 08 | 00 00 00 00 47 DA 67 F8"},
      {"42 00 20 | 0A | 00 00 00 04 | 00 0D 2F 00 00 00 00 00"},
      {
        "42 00 20 | 01 | 00 00 00 20 | 42 00 04 | 05 | 00 00 00 04 | 00 00 00 FE 00 00 00 00 |"
            + " 42 00 05 | 02 | 00 00 00 04 | 00 00 00 FF 00 00 00 00"
      }
    };
    Ttlv[] items = {
      Ttlv.integer(0x420020, 8),
      Ttlv.longInteger(0x420020, 123456789000000000L),
      Ttlv.bigInteger(0x420020, new BigInteger("1234567890000000000000000000")),
      Ttlv.enumeration(0x420020, 255),
      Ttlv.bool(0x420020, true),
      Ttlv.text(0x420020, "Hello World"),
      Ttlv.bytes(0x420020, new byte[] {1, 2, 3}),
      Ttlv.dateTime(0x420020, Instant.ofEpochSecond(0x47DA67F8L)),
      Ttlv.interval(0x420020, 864000),
      Ttlv.structure(0x420020, Ttlv.enumeration(0x420004, 254), Ttlv.integer(0x420005, 255))
    };
    for (int i = 0; i < items.length; i++) {
      byte[] wire = hex(examples[i][0]);
      assertThat(TtlvCodec.encode(items[i])).as(items[i].toString()).isEqualTo(wire);
      assertThat(TtlvCodec.decode(wire)).isEqualTo(items[i]);
    }
  }

  @Test
  void negativeNumbersAndEmptyValuesRoundTrip() throws Exception {
    Ttlv msg =
        Ttlv.structure(
            0x420078,
            Ttlv.integer(0x420001, -1),
            Ttlv.longInteger(0x420002, Long.MIN_VALUE),
            Ttlv.bigInteger(0x420003, BigInteger.valueOf(-129)),
            Ttlv.bigInteger(0x420003, BigInteger.ZERO),
            Ttlv.enumeration(0x420004, 0xFFFFFFFFL),
            Ttlv.text(0x420005, ""),
            Ttlv.text(0x420005, "clé"),
            Ttlv.bytes(0x420006, new byte[0]),
            Ttlv.structure(0x420007));
    assertThat(TtlvCodec.decode(TtlvCodec.encode(msg))).isEqualTo(msg);
    assertThat(TtlvCodec.encode(Ttlv.bigInteger(1, BigInteger.valueOf(-129))))
        .as("sign-extended, not zero-padded")
        .isEqualTo(hex("000001 04 00000008 FFFFFFFFFFFFFF7F"));
  }

  @Test
  void badBytesAreRefusedWithTheReason() {
    String[][] bad = {
      {"42 00 20 02 00 00 00 04 00 00 00 08", "says 4 bytes"},
      {"42 00 20 02 00 00 00 08 00 00 00 00 00 00 00 08", "not 4"},
      {"42 00 20 02 00 00 00 04 00 00 00 08 00 00 00 01", "padding"},
      {"42 00 20 06 00 00 00 08 00 00 00 00 00 00 00 02", "not 0 or 1"},
      {"42 00 20 07 00 00 00 02 FF FE 00 00 00 00 00 00", "not UTF-8"},
      {"42 00 20 0B 00 00 00 00", "unknown item type"},
      {"42 00 20 04 00 00 00 05 00 00 00 00 01 00 00 00", "multiple of 8"},
      {"42 00 20 04 00 00 00 10 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01", "shortest"},
      {"42 00 20 02 00 00 00 04 00 00 00 08 00 00 00 00 00", "follow the item"},
      {"42 00 20 01 00 00 00 08 42 00 04 02 00 00 00 04", "0 are left"},
      {"42 00 20 01 FF FF FF F8", "says 4294967288 bytes"},
      {"42 00 20 09 00 00 00 08 7F FF FF FF FF FF FF FF", "out of range"},
      {"42 00", "cut short"}
    };
    for (String[] b : bad) {
      assertThatThrownBy(() -> TtlvCodec.decode(hex(b[0])))
          .as(b[0])
          .isInstanceOf(TtlvException.class)
          .hasMessageContaining(b[1]);
    }
  }

  @Test
  void depthItemsAndSizeAreBoundedBeforeAnythingIsBuilt() {
    Ttlv deep = Ttlv.integer(0x420001, 1);
    for (int i = 0; i < TtlvCodec.MAX_DEPTH + 1; i++) {
      deep = Ttlv.structure(0x420002, deep);
    }
    byte[] tooDeep = TtlvCodec.encode(deep);
    assertThatThrownBy(() -> TtlvCodec.decode(tooDeep)).hasMessageContaining("deeper");
    Ttlv[] many = new Ttlv[TtlvCodec.MAX_ITEMS];
    java.util.Arrays.fill(many, Ttlv.bool(0x420003, false));
    byte[] tooMany = TtlvCodec.encode(Ttlv.structure(0x420004, many));
    assertThatThrownBy(() -> TtlvCodec.decode(tooMany)).hasMessageContaining("items");
    assertThatThrownBy(() -> TtlvCodec.decode(new byte[TtlvCodec.MAX_MESSAGE_BYTES + 1]))
        .hasMessageContaining("over");
    assertThatThrownBy(() -> TtlvCodec.itemLength(hex("420020 01 7FFFFFFF")))
        .hasMessageContaining("over");
  }

  @Test
  void valuesAreCheckedWhenMadeAndReadOnlyAsTheirType() {
    assertThatThrownBy(() -> Ttlv.integer(0x1000000, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Ttlv.enumeration(1, -1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Ttlv.dateTime(1, Instant.ofEpochSecond(1, 5)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Ttlv.integer(1, 1).text()).isInstanceOf(IllegalStateException.class);
    byte[] secret = {9, 9};
    Ttlv b = Ttlv.bytes(1, secret);
    secret[0] = 0;
    assertThat(b.bytes()).containsExactly(9, 9);
    assertThat(Ttlv.text(1, "a password").toString()).doesNotContain("password");
  }
}
