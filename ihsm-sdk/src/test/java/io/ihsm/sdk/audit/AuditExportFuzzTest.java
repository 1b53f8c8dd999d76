package io.ihsm.sdk.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;

/**
 * Coverage-guided fuzzing (Jazzer) of the offline audit-export verifier: whatever a file holds, the
 * verifier answers a result (never throws), and with a key the fuzzer cannot sign for, never
 * "valid". Seeds and crash inputs: {@code
 * src/test/resources/io/ihsm/sdk/audit/AuditExportFuzzTestInputs/}.
 */
class AuditExportFuzzTest {
  static final byte[] KEY;

  static {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp384r1"));
      KEY = g.generateKeyPair().getPublic().getEncoded();
    } catch (Exception e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @FuzzTest(maxDuration = "10s")
  void exports(byte[] export) {
    AuditVerifier.Result r = AuditVerifier.verify(export, KEY);
    assertThat(r.valid())
        .as("nothing the fuzzer writes is signed by a key it does not hold")
        .isFalse();
    assertThat(r.reason()).isNotBlank();
    assertThat(r.entries()).isNotNegative();
  }
}
