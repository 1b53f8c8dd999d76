package io.ihsm.ddi.cbor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Deterministic encoding (RFC 8949 appendix A examples, section 4.2.1 key order) and strict
 * decoding.
 */
class CborTest {
  static String hex(Object value) {
    return HexFormat.of().formatHex(Cbor.encode(value));
  }

  static Object decodeHex(String hex) {
    return Cbor.decode(HexFormat.of().parseHex(hex));
  }

  @Test
  void encodesTheRfc8949Examples() {
    assertThat(hex(0L)).isEqualTo("00");
    assertThat(hex(23)).isEqualTo("17");
    assertThat(hex(24)).isEqualTo("1818");
    assertThat(hex(100)).isEqualTo("1864");
    assertThat(hex(1000)).isEqualTo("1903e8");
    assertThat(hex(1000000)).isEqualTo("1a000f4240");
    assertThat(hex(1000000000000L)).isEqualTo("1b000000e8d4a51000");
    assertThat(hex(Long.MAX_VALUE)).isEqualTo("1b7fffffffffffffff");
    assertThat(hex(-1)).isEqualTo("20");
    assertThat(hex(-10)).isEqualTo("29");
    assertThat(hex(-100)).isEqualTo("3863");
    assertThat(hex(-1000)).isEqualTo("3903e7");
    assertThat(hex(Long.MIN_VALUE)).isEqualTo("3b7fffffffffffffff");
    assertThat(hex(false)).isEqualTo("f4");
    assertThat(hex(true)).isEqualTo("f5");
    assertThat(hex(null)).isEqualTo("f6");
    assertThat(hex(new byte[0])).isEqualTo("40");
    assertThat(hex(new byte[] {1, 2, 3, 4})).isEqualTo("4401020304");
    assertThat(hex("")).isEqualTo("60");
    assertThat(hex("IETF")).isEqualTo("6449455446");
    assertThat(hex("\u00fc")).isEqualTo("62c3bc");
    assertThat(hex(List.of())).isEqualTo("80");
    assertThat(hex(List.of(1, List.of(2, 3), List.of(4, 5)))).isEqualTo("8301820203820405");
    assertThat(hex(Map.of())).isEqualTo("a0");
    assertThat(hex(new Cbor.Tagged(18, List.of()))).isEqualTo("d280");
  }

  @Test
  void mapKeysAreSortedByTheirEncodingWhateverOrderTheyCameIn() {
    Map<Object, Object> m = new LinkedHashMap<>();
    m.put("a", 1);
    m.put(-1, 2);
    m.put(100, 3);
    m.put(10, 4);
    // 10 (0a) < 100 (1864) < -1 (20) < "a" (6161)
    assertThat(hex(m)).isEqualTo("a40a04186403200261610" + "1");
    assertThatThrownBy(() -> Cbor.encode(Map.of(1, 1, 1L, 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("duplicate");
    assertThatThrownBy(() -> Cbor.encode(Map.of(new byte[1], 1)))
        .hasMessageContaining("integers or text");
    assertThatThrownBy(() -> Cbor.encode(1.5)).hasMessageContaining("no CBOR encoding");
  }

  @Test
  void decodingGivesBackWhatWasEncoded() {
    Map<Object, Object> m = new LinkedHashMap<>();
    m.put(1L, "text");
    m.put(2L, Arrays.asList(true, false, null, -5L, Long.MIN_VALUE));
    m.put(-3L, new Cbor.Tagged(18, 7L));
    m.put("k", Map.of(0L, 0L));
    byte[] encoded = Cbor.encode(m);
    Object decoded = Cbor.decode(encoded);
    assertThat(Cbor.encode(decoded)).isEqualTo(encoded);
    assertThat(((Map<?, ?>) decoded).get(1L)).isEqualTo("text");
    assertThat((byte[]) Cbor.decode(Cbor.encode(new byte[300]))).hasSize(300);
  }

  @Test
  void everyEncodingThatIsNotTheDeterministicOneIsRefused() {
    String[][] refused = {
      {"1817", "shortest"},
      {"190017", "shortest"},
      {"1a000000ff", "shortest"},
      {"1b00000000ffffffff", "shortest"},
      {"3817", "shortest"},
      {"5801ff", "shortest"},
      {"9fff", "indefinite"},
      {"5f40ff", "indefinite"},
      {"bf01 02ff".replace(" ", ""), "indefinite"},
      {"a201020103", "out of order or repeated"},
      {"a203040102", "out of order or repeated"},
      {"a1400102".substring(0, 6), "not an integer or text"},
      {"0000", "follow"},
      {"1903", "ends inside"},
      {"", "ends inside"},
      {"5bffffffffffffffff", "runs past"},
      {"5a00010000", "runs past"},
      {"9b7fffffffffffffff", "runs past"},
      {"8301", "runs past"},
      {"82010203", "follow"},
      {"8201", "runs past"},
      {"81", "runs past"},
      {"62c328", "UTF-8"},
      {"f93c00", "float"},
      {"fb3ff8000000000000", "float"},
      {"f0", "simple"},
      {"1bffffffffffffffff", "beyond"},
      {"3bffffffffffffffff", "below"},
      {"1c", "reserved"}
    };
    for (String[] r : refused) {
      assertThatThrownBy(() -> decodeHex(r[0]))
          .as(r[0])
          .isInstanceOf(CborException.class)
          .hasMessageContaining(r[1]);
    }
  }

  @Test
  void nestingIsBounded() {
    Object deep = 1L;
    for (int i = 0; i < Cbor.MAX_DEPTH; i++) {
      deep = List.of(deep);
    }
    byte[] ok = Cbor.encode(deep);
    assertThat(Cbor.decode(ok)).isNotNull();
    byte[] tooDeep = new byte[ok.length + 1];
    tooDeep[0] = (byte) 0x81;
    System.arraycopy(ok, 0, tooDeep, 1, ok.length);
    assertThatThrownBy(() -> Cbor.decode(tooDeep))
        .isInstanceOf(CborException.class)
        .hasMessageContaining("deeper");
    List<Object> list = new ArrayList<>(List.of(deep));
    assertThatThrownBy(() -> Cbor.encode(list)).hasMessageContaining("deeper");
  }
}
