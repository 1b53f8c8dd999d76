package io.ihsm.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import com.fasterxml.jackson.dataformat.cbor.CBORParser;
import io.ihsm.ddi.attest.Claims;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.ddi.message.SignedDocument;
import io.ihsm.sdk.CryptoOfficerSession;
import io.ihsm.sdk.PartitionClient;
import io.ihsm.sdk.store.HostKeyStore.StoredKey;
import io.ihsm.verify.AttestationException.Reason;
import io.ihsm.verify.VerifiedReport.DeviceAttestation;
import io.ihsm.verify.VerifiedReport.KeyAttestation;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reports made by real (embedded) devices, verified with nothing but the manufacturer's root; and
 * every way a report, chain or policy can be wrong, each refused with its own reason.
 */
class AttestationVerifierTest {
  static final byte[] NONCE = HexFormat.of().parseHex("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");

  @TempDir static Path dir;
  static TestManufacturer manufacturer;
  static TestManufacturer.Device deviceA;
  static TestManufacturer.Device deviceB;
  static PartitionClient a1;
  static PartitionClient a2;
  static PartitionClient b1;
  static StoredKey ecKey;

  @BeforeAll
  static void twoDevicesOfOneManufacturer() throws Exception {
    manufacturer = new TestManufacturer();
    deviceA = manufacturer.device(dir.resolve("a"));
    deviceB = manufacturer.device(dir.resolve("b"));
    a1 = deviceA.partition("one");
    a2 = deviceA.partition("two");
    b1 = deviceB.partition("one");
    ecKey = a1.generate("signer", KeyKind.EC_P384, KeyUsage.SIGN, false);
    a1.generate("aes", KeyKind.AES_256, KeyUsage.ENCRYPT, true);
    a2.generate("signer", KeyKind.EC_P384, KeyUsage.SIGN, false);
    b1.generate("signer", KeyKind.EC_P384, KeyUsage.SIGN, false);
  }

  @AfterAll
  static void close() {
    for (AutoCloseable c : new AutoCloseable[] {a1, a2, b1, deviceA, deviceB}) {
      try {
        c.close();
      } catch (Exception e) {
        // closing only
      }
    }
  }

  static List<X509Certificate> chain(PartitionClient p) {
    return TestManufacturer.leafFirstWithoutRoot(p.certificates());
  }

  static AttestationPolicy policy() {
    return AttestationPolicy.trusting(manufacturer.root);
  }

  static Reason reason(AttestationPolicy policy, List<X509Certificate> chain, byte[] report) {
    try {
      AttestationVerifier.verify(policy, chain, report);
    } catch (AttestationException e) {
      return e.reason();
    }
    return null;
  }

  static byte[] flipped(byte[] b, int index) {
    byte[] c = b.clone();
    c[index] ^= 0x01;
    return c;
  }

  static X509Certificate certificate(byte[] der) throws Exception {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
  }

  @Test
  void aKeyReportVerifiesToTheRootAndSaysWhatTheKeyIs() throws Exception {
    byte[] report = a1.attest("signer", NONCE);
    VerifiedReport r =
        AttestationVerifier.verify(policy().withNonce(NONCE).withMinSvn(1), chain(a1), report);
    assertThat(r).isInstanceOf(KeyAttestation.class);
    KeyAttestation k = (KeyAttestation) r;
    assertThat(k.kind()).isEqualTo("ec-p384");
    assertThat(k.bits()).isEqualTo(384);
    assertThat(k.usage()).isEqualTo("sign");
    assertThat(k.origin()).isEqualTo("generated");
    assertThat(k.extractable()).isFalse();
    assertThat(k.sessionKey()).isFalse();
    assertThat(k.publicKey()).get().extracting(PublicKey::getEncoded).isEqualTo(ecKey.publicKey());
    assertThat(k.keyVersion()).get().extracting(v -> v.version()).isEqualTo(1);
    assertThat(k.keyVersion().orElseThrow().idText()).isEqualTo(ecKey.lifecycle().idText());
    assertThat(k.keyVersion().orElseThrow().state()).isEqualTo("active");
    assertThat(k.claims().nonce()).isEqualTo(NONCE);
    assertThat(k.claims().serialNumber()).isEqualTo(deviceA.hsm().deviceInfo().serialNumber());
    assertThat(k.claims().firmwareSvn())
        .isEqualTo(k.tcb().svn())
        .isEqualTo(deviceA.hsm().firmwareInfo().svn());
    assertThat(k.tcb().digestHex()).isEqualTo(deviceA.hsm().firmwareInfo().digest());
    assertThat(k.claims().approvedMode()).isTrue();
    assertThat(k.partitionId()).isEqualTo(a1.certificates().size() == 4 ? partitionId(a1) : -1);

    KeyAttestation secret =
        (KeyAttestation)
            AttestationVerifier.verify(policy(), chain(a1), a1.attest("aes", new byte[0]));
    assertThat(secret.publicKey()).isEmpty();
    assertThat(secret.extractable()).isTrue();
    assertThat(secret.claims().counter()).isGreaterThan(k.claims().counter());
  }

