package io.ihsm.ddi.cbor;

import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.ddi.cose.CoseKey;
import io.ihsm.ddi.cose.CoseSign1;
import io.ihsm.ddi.testing.Mutations;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The strict decoder on random and mutated input, from fixed seeds: a value or a CborException,
 * never anything else; what decodes re-encodes to the same bytes. (DdiFuzzTest fuzzes it too.)
 */
class CborPropertiesTest {
  static void onlyCborExceptions(Runnable decode) {
    try {
      decode.run();
    } catch (CborException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    }
  }

  static List<byte[]> reports() throws Exception {
    var g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    Map<Long, Object> claims =
        Map.of(
            1L,
            "ihsm key attestation 1",
            2L,
            new byte[16],
            3L,
            70000L,
            6L,
            true,
            13L,
            "ec-p256",
            14L,
            256L,
            19L,
            CoseKey.of(g.generateKeyPair().getPublic()),
            24L,
            List.of(5L, new byte[48]));
    byte[] payload = Cbor.encode(claims);
    return List.of(
        new CoseSign1(CoseSign1.es384Header(), new byte[20], payload, new byte[96]).encode(),
        new CoseSign1(CoseSign1.es384Header(), new byte[20], null, new byte[96]).encode(),
        payload);
  }

  @Test
  void randomBytesDecodeOrAreRefused() {
    Random r = new Random(0xcb0);
    for (int i = 0; i < 3000; i++) {
      byte[] bytes = Mutations.random(r, 64);
      onlyCborExceptions(() -> Cbor.decode(bytes));
      onlyCborExceptions(() -> CoseSign1.decode(bytes));
    }
  }

  @Test
  void mutatedReportsDecodeOrAreRefused() throws Exception {
    List<byte[]> reports = reports();
    Random r = new Random(0xcb1);
    for (int i = 0; i < 3000; i++) {
      byte[] mutated = Mutations.mutate(r, reports);
      onlyCborExceptions(
          () -> {
            CoseSign1 m = CoseSign1.decode(mutated);
            if (m.payload() != null
                && Cbor.decode(m.payload()) instanceof Map<?, ?> claims
                && claims.get(19L) instanceof Map<?, ?> key) {
              CoseKey.toPublicKey(key);
            }
          });
    }
  }

  @Test
  void whateverDecodesReEncodesToTheSameBytes() throws Exception {
    List<byte[]> reports = reports();
    Random r = new Random(0xcb2);
    int decoded = 0;
    for (int i = 0; i < 500; i++) {
      byte[] mutated = reports.get(r.nextInt(reports.size())).clone();
      mutated[r.nextInt(mutated.length)] = (byte) r.nextInt();
      Object value;
      try {
        value = Cbor.decode(mutated);
      } catch (CborException refused) {
        continue;
      }
      decoded++;
      assertThat(Cbor.encode(value)).as("one value, one encoding").isEqualTo(mutated);
    }
    assertThat(decoded)
        .as("some mutations still decode, so the property was exercised")
        .isPositive();
  }
}
