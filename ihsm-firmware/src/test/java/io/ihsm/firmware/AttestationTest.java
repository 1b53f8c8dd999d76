package io.ihsm.firmware;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.attest.Claims;
import io.ihsm.ddi.cbor.Cbor;
import io.ihsm.ddi.cose.CoseKey;
import io.ihsm.ddi.cose.CoseSign1;
import io.ihsm.ddi.key.GenerateKeyRequest;
import io.ihsm.ddi.key.KeyAttributes;
import io.ihsm.ddi.key.KeyInfo;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.ddi.message.AttestKeyRequest;
import io.ihsm.ddi.message.Bytes;
import io.ihsm.ddi.message.Certificates;
import io.ihsm.ddi.message.Empty;
import io.ihsm.ddi.message.Id;
import io.ihsm.ddi.message.Nonce;
import io.ihsm.ddi.message.SignedDocument;
import io.ihsm.ddi.message.TamperRequest;
import io.ihsm.ddi.spi.Port;
import io.ihsm.firmware.policy.AlgorithmTable;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Key and device reports and the compliance report, as the module makes and signs them. */
class AttestationTest {
  final KeysTest keys = new KeysTest();
  FirmwareClient mgmt;
  int co;

  @BeforeEach
  void provisionedPartition() throws Exception {
    keys.provisionedPartitionWithASession();
    mgmt = new FirmwareClient(keys.fw, Port.MANAGEMENT);
    co =
        mgmt.ok(Opcode.OPEN_SESSION, 0, mgmt.seal(Opcode.OPEN_SESSION, KeysTest.CO), Id::read)
            .value();
  }

