package io.ihsm.firmware;

import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.message.Bytes;
import io.ihsm.ddi.message.Certificates;
import io.ihsm.ddi.message.CreatePartitionRequest;
import io.ihsm.ddi.message.DeviceState;
import io.ihsm.ddi.message.DeviceStatus;
import io.ihsm.ddi.message.Empty;
import io.ihsm.ddi.message.Id;
import io.ihsm.ddi.message.PartitionLimits;
import io.ihsm.ddi.spi.FirmwareMeasurement;
import io.ihsm.ddi.spi.Port;
import io.ihsm.firmware.identity.DiceIdentity;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.ASN1UTF8String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/**
 * The DICE identity: manufacture, the certificate chain, the TcbInfo, and what changes the Alias
 * key.
 */
class IdentityTest {
  final TestPlatform platform = new TestPlatform();
  Firmware fw = Firmware.powerOn(platform);
  FirmwareClient mgmt = new FirmwareClient(fw, Port.MANAGEMENT);
  final KeyPair ca = p384();

  static KeyPair p384() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp384r1"));
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static byte[] certificate(
      String issuer, KeyPair signer, String subject, PublicKey key, int pathLength)
      throws Exception {
    X509v3CertificateBuilder b =
        new X509v3CertificateBuilder(
            new X500Name(issuer),
            BigInteger.valueOf(7),
            new Date(System.currentTimeMillis() - 60_000),
            new Date(System.currentTimeMillis() + 86_400_000L),
            new X500Name(subject),
            SubjectPublicKeyInfo.getInstance(key.getEncoded()));
    if (pathLength >= 0) {
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(pathLength));
    }
    return b.build(new JcaContentSignerBuilder("SHA384withECDSA").build(signer.getPrivate()))
        .getEncoded();
  }

  byte[] root() throws Exception {
    return certificate("CN=test manufacturer", ca, "CN=test manufacturer", ca.getPublic(), 3);
  }

  PublicKey manufacture() throws Exception {
    byte[] spki = mgmt.ok(Opcode.MANUFACTURE, 0, Empty.INSTANCE, Bytes::readBlob).bytes();
    return KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(spki));
  }

  List<X509Certificate> chain() throws Exception {
    CertificateFactory f = CertificateFactory.getInstance("X.509");
    List<X509Certificate> out = new ArrayList<>();
    for (byte[] c :
        mgmt.ok(Opcode.GET_CERTIFICATE_CHAIN, 0, Empty.INSTANCE, Certificates::read)
            .certificates()) {
      out.add((X509Certificate) f.generateCertificate(new ByteArrayInputStream(c)));
    }
    return out;
  }

  Status install(byte[]... certs) {
    return mgmt.status(Opcode.INSTALL_DEVICE_CERTIFICATES, 0, new Certificates(List.of(certs)));
  }

  void powerCycle() {
    fw.close();
    fw = Firmware.powerOn(platform);
    mgmt = new FirmwareClient(fw, Port.MANAGEMENT);
  }

  @Test
  void aManufacturedDeviceHasAChainThatValidatesToTheRootWithTheFirmwareInItsTcbInfo()
      throws Exception {
    assertThat(mgmt.status(Opcode.GET_CERTIFICATE_CHAIN, 0, Empty.INSTANCE))
        .isEqualTo(Status.NOT_MANUFACTURED);
    PublicKey deviceId = manufacture();
    assertThat(manufacture())
        .as("the same key until the certificate is installed")
        .isEqualTo(deviceId);
    byte[] root = root();
    assertThat(install(root, certificate("CN=test manufacturer", ca, "CN=DeviceID", deviceId, 2)))
        .isEqualTo(Status.SUCCESS);

    List<X509Certificate> chain = chain();
    assertThat(chain).hasSize(3);
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(chain.get(0), null)));
    params.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX")
        .validate(
            CertificateFactory.getInstance("X.509")
                .generateCertPath(List.of(chain.get(2), chain.get(1))),
            params);
    X509Certificate alias = chain.get(2);
    assertThat(alias.getSubjectX500Principal().getName()).contains("ihsm Alias IHSM-TEST");
    assertThat(alias.getBasicConstraints()).isZero();

    ASN1Sequence tcb =
        ASN1Sequence.getInstance(
            ASN1OctetString.getInstance(alias.getExtensionValue(DiceIdentity.TCB_INFO.getId()))
                .getOctets());
    String version = field(tcb, 2, t -> ASN1UTF8String.getInstance(t, false).getString());
    int svn = field(tcb, 3, t -> ASN1Integer.getInstance(t, false).intValueExact());
    assertThat(version).isEqualTo("1.2.3-test");
    assertThat(svn).isEqualTo(1);
    ASN1Sequence fwid =
        ASN1Sequence.getInstance(
            ASN1Sequence.getInstance(
                    ((ASN1TaggedObject) tcb.getObjectAt(4))
                        .getBaseUniversal(false, org.bouncycastle.asn1.BERTags.SEQUENCE))
                .getObjectAt(0));
    assertThat(fwid.getObjectAt(0).toString()).isEqualTo("2.16.840.1.101.3.4.2.2");
    assertThat(ASN1OctetString.getInstance(fwid.getObjectAt(1)).getOctets())
        .isEqualTo(new byte[48]);

    assertThat(mgmt.status(Opcode.MANUFACTURE, 0, Empty.INSTANCE))
        .isEqualTo(Status.ALREADY_MANUFACTURED);
    assertThat(install(root, certificate("CN=test manufacturer", ca, "CN=DeviceID", deviceId, 2)))
        .isEqualTo(Status.ALREADY_MANUFACTURED);
  }

  int createPartition(int co, String name) {
    return mgmt.ok(
            Opcode.CREATE_PARTITION,
            co,
            new CreatePartitionRequest(name, PartitionLimits.DEFAULTS),
            Id::read)
        .value();
  }

  List<X509Certificate> partitionChain(int partition) throws Exception {
    CertificateFactory f = CertificateFactory.getInstance("X.509");
    List<X509Certificate> out = new ArrayList<>();
    for (byte[] c :
        new FirmwareClient(fw, Port.partition(partition))
            .ok(Opcode.GET_PARTITION_CERTIFICATES, 0, Empty.INSTANCE, Certificates::read)
            .certificates()) {
      out.add((X509Certificate) f.generateCertificate(new ByteArrayInputStream(c)));
    }
    return out;
  }

  @Test
  void eachPartitionHasItsOwnIdentityCertifiedByTheAliasKey() throws Exception {
    mgmt.ok(
        Opcode.INIT_CRYPTO_OFFICER,
        0,
        mgmt.seal(Opcode.INIT_CRYPTO_OFFICER, VaultTest.CO),
        Empty::read);
    int co =
        mgmt.ok(Opcode.OPEN_SESSION, 0, mgmt.seal(Opcode.OPEN_SESSION, VaultTest.CO), Id::read)
            .value();
    int a = createPartition(co, "a");
    assertThat(
            new FirmwareClient(fw, Port.partition(a))
                .status(Opcode.GET_PARTITION_CERTIFICATES, 0, Empty.INSTANCE))
        .isEqualTo(Status.NOT_MANUFACTURED);
    PublicKey deviceId = manufacture();
    install(root(), certificate("CN=test manufacturer", ca, "CN=DeviceID", deviceId, 2));
    int b = createPartition(co, "b");

    List<X509Certificate> chainA = partitionChain(a);
    assertThat(chainA).hasSize(4);
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(chainA.get(0), null)));
    params.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX")
        .validate(
            CertificateFactory.getInstance("X.509")
                .generateCertPath(List.of(chainA.get(3), chainA.get(2), chainA.get(1))),
            params);
    assertThat(chainA.get(3).getSubjectX500Principal().getName())
        .contains("CN=ihsm partition " + a);
    assertThat(chainA.get(3).getBasicConstraints()).isEqualTo(-1);
    PublicKey keyA = chainA.get(3).getPublicKey();
    assertThat(partitionChain(b).get(3).getPublicKey()).isNotEqualTo(keyA);
    assertThat(mgmt.status(Opcode.GET_PARTITION_CERTIFICATES, 0, Empty.INSTANCE))
        .isEqualTo(Status.WRONG_PORT);

    // Stable across power cycles; a partition recreated under the same name is a new identity.
    powerCycle();
    assertThat(partitionChain(a).get(3).getPublicKey()).isEqualTo(keyA);
    co =
        mgmt.ok(Opcode.OPEN_SESSION, 0, mgmt.seal(Opcode.OPEN_SESSION, VaultTest.CO), Id::read)
            .value();
    mgmt.ok(Opcode.DELETE_PARTITION, co, new Id(a), Empty::read);
    assertThat(
            new FirmwareClient(fw, Port.partition(a))
                .status(Opcode.GET_PARTITION_CERTIFICATES, 0, Empty.INSTANCE))
        .isNotEqualTo(Status.SUCCESS);
    int again = createPartition(co, "a");
    assertThat(partitionChain(again).get(3).getPublicKey()).isNotEqualTo(keyA);
  }

  @Test
  void damagedIdentityStorageDoesNotStopTheModule() throws Exception {
    PublicKey deviceId = manufacture();
    install(root(), certificate("CN=test manufacturer", ca, "CN=DeviceID", deviceId, 2));
    platform.write("device-certificates", new byte[] {0x7f, 0, 0, 9, 1});
    powerCycle();
    assertThat(mgmt.ok(Opcode.GET_DEVICE_STATUS, 0, Empty.INSTANCE, DeviceStatus::read).state())
        .isEqualTo(DeviceState.OPERATIONAL);
    assertThat(mgmt.status(Opcode.GET_CERTIFICATE_CHAIN, 0, Empty.INSTANCE))
        .isEqualTo(Status.INTERNAL_ERROR);
    assertThat(mgmt.status(Opcode.MANUFACTURE, 0, Empty.INSTANCE))
        .isEqualTo(Status.ALREADY_MANUFACTURED);
  }

  static <T> T field(ASN1Sequence tcb, int tag, Function<ASN1TaggedObject, T> read) {
    for (var e : tcb) {
      ASN1TaggedObject t = (ASN1TaggedObject) e;
      if (t.getTagNo() == tag) {
        return read.apply(t);
      }
    }
    throw new AssertionError("no field [" + tag + "] in the TcbInfo");
  }

  @Test
  void certificatesThatDoNotCertifyThisDeviceAreRefusedAndChangeNothing() throws Exception {
    assertThat(install(root(), root())).as("before MANUFACTURE").isEqualTo(Status.NOT_MANUFACTURED);
    PublicKey deviceId = manufacture();
    byte[] root = root();
    KeyPair other = p384();
    assertThat(
            install(
                root, certificate("CN=test manufacturer", ca, "CN=DeviceID", other.getPublic(), 2)))
        .as("another key")
        .isEqualTo(Status.CERTIFICATE_INVALID);
    assertThat(
            install(root, certificate("CN=test manufacturer", other, "CN=DeviceID", deviceId, 2)))
        .as("not signed by the root")
        .isEqualTo(Status.CERTIFICATE_INVALID);
    assertThat(install(root, certificate("CN=test manufacturer", ca, "CN=DeviceID", deviceId, -1)))
        .as("not a CA")
        .isEqualTo(Status.CERTIFICATE_INVALID);
    assertThat(install(root, certificate("CN=someone else", ca, "CN=DeviceID", deviceId, 2)))
        .as("issuer name is not the root's")
        .isEqualTo(Status.CERTIFICATE_INVALID);
    assertThat(
            install(
                certificate("CN=test manufacturer", ca, "CN=test manufacturer", ca.getPublic(), -1),
                certificate("CN=test manufacturer", ca, "CN=DeviceID", deviceId, 2)))
        .as("root not a CA")
        .isEqualTo(Status.CERTIFICATE_INVALID);
    assertThat(install(root, new byte[] {0x30, 0x03, 1, 2, 3}))
        .as("garbage")
        .isEqualTo(Status.CERTIFICATE_INVALID);
    assertThat(install(root)).as("one certificate").isEqualTo(Status.INVALID_PARAMETER);
    assertThat(
            new FirmwareClient(fw, Port.partition(1)).status(Opcode.MANUFACTURE, 0, Empty.INSTANCE))
        .isEqualTo(Status.WRONG_PORT);
    assertThat(mgmt.status(Opcode.GET_CERTIFICATE_CHAIN, 0, Empty.INSTANCE))
        .isEqualTo(Status.NOT_MANUFACTURED);
    assertThat(manufacture()).as("the refusals changed nothing").isEqualTo(deviceId);
  }

  @Test
  void theAliasKeyFollowsTheFirmwareWhileTheDeviceIdStaysAndZeroizationKeepsTheIdentity()
      throws Exception {
    PublicKey deviceId = manufacture();
    install(root(), certificate("CN=test manufacturer", ca, "CN=DeviceID", deviceId, 2));
    PublicKey alias = chain().get(2).getPublicKey();

    powerCycle();
    assertThat(chain().get(2).getPublicKey()).as("same firmware, same Alias key").isEqualTo(alias);

    platform.measurement =
        new FirmwareMeasurement("1.2.4-test", 2, "11".repeat(48), "test signer", "test");
    powerCycle();
    List<X509Certificate> updated = chain();
    assertThat(updated.get(1).getPublicKey()).isEqualTo(deviceId);
    assertThat(updated.get(2).getPublicKey()).as("new firmware, new Alias key").isNotEqualTo(alias);
    updated.get(2).verify(deviceId);

    mgmt.ok(
        Opcode.INIT_CRYPTO_OFFICER,
        0,
        mgmt.seal(Opcode.INIT_CRYPTO_OFFICER, VaultTest.CO),
        Empty::read);
    int co =
        mgmt.ok(Opcode.OPEN_SESSION, 0, mgmt.seal(Opcode.OPEN_SESSION, VaultTest.CO), Id::read)
            .value();
    mgmt.ok(Opcode.ZEROIZE, co, Empty.INSTANCE, Empty::read);
    mgmt.ok(Opcode.REINITIALIZE, 0, mgmt.seal(Opcode.REINITIALIZE, VaultTest.CO), Empty::read);
    assertThat(chain().get(1).getPublicKey())
        .as("the device secret is fused, not zeroized")
        .isEqualTo(deviceId);
  }
}
