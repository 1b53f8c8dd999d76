package io.ihsm.ddi.cbor;

import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.ddi.cose.CoseKey;
import io.ihsm.ddi.cose.CoseSign1;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** The strict decoder on random and mutated input: a value or a CborException, never anything else. */
class CborPropertiesTest {
  static void onlyCborExceptions(Runnable decode) {
    try {
      decode.run();
    } catch (CborException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    }
  }

  @Property(tries = 3000)
  void randomBytesDecodeOrAreRefused(@ForAll @Size(max = 64) byte[] bytes) {
    onlyCborExceptions(() -> Cbor.decode(bytes));
    onlyCborExceptions(() -> CoseSign1.decode(bytes));
  }

  @Property(tries = 3000)
  void mutatedReportsDecodeOrAreRefused(@ForAll("reports") byte[] report, @ForAll int position, @ForAll byte value,
      @ForAll boolean truncate) {
    int i = Math.floorMod(position, report.length);
    byte[] mutated = truncate ? Arrays.copyOf(report, i) : report.clone();
    if (!truncate) {
      mutated[i] = value;
    }
    onlyCborExceptions(() -> {
      CoseSign1 m = CoseSign1.decode(mutated);
      if (m.payload() != null && Cbor.decode(m.payload()) instanceof Map<?, ?> claims
          && claims.get(19L) instanceof Map<?, ?> key) {
        CoseKey.toPublicKey(key);
      }
    });
  }

  @Property(tries = 500)
  void whateverDecodesReEncodesToTheSameBytes(@ForAll("reports") byte[] report, @ForAll int position, @ForAll byte value) {
    byte[] mutated = report.clone();
    mutated[Math.floorMod(position, mutated.length)] = value;
    Object decoded;
    try {
      decoded = Cbor.decode(mutated);
    } catch (CborException refused) {
      return;
    }
    assertThat(Cbor.encode(decoded)).as("one value, one encoding").isEqualTo(mutated);
  }

  @Provide
  Arbitrary<byte[]> reports() throws Exception {
    var g = java.security.KeyPairGenerator.getInstance("EC");
    g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
    Map<Long, Object> claims = Map.of(1L, "ihsm key attestation 1", 2L, new byte[16], 3L, 70000L, 6L, true,
        13L, "ec-p256", 14L, 256L, 19L, CoseKey.of(g.generateKeyPair().getPublic()), 24L, List.of(5L, new byte[48]));
    byte[] payload = Cbor.encode(claims);
    return Arbitraries.of(new CoseSign1(CoseSign1.es384Header(), new byte[20], payload, new byte[96]).encode(),
        new CoseSign1(CoseSign1.es384Header(), new byte[20], null, new byte[96]).encode(), payload);
  }
}
