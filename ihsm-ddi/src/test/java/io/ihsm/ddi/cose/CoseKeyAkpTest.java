package io.ihsm.ddi.cose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ihsm.ddi.cbor.CborException;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.NamedParameterSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ML-DSA and ML-KEM public keys as COSE_Key AKP maps (RFC 9964) and back, byte for byte. */
class CoseKeyAkpTest {
  @Test
  void everyParameterSetRoundTripsToTheSameSubjectPublicKeyInfo() throws Exception {
    for (String set :
        List.of("ML-DSA-44", "ML-DSA-65", "ML-DSA-87", "ML-KEM-512", "ML-KEM-768", "ML-KEM-1024")) {
      KeyPairGenerator g = KeyPairGenerator.getInstance(set.substring(0, 6));
      g.initialize(new NamedParameterSpec(set));
      PublicKey pub = g.generateKeyPair().getPublic();
      Map<Long, Object> cose = CoseKey.of(pub);
      assertThat(cose.get(CoseKey.KTY)).isEqualTo(CoseKey.KTY_AKP);
      assertThat(CoseKey.toPublicKey(cose).getEncoded()).as(set).isEqualTo(pub.getEncoded());
    }
    KeyPairGenerator g = KeyPairGenerator.getInstance("ML-DSA");
    g.initialize(NamedParameterSpec.ML_DSA_65);
    assertThat(CoseKey.of(g.generateKeyPair().getPublic()).get(CoseKey.ALG)).isEqualTo(-49L);
  }

  @Test
  void anAkpKeyOfTheWrongSizeOrAlgorithmIsRefused() {
    Map<Long, Object> wrongSize = new HashMap<>();
    wrongSize.put(CoseKey.KTY, CoseKey.KTY_AKP);
    wrongSize.put(CoseKey.ALG, -49L);
    wrongSize.put(CoseKey.AKP_PUB, new byte[100]);
    assertThatThrownBy(() -> CoseKey.toPublicKey(wrongSize)).isInstanceOf(CborException.class);
    Map<Long, Object> unknownAlg = new HashMap<>(wrongSize);
    unknownAlg.put(CoseKey.ALG, -7L);
    unknownAlg.put(CoseKey.AKP_PUB, new byte[1952]);
    assertThatThrownBy(() -> CoseKey.toPublicKey(unknownAlg)).isInstanceOf(CborException.class);
  }
}
