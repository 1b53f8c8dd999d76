package io.ihsm.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.sdk.PartitionClient;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing (Jazzer) of what a relying party feeds the offline verifier: report bytes
 * (CBOR, COSE_Sign1, claims) and the certificates of the chain (X.509 DER), against a real device's
 * chain and root. Whatever the input, the verifier answers a verified report only for the device's
 * own authentic report, and otherwise an AttestationException with a reason; nothing else escapes.
 * Seeds and crash inputs: {@code src/test/resources/io/ihsm/verify/VerifierFuzzTestInputs/}.
 */
class VerifierFuzzTest {
  /** A manufactured device with one partition and one key, made once for the run. */
  static final class Fixture {
    static final Fixture INSTANCE = create();
    final AttestationPolicy policy;
    final List<X509Certificate> chain;
    final byte[] report;

    private Fixture(AttestationPolicy policy, List<X509Certificate> chain, byte[] report) {
      this.policy = policy;
      this.chain = chain;
      this.report = report;
    }

    private static Fixture create() {
      try {
        Path home = Files.createTempDirectory("ihsm-verifier-fuzz");
        TestManufacturer m = new TestManufacturer();
        TestManufacturer.Device d = m.device(home);
        PartitionClient p = d.partition("fuzz");
        p.generate("k", KeyKind.EC_P384, KeyUsage.SIGN, false);
        byte[] report = p.attest("k", AttestationVerifierTest.NONCE);
        return new Fixture(
            AttestationPolicy.trusting(m.root),
            TestManufacturer.leafFirstWithoutRoot(p.certificates()),
            report);
      } catch (Exception e) {
        throw new IllegalStateException("the fuzzing fixture cannot be made", e);
      }
    }
  }

  static boolean verifies(AttestationPolicy policy, List<X509Certificate> chain, byte[] report) {
    try {
      AttestationVerifier.verify(policy, chain, report);
      return true;
    } catch (AttestationException refused) {
      assertThat(refused.reason()).isNotNull();
      return false;
    }
  }

  @FuzzTest(maxDuration = "10s")
  void reports(byte[] report) {
    Fixture f = Fixture.INSTANCE;
    if (verifies(f.policy, f.chain, report)) {
      assertThat(report).as("only the device's own report verifies").isEqualTo(f.report);
    }
  }

  /**
   * One certificate of the chain edited by the fuzzer (bytes set at chosen places of the genuine
   * DER, so that most edits still parse and reach the chain checks): refused, never accepted, never
   * a crash.
   */
  @FuzzTest(maxDuration = "10s")
  void chainCertificates(FuzzedDataProvider data) throws Exception {
    Fixture f = Fixture.INSTANCE;
    int index = data.consumeInt(0, f.chain.size() - 1);
    byte[] der = f.chain.get(index).getEncoded();
    int edits = data.consumeInt(1, 8);
    for (int i = 0; i < edits && data.remainingBytes() > 0; i++) {
      der[data.consumeInt(0, der.length - 1)] = data.consumeByte();
    }
    X509Certificate parsed;
    try {
      parsed =
          (X509Certificate)
              CertificateFactory.getInstance("X.509")
                  .generateCertificate(new ByteArrayInputStream(der));
    } catch (CertificateException | RuntimeException notACertificate) {
      return; // the JDK's parser refuses it; the verifier never sees it
    }
    List<X509Certificate> chain = new ArrayList<>(f.chain);
    chain.set(index, parsed);
    boolean ok = verifies(f.policy, chain, f.report);
    if (ok) {
      assertThat(parsed)
          .as("only the genuine certificate completes the chain")
          .isEqualTo(f.chain.get(index));
    }
  }
}