  static int partitionId(PartitionClient p) throws Exception {
    String cn = chain(p).getFirst().getSubjectX500Principal().getName();
    return Integer.parseInt(cn.replaceAll(".*CN=ihsm partition (\\d+).*", "$1"));
  }

  @Test
  void aDeviceReportVerifiesWithTheAliasChain() throws Exception {
    byte[] report = deviceA.hsm().attestDevice(NONCE);
    DeviceAttestation d =
        (DeviceAttestation)
            AttestationVerifier.verify(
                policy()
                    .withNonce(NONCE)
                    .withAllowedDigests(Set.of(deviceA.hsm().firmwareInfo().digest())),
                deviceA.deviceChain(),
                report);
    assertThat(d.state()).isEqualTo("OPERATIONAL");
    assertThat(d.selfTestsPassed()).isEqualTo(d.selfTestsTotal()).isPositive();
    assertThat(d.tamperCount()).isZero();
    assertThat(d.auditHash()).hasSize(48);
    assertThat(d.firmwareVersion()).isEqualTo(deviceA.hsm().firmwareInfo().version());
    List<X509Certificate> withRoot = new ArrayList<>(deviceA.deviceChain());
    withRoot.add(manufacturer.root);
    assertThat(AttestationVerifier.verify(policy(), withRoot, report))
        .as("the root may close the chain")
        .isInstanceOf(DeviceAttestation.class);
  }

  /** What a third party with a general CBOR library and the JDK does: no ihsm code at all. */
  @Test
  void aGeneralCborLibraryAndTheJdkVerifyAReportToo() throws Exception {
    byte[] report = a1.attest("signer", NONCE);
    CBORFactory cbor = new CBORFactory();
    ObjectMapper mapper = new ObjectMapper(cbor);
    try (CBORParser parser = cbor.createParser(report)) {
      parser.nextToken();
      assertThat(parser.getCurrentTag()).as("COSE_Sign1 tag").isEqualTo(18);
    }
    JsonNode sign1 = mapper.readTree(report);
    byte[] protectedHeader = sign1.get(0).binaryValue();
    assertThat(mapper.readTree(protectedHeader).get("1").asInt()).as("alg ES384").isEqualTo(-35);
    byte[] payload = sign1.get(2).binaryValue();
    JsonNode claims = mapper.readTree(payload);
    assertThat(claims.get("1").asText()).isEqualTo(Claims.KEY_REPORT);
    assertThat(claims.get("2").binaryValue()).isEqualTo(NONCE);
    assertThat(claims.get("13").asText()).isEqualTo("ec-p384");

    ByteArrayOutputStream tbs = new ByteArrayOutputStream();
    try (CBORGenerator g = cbor.createGenerator(tbs)) {
      g.writeStartArray(null, 4);
      g.writeString("Signature1");
      g.writeBinary(protectedHeader);
      g.writeBinary(new byte[0]);
      g.writeBinary(payload);
      g.writeEndArray();
    }
    Signature s = Signature.getInstance("SHA384withECDSAinP1363Format");
    s.initVerify(chain(a1).getFirst().getPublicKey());
    s.update(tbs.toByteArray());
    assertThat(s.verify(sign1.get(3).binaryValue())).isTrue();
  }

