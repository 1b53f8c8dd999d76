package io.ihsm.ddi.attest;

import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.ddi.cbor.Cbor;
import io.ihsm.ddi.cose.CoseSign1;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/attestation.md's worked example: a real key report, its claims, and the certificate that
 * verifies it.
 */
class AttestationWorkedExampleTest {
  static String doc;

  @BeforeAll
  static void readDoc() throws Exception {
    doc =
        Files.readString(
            Path.of(System.getProperty("ihsm.project.root", "..")).resolve("docs/attestation.md"));
  }

  /** The fenced block after an HTML comment marker. */
  static String block(String marker) {
    int at = doc.indexOf("<!-- " + marker + " -->");
    assertThat(at).as(marker).isNotNegative();
    int start = doc.indexOf("```\n", at) + 4;
    return doc.substring(start, doc.indexOf("\n```", start));
  }

  @Test
  void theReportDecodesToTheClaimsShownAndVerifiesWithTheCertificateShown() throws Exception {
    byte[] report = HexFormat.of().parseHex(block("worked-example-report").replace("\n", ""));
    CoseSign1 message = CoseSign1.decode(report);
    Map<?, ?> claims = (Map<?, ?>) Cbor.decode(message.payload());
    assertThat(Cbor.diagnostic(claims)).isEqualTo(block("worked-example-claims"));
    assertThat(claims.get(Claims.TYPE)).isEqualTo(Claims.KEY_REPORT);
    assertThat(Cbor.encode(claims))
        .as("deterministic: re-encoding gives the signed bytes")
        .isEqualTo(message.payload());

    X509Certificate leaf =
        (X509Certificate)
            CertificateFactory.getInstance("X.509")
                .generateCertificate(
                    new ByteArrayInputStream(
                        block("worked-example-certificate").getBytes(StandardCharsets.US_ASCII)));
    Signature s = Signature.getInstance("SHA384withECDSAinP1363Format");
    s.initVerify(leaf.getPublicKey());
    s.update(message.toBeSigned(new byte[0]));
    assertThat(s.verify(message.signature())).isTrue();
    // subjectKeyIdentifier: OCTET STRING { OCTET STRING (20) }; the key id is the inner 20 bytes.
    byte[] ext = leaf.getExtensionValue("2.5.29.14");
    assertThat(ext).startsWith(0x04, 22, 0x04, 20).hasSize(24);
    assertThat(message.keyId()).isEqualTo(Arrays.copyOfRange(ext, 4, 24));
    assertThat(leaf.getSubjectX500Principal().getName())
        .contains("OU=" + HexFormat.of().formatHex((byte[]) claims.get(Claims.PARTITION_UID)));
  }
}
