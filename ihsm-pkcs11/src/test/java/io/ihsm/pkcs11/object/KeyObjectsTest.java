package io.ihsm.pkcs11.object;

import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.ddi.key.KeyKind;
import io.ihsm.pkcs11.Ck;
import org.junit.jupiter.api.Test;

/** Post-quantum keys a partition holds are shown under PKCS#11 3.2's key types. */
class KeyObjectsTest {
  @Test
  void postQuantumKeysAreShownAsPkcs11ThreeTwoKeyTypesNotAsGenericSecrets() {
    for (KeyKind k : KeyKind.values()) {
      long type = KeyObjects.keyType(k);
      switch (k.family()) {
        case ML_DSA -> assertThat(type).as(k.textName()).isEqualTo(0x4AL);
        case ML_KEM -> assertThat(type).as(k.textName()).isEqualTo(0x49L);
        case EC -> assertThat(type).isEqualTo(Ck.CKK_EC);
        case RSA -> assertThat(type).isEqualTo(Ck.CKK_RSA);
        default -> {} // symmetric kinds: tested with their objects
      }
    }
  }
}