  @Test
  void aFlippedByteAnywhereInTheReportIsRefused() throws Exception {
    byte[] report = a1.attest("signer", NONCE);
    assertThat(reason(policy(), chain(a1), flipped(report, report.length - 1)))
        .as("in the signature")
        .isEqualTo(Reason.BAD_SIGNATURE);
    assertThat(reason(policy(), chain(a1), flipped(report, report.length - 110)))
        .as("in the public key claim")
        .isEqualTo(Reason.BAD_SIGNATURE);
    assertThat(reason(policy(), chain(a1), report)).isNull();
    for (int i = 0; i < report.length; i++) {
      Reason r = reason(policy(), chain(a1), flipped(report, i));
      assertThat(r)
          .as("byte " + i)
          .isIn(
              Reason.BAD_SIGNATURE,
              Reason.MALFORMED_REPORT,
              Reason.WRONG_DEVICE,
              Reason.WRONG_PARTITION);
    }
    assertThat(reason(policy(), chain(a1), Arrays.copyOf(report, report.length - 1)))
        .as("truncated")
        .isEqualTo(Reason.MALFORMED_REPORT);
    assertThat(reason(policy(), chain(a1), new byte[] {0x41})).isEqualTo(Reason.MALFORMED_REPORT);
  }

  @Test
  void aFlippedByteInACertificateOrItsSignatureIsRefused() throws Exception {
    byte[] report = a1.attest("signer", NONCE);
    List<X509Certificate> good = chain(a1);
    byte[] alias = good.get(1).getEncoded();
    String version = deviceA.hsm().firmwareInfo().version();
    int inTcbInfo =
        new String(alias, StandardCharsets.ISO_8859_1).lastIndexOf(version) + version.length() - 1;
    List<X509Certificate> tampered = new ArrayList<>(good);
    tampered.set(1, certificate(flipped(alias, inTcbInfo)));
    assertThat(reason(policy(), tampered, report))
        .as("in the Alias certificate's TcbInfo")
        .isEqualTo(Reason.CERTIFICATE_SIGNATURE);
    List<X509Certificate> badSignature = new ArrayList<>(good);
    byte[] deviceId = good.get(2).getEncoded();
    badSignature.set(2, certificate(flipped(deviceId, deviceId.length - 1)));
    assertThat(reason(policy(), badSignature, report))
        .as("in the DeviceID certificate's signature")
        .isEqualTo(Reason.CERTIFICATE_SIGNATURE);
    assertThat(reason(policy(), good.subList(0, 2), report))
        .as("DeviceID left out")
        .isEqualTo(Reason.UNTRUSTED_ROOT);
    assertThat(reason(policy(), List.of(), report)).isEqualTo(Reason.MALFORMED_CHAIN);
  }

  /**
   * Found by the fuzzer: the unused-bits count of a certificate's signature BIT STRING is outside
   * what the issuer signed, so a certificate with it changed still verified. Only the canonical DER
   * the issuer signed is accepted: a second encoding of a certificate is a second fingerprint.
   */
  @Test
  void aCertificateInAnotherEncodingThanItsIssuerSignedIsRefused() throws Exception {
    byte[] report = a1.attest("signer", NONCE);
    List<X509Certificate> good = chain(a1);
    for (int index = 0; index < good.size(); index++) {
      byte[] der = good.get(index).getEncoded();
      int signatureBytes =
          org.bouncycastle.asn1.x509.Certificate.getInstance(der).getSignature().getBytes().length;
      byte[] padded = der.clone();
      padded[der.length - signatureBytes - 1] = 3; // "3 unused bits" in the signature BIT STRING
      List<X509Certificate> tampered = new ArrayList<>(good);
      tampered.set(index, certificate(padded));
      assertThat(reason(policy(), tampered, report))
          .as("certificate " + index + " with unused bits in its signature")
          .isEqualTo(Reason.MALFORMED_CHAIN);
    }
    assertThat(reason(policy(), good, report)).as("the genuine chain").isNull();
  }

