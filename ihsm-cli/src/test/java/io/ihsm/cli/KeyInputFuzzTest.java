package io.ihsm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing (Jazzer) of the key files the CLI reads (PEM or DER): a private key to
 * wrap is either a PKCS#8 EC, RSA, ML-DSA or ML-KEM key or refused with one clear message; a public
 * key or certificate file is its DER or refused. No other exception escapes. Seeds and crash
 * inputs: {@code src/test/resources/io/ihsm/cli/KeyInputFuzzTestInputs/}.
 */
class KeyInputFuzzTest {
  @FuzzTest(maxDuration = "10s")
  void privateKeysToWrap(byte[] input) {
    try {
      byte[] der = KeyCommand.privateKey(input);
      assertThat(der).isNotEmpty();
    } catch (CliFailure refused) {
      assertThat(refused.getMessage()).startsWith("--in");
    }
  }

  @FuzzTest(maxDuration = "10s")
  void pemOrDer(byte[] input) {
    for (String type : new String[] {"PUBLIC KEY", "CERTIFICATE", "PRIVATE KEY"}) {
      try {
        Pem.derOrPem(input, type);
      } catch (CliFailure refused) {
        assertThat(refused.getMessage()).isNotBlank();
      }
    }
  }
}
