package io.ihsm.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.ddi.credential.Credential;
import io.ihsm.ddi.domain.DomainPolicy;
import io.ihsm.ddi.message.PartitionLimits;
import io.ihsm.ddi.testing.ExternalCommand;
import io.ihsm.device.Device;
import io.ihsm.device.DeviceConfig;
import io.ihsm.device.daemon.DeviceDaemon;
import io.ihsm.host.store.FileFleetStore;
import io.ihsm.host.store.FleetStore;
import io.ihsm.sdk.CryptoOfficerSession;
import io.ihsm.sdk.DeviceAddress;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.PartitionClient;
import io.ihsm.sdk.fleet.SecurityDomains;
import io.ihsm.sdk.key.KeyPurpose;
import io.ihsm.sdk.key.KeyType;
import io.ihsm.sdk.store.HostKeyStore;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PKCS#11 module on a fleet's member, unchanged: a key made on device A (through the SDK) is
 * found and signs through pkcs11-tool on device B, whose home's key store is the fleet's.
 */
class FleetModuleTest {
  static final String PIN = "fleet-pin-1234";
  static final Credential OFFICER = Credential.of(new byte[16], "officer-pin");

  @TempDir Path dir;

  record Member(
      Device device,
      DeviceDaemon daemon,
      Path sockets,
      Path home,
      IhsmClient hsm,
      CryptoOfficerSession co)
      implements AutoCloseable {
    @Override
    public void close() throws Exception {
      co.close();
      hsm.close();
      daemon.close();
      device.close();
    }
  }

  Member member(String name, KeyPair ca, byte[] root) throws Exception {
    Device device = Device.powerOn(DeviceConfig.of(dir.resolve(name + "-state")));
    Path sockets = dir.resolve(name + "-sock");
    DeviceDaemon daemon = DeviceDaemon.start(device, sockets);
    IhsmClient hsm = IhsmClient.connect(DeviceAddress.daemon(sockets));
    byte[] deviceId = hsm.manufacture();
    hsm.installDeviceCertificates(
        root, certificate(ca, "CN=test manufacturer", "CN=DeviceID " + name, deviceId, 2));
    hsm.initCryptoOfficer(OFFICER);
    return new Member(
        device, daemon, sockets, dir.resolve(name + "-home"), hsm, hsm.loginCryptoOfficer(OFFICER));
  }

  static byte[] certificate(KeyPair ca, String issuer, String subject, byte[] spki, int pathLength)
      throws Exception {
    X509v3CertificateBuilder b =
        new X509v3CertificateBuilder(
            new X500Name(issuer),
            BigInteger.valueOf(System.nanoTime()),
            new Date(System.currentTimeMillis() - 60_000),
            new Date(System.currentTimeMillis() + 86_400_000L),
            new X500Name(subject),
            SubjectPublicKeyInfo.getInstance(spki));
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(pathLength));
    return b.build(new JcaContentSignerBuilder("SHA384withECDSA").build(ca.getPrivate()))
        .getEncoded();
  }

  @Test
  void pkcs11ToolOnOneMemberSignsWithAKeyMadeOnAnother() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp384r1"));
    KeyPair ca = g.generateKeyPair();
    byte[] root =
        certificate(
            ca, "CN=test manufacturer", "CN=test manufacturer", ca.getPublic().getEncoded(), 3);
    Path storeDir = dir.resolve("store");
    try (FleetStore store = FileFleetStore.open(storeDir);
        Member a = member("a", ca, root);
        Member b = member("b", ca, root)) {
      SecurityDomains.create(a.hsm(), a.co(), store, DomainPolicy.CREATOR_DEFAULTS);
      LinkedBlockingQueue<String> tickets = new LinkedBlockingQueue<>();
      CompletableFuture<?> joining =
          CompletableFuture.runAsync(
              () ->
                  SecurityDomains.join(
                      b.hsm(), b.co(), store, Duration.ofSeconds(60), tickets::add));
      SecurityDomains.approve(
          a.hsm(), a.co(), store, tickets.poll(60, TimeUnit.SECONDS), Duration.ofSeconds(60));
      joining.get(60, TimeUnit.SECONDS);

      HostKeyStore.useFleetStore(a.home(), "file:" + storeDir);
      HostKeyStore.useFleetStore(b.home(), "file:" + storeDir);
      PartitionClient.create(
          a.hsm(),
          a.co(),
          HostKeyStore.at(a.home()),
          "tok",
          PartitionLimits.DEFAULTS,
          g.generateKeyPair().getPublic().getEncoded(),
          PIN);
      byte[] publicKey;
      try (PartitionClient app =
          PartitionClient.open(a.hsm(), HostKeyStore.at(a.home()), "tok", PIN)) {
        publicKey = app.generate("made-on-a", KeyType.EC_P256, KeyPurpose.SIGN, false).publicKey();
      }

      // On B: the module, unchanged, with B's daemon and B's home.
      Map<String, String> env =
          Map.of(
              "IHSM_SOCKET_DIR", b.sockets().toString(),
              "IHSM_HOME", b.home().toString(),
              "IHSM_PKCS11_LOG", dir.resolve("bridge.log").toString(),
              "IHSM_PKCS11_BRIDGE_DIR", dir.resolve("bridge").toString());
      byte[] digest = MessageDigest.getInstance("SHA-256").digest("from B".getBytes());
      Path in = Files.write(dir.resolve("digest.bin"), digest);
      Path out = dir.resolve("sig.bin");
      List<String> base =
          List.of(
              "pkcs11-tool", "--module", ModulePath.module().toString(), "--login", "--pin", PIN);
      ExternalCommand.Result list = ExternalCommand.run(concat(base, "--list-objects"), env);
      assertThat(list.exitCode()).as(list.output()).isZero();
      assertThat(list.output()).contains("made-on-a");
      ExternalCommand.Result sign =
          ExternalCommand.run(
              concat(
                  base,
                  "--sign",
                  "--mechanism",
                  "ECDSA",
                  "--label",
                  "made-on-a",
                  "--input-file",
                  in.toString(),
                  "--output-file",
                  out.toString()),
              env);
      assertThat(sign.exitCode()).as(sign.output()).isZero();
      PublicKey key =
          KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(publicKey));
      Signature v = Signature.getInstance("NONEwithECDSAinP1363Format");
      v.initVerify(key);
      v.update(digest);
      assertThat(v.verify(Files.readAllBytes(out))).as("signed on B with A's key").isTrue();
    }
  }

  static List<String> concat(List<String> base, String... more) {
    List<String> all = new java.util.ArrayList<>(base);
    all.addAll(Arrays.asList(more));
    return all;
  }
}