  @Test
  void aWrongRootAChainFromAnotherDeviceOrPartitionAndAWrongSignerAreRefused() throws Exception {
    byte[] report = a1.attest("signer", NONCE);
    assertThat(reason(AttestationPolicy.trusting(new TestManufacturer().root), chain(a1), report))
        .as("wrong root")
        .isEqualTo(Reason.UNTRUSTED_ROOT);
    assertThat(reason(policy(), chain(b1), report))
        .as("device B's chain")
        .isEqualTo(Reason.WRONG_DEVICE);
    assertThat(reason(policy(), chain(a2), report))
        .as("partition two's chain")
        .isEqualTo(Reason.WRONG_PARTITION);
    assertThat(reason(policy(), chain(a2), a2.attest("signer", NONCE)))
        .as("partition two with its own chain")
        .isNull();
  }

  @Test
  void theReportSignerMustMatchTheReportKind() throws Exception {
    assertThat(reason(policy(), deviceA.deviceChain(), a1.attest("signer", NONCE)))
        .as("key report, Alias leaf")
        .isEqualTo(Reason.WRONG_SIGNER);
    assertThat(reason(policy(), chain(a1), deviceA.hsm().attestDevice(NONCE)))
        .as("device report, partition leaf")
        .isEqualTo(Reason.WRONG_SIGNER);
  }

  @Test
  void theNonceSvnAndDigestPoliciesHoldOrSaySo() throws Exception {
    byte[] report = a1.attest("signer", NONCE);
    var fw = deviceA.hsm().firmwareInfo();
    assertThat(reason(policy().withNonce(new byte[16]), chain(a1), report))
        .isEqualTo(Reason.NONCE_MISMATCH);
    assertThat(reason(policy().withNonce(new byte[0]), chain(a1), report))
        .isEqualTo(Reason.NONCE_MISMATCH);
    assertThat(reason(policy().withMinSvn(fw.svn() + 1), chain(a1), report))
        .isEqualTo(Reason.SVN_BELOW_POLICY);
    assertThat(reason(policy().withAllowedDigests(Set.of("ab".repeat(48))), chain(a1), report))
        .isEqualTo(Reason.DIGEST_NOT_ALLOWED);
    assertThat(
            reason(
                policy()
                    .withNonce(NONCE)
                    .withMinSvn(fw.svn())
                    .withAllowedDigests(Set.of("ab".repeat(48), fw.digest().toUpperCase())),
                chain(a1),
                report))
        .isNull();
    assertThatThrownBy(() -> policy().withAllowedDigests(Set.of("abc")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> policy().withMinSvn(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theComplianceReportVerifiesAndAnyEditToItFails() throws Exception {
    SignedDocument signed;
    try (CryptoOfficerSession co = deviceA.hsm().loginCryptoOfficer(TestManufacturer.officer())) {
      signed = co.complianceReport();
    }
    TcbInfo tcb =
        AttestationVerifier.verifyDetached(
            policy(), deviceA.deviceChain(), signed.document(), signed.signature());
    assertThat(tcb.digestHex()).isEqualTo(deviceA.hsm().firmwareInfo().digest());
    byte[] edited = flipped(signed.document(), signed.document().length / 2);
    assertThatThrownBy(
            () ->
                AttestationVerifier.verifyDetached(
                    policy(), deviceA.deviceChain(), edited, signed.signature()))
        .isInstanceOfSatisfying(
            AttestationException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.BAD_SIGNATURE));
    assertThatThrownBy(
            () ->
                AttestationVerifier.verifyDetached(
                    policy(), deviceB.deviceChain(), signed.document(), signed.signature()))
        .isInstanceOfSatisfying(
            AttestationException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.BAD_SIGNATURE));
    byte[] attached = deviceA.hsm().attestDevice(new byte[0]);
    assertThatThrownBy(
            () ->
                AttestationVerifier.verifyDetached(
                    policy(), deviceA.deviceChain(), signed.document(), attached))
        .isInstanceOfSatisfying(
            AttestationException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED_REPORT));
  }
}
