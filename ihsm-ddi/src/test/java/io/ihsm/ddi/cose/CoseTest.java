package io.ihsm.ddi.cose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ihsm.ddi.cbor.Cbor;
import io.ihsm.ddi.cbor.CborException;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** COSE_Sign1 framing and COSE_Key public keys: round trips, and every malformed form refused. */
class CoseTest {
  static PublicKey ec(String curve) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec(curve));
    return g.generateKeyPair().getPublic();
  }

  @Test
  void publicKeysRoundTripThroughCoseKey() throws Exception {
    for (String curve : List.of("secp256r1", "secp384r1", "secp521r1")) {
      PublicKey key = ec(curve);
      Map<Long, Object> cose = CoseKey.of(key);
      assertThat(cose.get(CoseKey.KTY)).isEqualTo(CoseKey.KTY_EC2);
      assertThat(CoseKey.toPublicKey((Map<?, ?>) Cbor.decode(Cbor.encode(cose))).getEncoded())
          .as(curve)
          .isEqualTo(key.getEncoded());
    }
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    PublicKey key = rsa.generateKeyPair().getPublic();
    Map<Long, Object> cose = CoseKey.of(key);
    assertThat((byte[]) cose.get(CoseKey.RSA_E)).isEqualTo(new byte[] {1, 0, 1});
    assertThat((byte[]) cose.get(CoseKey.RSA_N)).hasSize(256);
    assertThat(CoseKey.toPublicKey(cose).getEncoded()).isEqualTo(key.getEncoded());
  }

  @Test
  void malformedCoseKeysAreRefused() throws Exception {
    Map<Long, Object> good = CoseKey.of(ec("secp384r1"));
    Map<Long, Object> shortX = new HashMap<>(good);
    shortX.put(CoseKey.EC_X, new byte[47]);
    Map<Long, Object> badCurve = new HashMap<>(good);
    badCurve.put(CoseKey.EC_CRV, 7L);
    Map<Long, Object> offCurve = new HashMap<>(good);
    offCurve.put(CoseKey.EC_Y, new byte[48]);
    Map<Long, Object> extra = new HashMap<>(good);
    extra.put(99L, 1L);
    for (Map<?, ?> bad :
        List.<Map<?, ?>>of(shortX, badCurve, offCurve, extra, Map.of(CoseKey.KTY, 1L))) {
      assertThatThrownBy(() -> CoseKey.toPublicKey(bad))
          .as(bad.toString())
          .isInstanceOf(CborException.class);
    }
  }

  @Test
  void aSign1RoundTripsAndItsToBeSignedIsTheRfc9052SigStructure() {
    byte[] header = CoseSign1.es384Header();
    assertThat(HexFormat.of().formatHex(header)).isEqualTo("a1013822");
    CoseSign1 m = new CoseSign1(header, new byte[] {9}, new byte[] {1, 2}, new byte[96]);
    CoseSign1 back = CoseSign1.decode(m.encode());
    assertThat(back.payload()).isEqualTo(new byte[] {1, 2});
    assertThat(back.keyId()).isEqualTo(new byte[] {9});
    // ["Signature1", h'a1013822', h'', h'0102']
    assertThat(HexFormat.of().formatHex(m.toBeSigned(new byte[0])))
        .isEqualTo("846a5369676e61747572653144a101382240420102");
    CoseSign1 detached =
        CoseSign1.decode(new CoseSign1(header, new byte[0], null, new byte[96]).encode());
    assertThat(detached.payload()).isNull();
    assertThat(detached.toBeSigned(new byte[] {1, 2})).isEqualTo(m.toBeSigned(new byte[0]));
  }

  @Test
  void everyOtherShapeIsRefused() {
    byte[] h = CoseSign1.es384Header();
    List<Object> good = Arrays.asList(h, Map.of(4L, new byte[1]), new byte[1], new byte[96]);
    Map<String, Object> bad =
        Map.of(
            "untagged", good,
            "another tag", new Cbor.Tagged(98, good),
            "three parts", new Cbor.Tagged(18, good.subList(0, 3)),
            "ES256 header",
                new Cbor.Tagged(
                    18,
                    Arrays.asList(
                        Cbor.encode(Map.of(1L, -7L)), good.get(1), good.get(2), good.get(3))),
            "no key id", new Cbor.Tagged(18, Arrays.asList(h, Map.of(), good.get(2), good.get(3))),
            "text payload", new Cbor.Tagged(18, Arrays.asList(h, good.get(1), "x", good.get(3))),
            "short signature",
                new Cbor.Tagged(18, Arrays.asList(h, good.get(1), good.get(2), new byte[95])));
    bad.forEach(
        (why, value) ->
            assertThatThrownBy(() -> CoseSign1.decode(Cbor.encode(value)))
                .as(why)
                .isInstanceOf(CborException.class));
    assertThatThrownBy(() -> CoseSign1.decode(new byte[CoseSign1.MAX_BYTES + 1]))
        .hasMessageContaining("at most");
  }
}
