package io.ihsm.jca;

import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyOrigin;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.ddi.testing.ExternalCommand;
import io.ihsm.device.Device;
import io.ihsm.device.DeviceConfig;
import io.ihsm.device.daemon.DeviceDaemon;
import io.ihsm.sdk.DeviceAddress;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.PartitionClient;
import io.ihsm.sdk.store.HostKeyStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.Security;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.crypto.SecretKey;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JDK's own tools and TLS with keys in the HSM: keytool makes keys inside, jarsigner signs with
 * them, a JSSE TLS 1.3 server uses them with a JDK client and with openssl s_client. The device is
 * a daemon, so that keytool and jarsigner (other processes) reach it too.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JcaToolsTest {
  @TempDir static Path dir;
  static Device device;
  static DeviceDaemon daemon;
  static Path config;
  static IhsmProvider provider;

  @BeforeAll
  static void daemonWithAPartition() throws Exception {
    Path sock = dir.resolve("sock");
    device = Device.powerOn(DeviceConfig.of(dir.resolve("state")));
    daemon = DeviceDaemon.start(device, sock);
    Path home = dir.resolve("home");
    ProviderFixture.partition(DeviceAddress.daemon(sock), home, "tools", true);
    IhsmConfig c = IhsmConfig.daemon(sock, home, "tools").withPinFile(ProviderFixture.pinFile(dir));
    config = dir.resolve("ihsm-jca.conf");
    Files.writeString(config, c.toConfigText());
    provider = new IhsmProvider(c);
  }

  @AfterAll
  static void stop() throws IOException {
    provider.close();
    daemon.close();
    device.close();
  }

  static String tool(String name) {
    return Path.of(System.getProperty("java.home"), "bin", name).toString();
  }

  /** The options that load the provider into keytool or jarsigner. */
  static List<String> providerOptions() {
    return List.of(
        "-storetype",
        "IHSM",
        "-keystore",
        "NONE",
        "-storepass",
        ProviderFixture.PIN,
        "-providerpath",
        System.getProperty("java.class.path"),
        "-providerclass",
        IhsmProvider.class.getName(),
        "-providerarg",
        config.toString());
  }

  static ExternalCommand.Result run(String toolName, List<String> args, List<String> more)
      throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(tool(toolName));
    cmd.addAll(args);
    cmd.addAll(more);
    return ExternalCommand.run(cmd);
  }

  @Test
  @Order(1)
  void keytoolMakesEcAndRsaKeysInsideTheHsmWithSelfSignedCertificates() throws Exception {
    for (List<String> key :
        List.of(
            List.of(
                "-alias",
                "ec-key",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-sigalg",
                "SHA256withECDSA"),
            List.of(
                "-alias",
                "rsa-key",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-sigalg",
                "SHA256withRSA"))) {
      List<String> args =
          new ArrayList<>(
              List.of(
                  "-genkeypair",
                  "-dname",
                  "CN=" + key.get(1) + ",O=ihsm tests",
                  "-validity",
                  "30",
                  "-providername",
                  "IHSM"));
      args.addAll(key);
      ExternalCommand.Result r = run("keytool", args, providerOptions());
      assertThat(r.exitCode()).as(r.output()).isZero();
    }
    ExternalCommand.Result list = run("keytool", List.of("-list", "-v"), providerOptions());
    assertThat(list.exitCode()).as(list.output()).isZero();
    assertThat(list.output())
        .contains("Alias name: ec-key")
        .contains("Alias name: rsa-key")
        .contains("PrivateKeyEntry")
        .contains("CN=ec-key, O=ihsm tests");
    HostKeyStore store = HostKeyStore.at(dir.resolve("home"));
    assertThat(store.key("tools", "ec-key").orElseThrow().origin())
        .as("made inside the HSM")
        .isEqualTo(KeyOrigin.GENERATED);
    assertThat(store.key("tools", "rsa-key").orElseThrow().origin()).isEqualTo(KeyOrigin.GENERATED);
  }

  @Test
  @Order(4)
  void keytoolListsEveryKeyOfThePartitionHoweverItWasMade() throws Exception {
    Path sock = dir.resolve("sock");
    try (IhsmClient hsm = IhsmClient.connect(DeviceAddress.daemon(sock));
        PartitionClient app =
            PartitionClient.open(
                hsm, HostKeyStore.at(dir.resolve("home")), "tools", ProviderFixture.PIN)) {
      // As `ihsm key generate` and pkcs11-tool make them: no certificate.
      app.generate("bare-ec", KeyKind.EC_P256, KeyUsage.SIGN, false);
      app.generate("bare-rsa", KeyKind.RSA_2048, KeyUsage.ENCRYPT, false);
      app.generate("bare-aes", KeyKind.AES_256, KeyUsage.ENCRYPT, false);
    }
    for (List<String> args : List.of(List.of("-list"), List.of("-list", "-v"))) {
      ExternalCommand.Result list = run("keytool", args, providerOptions());
      assertThat(list.exitCode()).as(list.output()).isZero();
      assertThat(list.output())
          .contains("bare-ec")
          .contains("bare-rsa")
          .contains("bare-aes")
          .doesNotContain("ClassCastException")
          .doesNotContain("Exception");
    }
    KeyStore ks = KeyStore.getInstance("IHSM", provider);
    ks.load(null, ProviderFixture.PIN.toCharArray());
    assertThat(ks.entryInstanceOf("bare-ec", KeyStore.PrivateKeyEntry.class)).isTrue();
    assertThat(ks.entryInstanceOf("bare-ec", KeyStore.SecretKeyEntry.class)).isFalse();
    assertThat(ks.entryInstanceOf("bare-aes", KeyStore.SecretKeyEntry.class)).isTrue();
    assertThat(ks.getKey("bare-ec", null)).isInstanceOf(PrivateKey.class);
    assertThat(ks.getKey("bare-aes", null)).isInstanceOf(SecretKey.class);
    assertThat(ks.getEntry("bare-aes", null)).isInstanceOf(KeyStore.SecretKeyEntry.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ks.getEntry("bare-ec", null))
        .isInstanceOf(KeyStoreException.class)
        .hasMessageContaining("has no certificate");
  }

  @Test
  @Order(2)
  void jarsignerSignsWithAnHsmKeyAndTheSignatureCatchesAModifiedJar() throws Exception {
    Path jar = dir.resolve("app.jar");
    writeJar(jar, "hello.txt", "hello, world");
    Path signed = dir.resolve("app-signed.jar");
    ExternalCommand.Result sign =
        run(
            "jarsigner",
            providerOptions(),
            List.of("-signedjar", signed.toString(), jar.toString(), "ec-key"));
    assertThat(sign.exitCode()).as(sign.output()).isZero();
    ExternalCommand.Result verify =
        run("jarsigner", List.of("-verify", "-verbose", signed.toString()), List.of());
    assertThat(verify.exitCode()).as(verify.output()).isZero();
    assertThat(verify.output()).contains("jar verified");
    try (JarFile j = new JarFile(signed.toFile())) {
      assertThat(j.getManifest().getEntries()).containsKey("hello.txt");
    }

    Path tampered = dir.resolve("app-tampered.jar");
    replaceEntry(signed, tampered, "hello.txt", "hello, mallory");
    ExternalCommand.Result bad =
        run("jarsigner", List.of("-verify", tampered.toString()), List.of());
    assertThat(bad.exitCode()).as(bad.output()).isNotZero();
    assertThat(bad.output()).containsIgnoringCase("digest error");
  }

  static void writeJar(Path jar, String name, String content) throws IOException {
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      out.putNextEntry(new JarEntry(name));
      out.write(content.getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }
  }

  /**
   * A copy of a jar with one entry's content replaced, everything else (signature files too) as it
   * was.
   */
  static void replaceEntry(Path from, Path to, String name, String content) throws IOException {
    try (JarFile in = new JarFile(from.toFile(), false);
        ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(to))) {
      for (var e = in.entries(); e.hasMoreElements(); ) {
        JarEntry entry = e.nextElement();
        out.putNextEntry(new ZipEntry(entry.getName()));
        out.write(
            entry.getName().equals(name)
                ? content.getBytes(StandardCharsets.UTF_8)
                : in.getInputStream(entry).readAllBytes());
        out.closeEntry();
      }
    }
  }

  @Test
  @Order(3)
  void aTls13ServerWithItsKeyInTheHsmServesTheJdkClientAndOpenSsl() throws Exception {
    KeyStore ks = KeyStore.getInstance("IHSM", provider);
    ks.load(null, ProviderFixture.PIN.toCharArray());
    Security.addProvider(provider);
    try {
      for (String alias : List.of("ec-key", "rsa-key")) {
        X509Certificate cert = (X509Certificate) ks.getCertificate(alias);
        SSLContext server = serverContext(ks, alias);
        assertThat(jdkClientHandshake(server, cert)).as(alias).isEqualTo("TLSv1.3 pong");
        Path pem = dir.resolve(alias + ".pem");
        Files.writeString(
            pem,
            "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(cert.getEncoded())
                + "\n-----END CERTIFICATE-----\n");
        String out = openSslHandshake(server, pem);
        assertThat(out)
            .as(alias)
            .contains("CONNECTION ESTABLISHED")
            .contains("Protocol version: TLSv1.3")
            .contains("Verification: OK")
            .contains(alias.startsWith("ec") ? "Signature type: ECDSA" : "Signature type: RSA-PSS");
      }
    } finally {
      Security.removeProvider(provider.getName());
    }
  }

  /** A server context whose only key is {@code alias}, a key in the HSM. */
  static SSLContext serverContext(KeyStore ks, String alias) throws Exception {
    KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
    kmf.init(ks, null);
    X509ExtendedKeyManager all = (X509ExtendedKeyManager) kmf.getKeyManagers()[0];
    X509ExtendedKeyManager one =
        new X509ExtendedKeyManager() {
          @Override
          public String chooseEngineServerAlias(
              String keyType, Principal[] issuers, SSLEngine engine) {
            return chooseServerAlias(keyType, issuers, null);
          }

          @Override
          public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            String algorithm = all.getPrivateKey(alias).getAlgorithm();
            return keyType.equals(algorithm) || keyType.startsWith(algorithm + "_") ? alias : null;
          }

          @Override
          public String[] getServerAliases(String keyType, Principal[] issuers) {
            return new String[] {alias};
          }

          @Override
          public X509Certificate[] getCertificateChain(String a) {
            return all.getCertificateChain(a);
          }

          @Override
          public PrivateKey getPrivateKey(String a) {
            return all.getPrivateKey(a);
          }

          @Override
          public String[] getClientAliases(String keyType, Principal[] issuers) {
            return null;
          }

          @Override
          public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return null;
          }
        };
    assertThat(one.getPrivateKey(alias)).isInstanceOf(IhsmPrivateKey.class);
    SSLContext ctx = SSLContext.getInstance("TLSv1.3");
    ctx.init(new KeyManager[] {one}, null, null);
    return ctx;
  }

  /**
   * One connection: the server answers "ping" with "pong"; the client reports the protocol and the
   * answer.
   */
  static String jdkClientHandshake(SSLContext server, X509Certificate trusted) throws Exception {
    try (SSLServerSocket listener =
        (SSLServerSocket) server.getServerSocketFactory().createServerSocket(0)) {
      CompletableFuture<Void> served = serveOnce(listener);
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("server", trusted);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
      tmf.init(trust);
      SSLContext client = SSLContext.getInstance("TLSv1.3");
      client.init(null, tmf.getTrustManagers(), null);
      try (SSLSocket s =
          (SSLSocket)
              client.getSocketFactory().createSocket("localhost", listener.getLocalPort())) {
        s.getOutputStream().write("ping\n".getBytes());
        s.getOutputStream().flush();
        String answer = new String(s.getInputStream().readNBytes(4), StandardCharsets.US_ASCII);
        String protocol = s.getSession().getProtocol();
        served.get(30, TimeUnit.SECONDS);
        return protocol + " " + answer;
      }
    }
  }

  static String openSslHandshake(SSLContext server, Path caPem) throws Exception {
    try (SSLServerSocket listener =
        (SSLServerSocket) server.getServerSocketFactory().createServerSocket(0)) {
      CompletableFuture<Void> served = serveOnce(listener);
      ExternalCommand.Result r =
          ExternalCommand.run(
              List.of(
                  "openssl",
                  "s_client",
                  "-connect",
                  "127.0.0.1:" + listener.getLocalPort(),
                  "-tls1_3",
                  "-CAfile",
                  caPem.toString(),
                  "-verify_return_error",
                  "-brief"));
      served.handle((v, e) -> null).get(30, TimeUnit.SECONDS);
      return r.output() + (r.exitCode() == 0 ? "" : " exit " + r.exitCode());
    }
  }

  static CompletableFuture<Void> serveOnce(SSLServerSocket listener) {
    return CompletableFuture.runAsync(
        () -> {
          try (SSLSocket s = (SSLSocket) listener.accept()) {
            s.startHandshake();
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] ping = in.readNBytes(5);
            if (new String(ping, StandardCharsets.US_ASCII).equals("ping\n")) {
              out.write("pong".getBytes(StandardCharsets.US_ASCII));
              out.flush();
            }
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }
}