  void manufacture() throws Exception {
    KeyPair ca = IdentityTest.p384();
    byte[] spki = mgmt.ok(Opcode.MANUFACTURE, 0, Empty.INSTANCE, Bytes::readBlob).bytes();
    PublicKey deviceId = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(spki));
    byte[] root =
        IdentityTest.certificate(
            "CN=test manufacturer", ca, "CN=test manufacturer", ca.getPublic(), 3);
    mgmt.ok(
        Opcode.INSTALL_DEVICE_CERTIFICATES,
        0,
        new Certificates(
            List.of(
                root,
                IdentityTest.certificate("CN=test manufacturer", ca, "CN=DeviceID", deviceId, 2))),
        Empty::read);
  }

  List<X509Certificate> certificates(FirmwareClient c, Opcode op) throws Exception {
    List<X509Certificate> out = new ArrayList<>();
    for (byte[] der : c.ok(op, 0, Empty.INSTANCE, Certificates::read).certificates()) {
      out.add(
          (X509Certificate)
              CertificateFactory.getInstance("X.509")
                  .generateCertificate(new ByteArrayInputStream(der)));
    }
    return out;
  }

  static Map<?, ?> verifiedClaims(byte[] report, X509Certificate signer) throws Exception {
    CoseSign1 message = CoseSign1.decode(report);
    Signature s = Signature.getInstance("SHA384withECDSAinP1363Format");
    s.initVerify(signer.getPublicKey());
    s.update(message.toBeSigned(new byte[0]));
    assertThat(s.verify(message.signature()))
        .as("signed by " + signer.getSubjectX500Principal())
        .isTrue();
    return (Map<?, ?>) Cbor.decode(message.payload());
  }

  byte[] attestKey(int handle, byte[] nonce) {
    return keys.p
        .ok(Opcode.ATTEST_KEY, keys.session, new AttestKeyRequest(handle, nonce), Bytes::readBlob)
        .bytes();
  }

  @Test
  void aKeyReportIsSignedByThePartitionIdentityAndDescribesTheKey() throws Exception {
    manufacture();
    KeyInfo ec = keys.generate(KeyKind.EC_P384, KeyUsage.SIGN, "ec");
    byte[] nonce = HexFormat.of().parseHex("0123456789abcdef");
    X509Certificate partitionCert = certificates(keys.p, Opcode.GET_PARTITION_CERTIFICATES).get(3);

    Map<?, ?> claims = verifiedClaims(attestKey(ec.handle(), nonce), partitionCert);
    assertThat(claims.get(Claims.TYPE)).isEqualTo(Claims.KEY_REPORT);
    assertThat((byte[]) claims.get(Claims.NONCE)).isEqualTo(nonce);
    assertThat(claims.get(Claims.COUNTER)).isEqualTo(1L);
    assertThat(claims.get(Claims.FIRMWARE_SVN)).isEqualTo(1L);
    assertThat((byte[]) claims.get(Claims.FIRMWARE_DIGEST)).isEqualTo(new byte[48]);
    assertThat(claims.get(Claims.APPROVED_MODE)).isEqualTo(true);
    assertThat(claims.get(Claims.SERIAL_NUMBER)).isEqualTo("IHSM-TEST");
    assertThat(claims.get(Claims.PARTITION_ID)).isEqualTo((long) keys.partition);
    assertThat(partitionCert.getSubjectX500Principal().getName())
        .contains("OU=" + HexFormat.of().formatHex((byte[]) claims.get(Claims.PARTITION_UID)));
    assertThat((byte[]) claims.get(Claims.APPLICATION_ID)).isEqualTo(VaultTest.id(2));
    assertThat(claims.get(Claims.KEY_KIND)).isEqualTo("ec-p384");
    assertThat(claims.get(Claims.KEY_BITS)).isEqualTo(384L);
    assertThat(claims.get(Claims.KEY_USAGE)).isEqualTo("sign");
    assertThat(claims.get(Claims.KEY_ORIGIN)).isEqualTo("generated");
    assertThat(claims.get(Claims.KEY_EXTRACTABLE)).isEqualTo(false);
    assertThat(claims.get(Claims.SESSION_KEY)).isEqualTo(false);
    assertThat(claims.get(Claims.KEY_VERSION)).isEqualTo(1L);
    assertThat((byte[]) claims.get(Claims.KEY_ID)).isEqualTo(ec.lifecycle().id());
    assertThat(claims.get(Claims.KEY_STATE)).isEqualTo("active");
    assertThat(CoseKey.toPublicKey((Map<?, ?>) claims.get(Claims.PUBLIC_KEY)).getEncoded())
        .isEqualTo(ec.publicKey());

    KeyInfo session =
        keys.p.ok(
            Opcode.GENERATE_KEY,
            keys.session,
            new GenerateKeyRequest(
                new KeyAttributes(KeyKind.AES_256, KeyUsage.ENCRYPT, true, true, "")),
            KeyInfo::read);
    Map<?, ?> secret = verifiedClaims(attestKey(session.handle(), new byte[0]), partitionCert);
    assertThat(secret.containsKey(Claims.PUBLIC_KEY))
        .as("no public part for a secret key")
        .isFalse();
    assertThat(secret.get(Claims.KEY_BITS)).isEqualTo(256L);
    assertThat(secret.get(Claims.SESSION_KEY)).isEqualTo(true);
    assertThat(secret.get(Claims.KEY_EXTRACTABLE)).isEqualTo(true);
    assertThat(secret.get(Claims.COUNTER)).isEqualTo(2L);
    assertThat(CoseSign1.decode(attestKey(ec.handle(), nonce)).keyId())
        .as("the key id names the partition certificate")
        .isEqualTo(subjectKeyId(partitionCert));
  }

  static byte[] subjectKeyId(X509Certificate cert) {
    byte[] ext = cert.getExtensionValue("2.5.29.14");
    return org.bouncycastle.asn1.ASN1OctetString.getInstance(
            org.bouncycastle.asn1.ASN1OctetString.getInstance(ext).getOctets())
        .getOctets();
  }

  @Test
  void refusedReportsChangeNothingNotEvenTheCounter() throws Exception {
    KeyInfo ec = keys.generate(KeyKind.EC_P256, KeyUsage.SIGN, "ec");
    assertThat(
            keys.p.status(
                Opcode.ATTEST_KEY, keys.session, new AttestKeyRequest(ec.handle(), new byte[0])))
        .as("before manufacture")
        .isEqualTo(Status.NOT_MANUFACTURED);
    assertThat(mgmt.status(Opcode.ATTEST_DEVICE, 0, new Nonce(new byte[0])))
        .isEqualTo(Status.NOT_MANUFACTURED);
    manufacture();
    assertThat(keys.p.status(Opcode.ATTEST_KEY, 0, new AttestKeyRequest(ec.handle(), new byte[0])))
        .as("no session")
        .isEqualTo(Status.SESSION_REQUIRED);
    assertThat(
            keys.p.status(
                Opcode.ATTEST_KEY,
                keys.session,
                new AttestKeyRequest(ec.handle() + 1000, new byte[0])))
        .as("no such key")
        .isEqualTo(Status.KEY_NOT_FOUND);
    int other = keys.openSession();
    KeyInfo otherSessionKey =
        keys.p.ok(
            Opcode.GENERATE_KEY,
            other,
            new GenerateKeyRequest(
                new KeyAttributes(KeyKind.AES_128, KeyUsage.ENCRYPT, true, false, "")),
            KeyInfo::read);
    assertThat(
            keys.p.status(
                Opcode.ATTEST_KEY,
                keys.session,
                new AttestKeyRequest(otherSessionKey.handle(), new byte[0])))
        .as("another session's session key")
        .isEqualTo(Status.KEY_NOT_FOUND);
    assertThat(mgmt.status(Opcode.ATTEST_KEY, co, new AttestKeyRequest(ec.handle(), new byte[0])))
        .as("management port")
        .isEqualTo(Status.WRONG_PORT);
    assertThat(
            keys.p.status(
                Opcode.ATTEST_KEY, keys.session, w -> w.u32(ec.handle()).bytes(new byte[129], 129)))
        .as("a 129-byte nonce")
        .isEqualTo(Status.MALFORMED_BODY);
    assertThat(keys.p.status(Opcode.ATTEST_KEY, keys.session, w -> w.u32(ec.handle())))
        .as("a truncated body")
        .isEqualTo(Status.MALFORMED_BODY);
    assertThat(mgmt.status(Opcode.ATTEST_DEVICE, 0, w -> w.bytes(new byte[200], 200)))
        .isEqualTo(Status.MALFORMED_BODY);

    X509Certificate partitionCert = certificates(keys.p, Opcode.GET_PARTITION_CERTIFICATES).get(3);
    assertThat(
            verifiedClaims(attestKey(ec.handle(), new byte[128]), partitionCert)
                .get(Claims.COUNTER))
        .as("the first report that was made")
        .isEqualTo(1L);
  }

  @Test
  void deviceReportsAreSignedByTheAliasKeyAndTheCounterOnlyGoesUp() throws Exception {
    manufacture();
    X509Certificate alias = certificates(mgmt, Opcode.GET_CERTIFICATE_CHAIN).get(2);
    Map<?, ?> first =
        verifiedClaims(
            mgmt.ok(Opcode.ATTEST_DEVICE, 0, new Nonce(new byte[] {1}), Bytes::readBlob).bytes(),
            alias);
    assertThat(first.get(Claims.TYPE)).isEqualTo(Claims.DEVICE_REPORT);
    assertThat(first.get(Claims.STATE)).isEqualTo("OPERATIONAL");
    assertThat(first.get(Claims.FIRMWARE_VERSION)).isEqualTo("1.2.3-test");
    assertThat(first.get(Claims.SELF_TESTS)).isEqualTo(List.of(22L, 22L));
    assertThat(first.get(Claims.TAMPER_COUNT)).isEqualTo(0L);
    List<?> head = (List<?>) first.get(Claims.AUDIT_HEAD);
    assertThat(((byte[]) head.get(1))).hasSize(48);

    // Any port may ask; the report itself is audited, so the next one has a newer audit head.
    FirmwareClient partitionPort = new FirmwareClient(keys.fw, Port.partition(keys.partition));
    Map<?, ?> second =
        verifiedClaims(
            partitionPort
                .ok(Opcode.ATTEST_DEVICE, 0, new Nonce(new byte[0]), Bytes::readBlob)
                .bytes(),
            alias);
    assertThat(second.get(Claims.COUNTER)).isEqualTo(2L);
    assertThat((Long) ((List<?>) second.get(Claims.AUDIT_HEAD)).get(0))
        .isGreaterThan((Long) head.get(0));

    keys.fw.close();
    keys.fw = Firmware.powerOn(keys.platform);
    mgmt = new FirmwareClient(keys.fw, Port.MANAGEMENT);
    Map<?, ?> afterPowerCycle =
        verifiedClaims(
            mgmt.ok(Opcode.ATTEST_DEVICE, 0, new Nonce(new byte[0]), Bytes::readBlob).bytes(),
            certificates(mgmt, Opcode.GET_CERTIFICATE_CHAIN).get(2));
    assertThat(afterPowerCycle.get(Claims.COUNTER))
        .as("kept in non-volatile storage")
        .isEqualTo(3L);
  }

  @Test
  void theComplianceReportIsTheCryptoOfficersAndSignedByTheAliasKey() throws Exception {
    manufacture();
    assertThat(mgmt.status(Opcode.GET_COMPLIANCE_REPORT, 0, Empty.INSTANCE))
        .isEqualTo(Status.SESSION_REQUIRED);
    assertThat(keys.p.status(Opcode.GET_COMPLIANCE_REPORT, keys.session, Empty.INSTANCE))
        .isEqualTo(Status.WRONG_PORT);
    keys.generate(KeyKind.AES_256, KeyUsage.ENCRYPT, "loaded");

    SignedDocument signed =
        mgmt.ok(Opcode.GET_COMPLIANCE_REPORT, co, Empty.INSTANCE, SignedDocument::read);
    CoseSign1 signature = CoseSign1.decode(signed.signature());
    assertThat(signature.payload()).as("detached").isNull();
    Signature s = Signature.getInstance("SHA384withECDSAinP1363Format");
    s.initVerify(certificates(mgmt, Opcode.GET_CERTIFICATE_CHAIN).get(2).getPublicKey());
    s.update(signature.toBeSigned(signed.document()));
    assertThat(s.verify(signature.signature())).isTrue();

    JsonNode report = new ObjectMapper().readTree(signed.document());
    assertThat(report.path("format").asText()).isEqualTo(Claims.COMPLIANCE_REPORT);
    assertThat(report.path("module").path("serialNumber").asText()).isEqualTo("IHSM-TEST");
    assertThat(report.path("firmware").path("svn").asInt()).isEqualTo(1);
    assertThat(report.path("state").path("state").asText()).isEqualTo("OPERATIONAL");
    assertThat(report.path("selfTests")).hasSize(22);
    report
        .path("selfTests")
        .forEach(
            t -> {
              assertThat(t.path("result").asText()).as(t.path("name").asText()).isEqualTo("pass");
              assertThat(t.path("lastRun").asText()).isNotEmpty();
            });
    assertThat(report.path("randomness").path("healthy").asBoolean()).isTrue();
    assertThat(report.path("randomness").path("entropy").path("repetitionCountCutoff").asInt())
        .isEqualTo(21);
    assertThat(report.path("tamper").path("count").asInt()).isZero();
    assertThat(report.path("tamper").path("events")).isEmpty();
    assertThat(report.path("auditLog").path("hash").asText()).hasSize(96);
    assertThat(report.path("partitions")).hasSize(1);
    assertThat(report.path("partitions").get(0).path("id").asInt()).isEqualTo(keys.partition);
    assertThat(report.path("partitions").get(0).path("loadedKeys").asInt()).isEqualTo(1);
    assertThat(report.path("algorithms")).hasSize(AlgorithmTable.ROWS.size());

    mgmt.ok(Opcode.TAMPER, 0, new TamperRequest("case-open"), Empty::read);
    assertThat(mgmt.status(Opcode.GET_COMPLIANCE_REPORT, co, Empty.INSTANCE))
        .as("TAMPERED")
        .isNotEqualTo(Status.SUCCESS);
    mgmt.ok(Opcode.REINITIALIZE, 0, mgmt.seal(Opcode.REINITIALIZE, KeysTest.CO), Empty::read);
    co =
        mgmt.ok(Opcode.OPEN_SESSION, 0, mgmt.seal(Opcode.OPEN_SESSION, KeysTest.CO), Id::read)
            .value();
    JsonNode after =
        new ObjectMapper()
            .readTree(
                mgmt.ok(Opcode.GET_COMPLIANCE_REPORT, co, Empty.INSTANCE, SignedDocument::read)
                    .document());
    assertThat(after.path("tamper").path("count").asInt()).isEqualTo(1);
    assertThat(after.path("tamper").path("events")).hasSize(1);
    assertThat(after.path("tamper").path("events").get(0).path("detail").asText())
        .contains("status=SUCCESS");
    assertThat(after.path("partitions")).as("the tamper zeroized every partition").isEmpty();
  }

  @Test
  void theAlgorithmTableIsTheOneInTheComplianceDocument() throws Exception {
    String doc =
        Files.readString(
            Path.of(System.getProperty("ihsm.project.root", "..")).resolve("docs/compliance.md"));
    String table = doc.substring(doc.indexOf("## Algorithms and parameters"));
    table = table.substring(0, table.indexOf("\n## ", 5));
    List<String> rows =
        table.lines().filter(l -> l.startsWith("| ") && !l.startsWith("| algorithm")).toList();
    assertThat(rows).hasSameSizeAs(AlgorithmTable.ROWS);
    for (int i = 0; i < rows.size(); i++) {
      String[] cells = rows.get(i).split(" \\| ");
      AlgorithmTable.Row row = AlgorithmTable.ROWS.get(i);
      assertThat(cells[0].substring(2)).isEqualTo(row.algorithm());
      assertThat(cells[1]).isEqualTo(row.parameters());
      assertThat(cells[2].replace("*", "").replace("`", ""))
          .as(row.algorithm())
          .startsWith(row.status());
    }
  }
}
