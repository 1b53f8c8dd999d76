package io.ihsm.kmip.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ihsm.ddi.credential.Credential;
import io.ihsm.ddi.key.KeyState;
import io.ihsm.ddi.message.PartitionLimits;
import io.ihsm.ddi.testing.ExternalCommand;
import io.ihsm.kmip.protocol.Tag;
import io.ihsm.kmip.ttlv.Ttlv;
import io.ihsm.kmip.ttlv.TtlvCodec;
import io.ihsm.sdk.CryptoOfficerSession;
import io.ihsm.sdk.DeviceAddress;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.PartitionClient;
import io.ihsm.sdk.store.HostKeyStore;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The KMIP server as platforms use it: PyKMIP's ProxyKmipClient (Debian python3-pykmip) over TLS
 * with a client certificate, through every operation the server serves, against an embedded device;
 * and what an attacker would send instead.
 */
class KmipServerTest {
  static final String PIN = "kmip-pin-12345";
  static final Path PYTHON = Path.of("/usr/bin/python3");

  @TempDir static Path dir;
  static IhsmClient hsm;
  static KmipServer server;
  static StringWriter log = new StringWriter();
  static TestPki pki;
  static TestPki.Issued client;
  static TestPki.Issued unmapped;
  static TestPki.Issued foreign;
  static Path script;

  @BeforeAll
  static void serverOnAPartition() throws Exception {
    Path home = dir.resolve("home");
    hsm = IhsmClient.connect(DeviceAddress.embedded(home));
    Credential co = Credential.of(new byte[16], "officer-pin");
    hsm.initCryptoOfficer(co);
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp384r1"));
    try (CryptoOfficerSession s = hsm.loginCryptoOfficer(co)) {
      PartitionClient.create(
          hsm,
          s,
          HostKeyStore.at(home),
          "kmip",
          new PartitionLimits(0, 0, 0, 0, 4),
          g.generateKeyPair().getPublic().getEncoded(),
          PIN);
    }
    pki = new TestPki(dir, "clients");
    TestPki.Issued serverCert = pki.issue("localhost", true);
    client = pki.issue("db1", false);
    unmapped = pki.issue("stranger", false);
    foreign = new TestPki(dir, "elsewhere").issue("db1", false);
    Path pin = dir.resolve("db1.pin");
    Files.writeString(pin, PIN + "\n");
    Files.setPosixFilePermissions(pin, PosixFilePermissions.fromString("rw-------"));
    Path map = dir.resolve("clients.properties");
    Files.writeString(
        map,
        "client.db1.certificate-sha256 = "
            + client.sha256()
            + "\nclient.db1.partition = kmip\nclient.db1.pin-file = db1.pin\n");
    SSLContext tls = TlsContext.fromPem(serverCert.certificate(), serverCert.key(), pki.caFile());
    server =
        KmipServer.start(
            new InetSocketAddress("127.0.0.1", 0), tls, map, hsm, home, new PrintWriter(log));
    script = dir.resolve("pykmip_client.py");
    try (InputStream in =
        KmipServerTest.class.getResourceAsStream("/io/ihsm/kmip/pykmip_client.py")) {
      Files.write(script, in.readAllBytes());
    }
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (hsm != null) {
      hsm.close();
    }
  }

  static boolean pykmip() throws Exception {
    return Files.isExecutable(PYTHON)
        && ExternalCommand.run(List.of(PYTHON.toString(), "-c", "import kmip")).exitCode() == 0;
  }

  /** A PyKMIP scenario's output: one JSON object per step. */
  static String pykmipRun(String scenario, TestPki.Issued as) throws Exception {
    ExternalCommand.Result r = pykmipAttempt(scenario, as);
    assertThat(r.exitCode()).as(r.output() + "\nserver log:\n" + log).isZero();
    return r.output();
  }

  static ExternalCommand.Result pykmipAttempt(String scenario, TestPki.Issued as) throws Exception {
    assumeTrue(pykmip(), "python3-pykmip is not installed (Debian package; .ci/run installs it)");
    return ExternalCommand.run(
        List.of(
            PYTHON.toString(),
            script.toString(),
            "127.0.0.1",
            Integer.toString(server.address().getPort()),
            as.certificate().toString(),
            as.key().toString(),
            pki.caFile().toString(),
            scenario));
  }

  @Test
  void pykmipTakesASymmetricKeyThroughItsWholeLife() throws Exception {
    String out = pykmipRun("symmetric", client);
    assertThat(out)
        .contains("\"step\": \"create\"", "\"state\": \"PRE_ACTIVE\"")
        .containsPattern(
            "\"step\": \"encrypt-pre-active\", \"failed\": true, \"reason\": \"ILLEGAL_OPERATION\"")
        .contains("\"step\": \"activate\", \"state\": \"ACTIVE\"")
        .contains(
            "\"step\": \"encrypt-decrypt\", \"roundtrip\": true, \"ivLength\": 16, \"ctLength\": 64")
        .containsPattern(
            "\"step\": \"get-secret\", \"failed\": true, \"reason\": \"NOT_EXTRACTABLE\"")
        .containsPattern("\"step\": \"locate\", \"found\": \\[\"[0-9a-f]{32}\"\\]")
        .contains("\"step\": \"add-attribute\", \"status\": \"SUCCESS\"")
        .contains("\"custom\", \"values\": [\"team-a\"]", "\"modified\", \"values\": [\"team-b\"]")
        .contains("\"step\": \"rekey\"", "\"old\": \"DEACTIVATED\", \"new\": \"ACTIVE\"")
        .containsPattern(
            "\"step\": \"encrypt-old\", \"failed\": true, \"reason\": \"ILLEGAL_OPERATION\"")
        .contains("\"step\": \"decrypt-old\", \"roundtrip\": true")
        .containsPattern(
            "\"step\": \"destroy-active\", \"failed\": true, \"reason\": \"ILLEGAL_OPERATION\"")
        .contains("\"step\": \"revoke\", \"state\": \"COMPROMISED\"")
        .contains("\"step\": \"destroy\", \"state\": \"DESTROYED\"")
        .containsPattern("\"step\": \"decrypt-destroyed\", \"failed\": true");
    assertThat(out.lines().filter(l -> l.contains("attribute-list")).findFirst().orElseThrow())
        .contains("x-owner", "State", "Cryptographic Algorithm", "Name");
    assertThat(out.lines().filter(l -> l.contains("\"deleted\"")).findFirst().orElseThrow())
        .doesNotContain("x-owner");
    // The device holds what KMIP reported: the first version destroyed, the second active.
    try (PartitionClient p =
        PartitionClient.open(hsm, HostKeyStore.at(dir.resolve("home")), "kmip", PIN)) {
      assertThat(p.versions("db-master"))
          .extracting(k -> k.state())
          .containsExactly(KeyState.DESTROYED, KeyState.ACTIVE);
    }
  }

  @Test
  void keyPairsSignInTheDeviceAndTheirPublicKeysVerifyOutside() throws Exception {
    String out = pykmipRun("pairs", client);
    assertThat(out.lines().filter(l -> l.contains("\"pair\"")).toList())
        .hasSize(2)
        .allSatisfy(
            l ->
                assertThat(l)
                    .contains("\"valid\": \"VALID\"", "\"invalid\": \"INVALID\"")
                    .contains("\"verifiedByCryptography\": true"));
    assertThat(out)
        .containsPattern("\"get-private\", \"failed\": true, \"reason\": \"NOT_EXTRACTABLE\"");
  }

  @Test
  void hmacKeysMacAndRegisteredKeysWorkAsTheirOwnersExpect() throws Exception {
    assertThat(pykmipRun("macs", client))
        .contains("\"step\": \"mac\", \"length\": 32, \"stable\": true");
    assertThat(pykmipRun("registered", client))
        .contains("\"register-symmetric\", \"matches\": true")
        .contains("\"register-public\", \"valid\": \"VALID\"")
        .contains("\"register-private\", \"signsAsItsOwnerKey\": true")
        .containsPattern(
            "\"get-registered-private\", \"failed\": true, \"reason\": \"NOT_EXTRACTABLE\"");
  }

  @Test
  void anExtractableKeyLeavesOnlyWrappedAndOnlyWhenAsked() throws Exception {
    String out = pykmipRun("wrapped", client);
    assertThat(out)
        .containsPattern("\"get-unwrapped\", \"failed\": true, \"reason\": \"NOT_EXTRACTABLE\"")
        .contains("\"get-wrapped\", \"wrappedLength\": 24, \"sameKey\": true")
        .containsPattern(
            "\"get-not-extractable\", \"failed\": true, \"reason\": \"NOT_EXTRACTABLE\"");
  }

  @Test
  void aBatchDiscoversVersionsAndQueriesTheServer() throws Exception {
    String out = pykmipRun("batch", client);
    assertThat(out)
        .contains("\"items\": 2", "\"versions\": [\"1.4\", \"1.3\", \"1.2\", \"1.1\", \"1.0\"]")
        .contains("\"CREATE\"", "\"CREATE_KEY_PAIR\"", "\"ENCRYPT\"", "\"SIGNATURE_VERIFY\"")
        .contains("\"objects\": [\"PRIVATE_KEY\", \"PUBLIC_KEY\", \"SYMMETRIC_KEY\"]")
        .contains("\"vendor\": \"ihsm");
  }

  @Test
  void badRequestsFromPykmipGetAKmipErrorAndChangeNothing() throws Exception {
    String out = pykmipRun("bad", client);
    assertThat(out)
        .containsPattern("\"create-public\", \"failed\": true, \"reason\": \"INVALID_FIELD\"")
        .containsPattern("\"create-odd-length\", \"failed\": true, \"reason\": \"INVALID_FIELD\"")
        .containsPattern("\"get-unknown\", \"failed\": true, \"reason\": \"ITEM_NOT_FOUND\"")
        .containsPattern("\"get-garbage-id\", \"failed\": true, \"reason\": \"ITEM_NOT_FOUND\"")
        .containsPattern("\"activate-twice\", \"failed\": true, \"reason\": \"ILLEGAL_OPERATION\"");
  }

  /** A raw TLS connection with the mapped client's certificate. */
  static SSLSocket connect(TestPki.Issued as) throws Exception {
    SSLContext ctx = TlsContext.fromPem(as.certificate(), as.key(), pki.caFile());
    SSLSocket s =
        (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", server.address().getPort());
    s.setSoTimeout(10_000);
    s.startHandshake();
    return s;
  }

  /** Sends bytes, answers the response message (or null when the server closed instead). */
  static Ttlv exchange(SSLSocket s, byte[] request) throws Exception {
    OutputStream out = s.getOutputStream();
    out.write(request);
    out.flush();
    InputStream in = s.getInputStream();
    byte[] header = in.readNBytes(8);
    if (header.length < 8) {
      return null;
    }
    byte[] message = java.util.Arrays.copyOf(header, TtlvCodec.itemLength(header));
    assertThat(in.readNBytes(message, 8, message.length - 8)).isEqualTo(message.length - 8);
    return TtlvCodec.decode(message);
  }

  static Ttlv request(Ttlv... items) {
    List<Ttlv> all = new ArrayList<>();
    all.add(
        Ttlv.structure(
            Tag.REQUEST_HEADER,
            Ttlv.structure(
                Tag.PROTOCOL_VERSION,
                Ttlv.integer(Tag.PROTOCOL_VERSION_MAJOR, 1),
                Ttlv.integer(Tag.PROTOCOL_VERSION_MINOR, 4)),
            Ttlv.integer(Tag.BATCH_COUNT, items.length)));
    all.addAll(List.of(items));
    return Ttlv.structure(Tag.REQUEST_MESSAGE, all);
  }

  static Ttlv item(int operation, Ttlv... payload) {
    return Ttlv.structure(
        Tag.BATCH_ITEM,
        Ttlv.enumeration(Tag.OPERATION, operation),
        Ttlv.structure(Tag.REQUEST_PAYLOAD, payload));
  }

  static String reasonOf(Ttlv response, int index) {
    Ttlv item =
        response.items().stream().filter(t -> t.tag() == Tag.BATCH_ITEM).toList().get(index);
    return item.items().stream()
        .filter(t -> t.tag() == Tag.RESULT_REASON || t.tag() == Tag.RESULT_STATUS)
        .map(t -> Long.toString(t.enumeration()))
        .toList()
        .toString();
  }

  @Test
  void malformedOversizedAndUnknownInputIsAnErrorNeverACrash() throws Exception {
    try (SSLSocket s = connect(client)) {
      Ttlv unknownTag =
          exchange(s, TtlvCodec.encode(request(item(0x1E, Ttlv.integer(0x42FFFF, 1)))));
      assertThat(unknownTag).as("answered; the server's log:\n" + log).isNotNull();
      assertThat(reasonOf(unknownTag, 0))
          .as("[status failed, reason invalid field]")
          .isEqualTo("[1, 7]");
      Ttlv unknownOp = exchange(s, TtlvCodec.encode(request(item(0x7F))));
      assertThat(reasonOf(unknownOp, 0)).as("operation not supported").isEqualTo("[1, 5]");
      Ttlv fine = exchange(s, TtlvCodec.encode(request(item(0x1E))));
      assertThat(reasonOf(fine, 0)).as("the connection still serves").isEqualTo("[0]");
      Ttlv garbage = exchange(s, new byte[] {0x42, 0, 0x78, 1, 0, 0, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8});
      assertThat(reasonOf(garbage, 0)).as("invalid message").isEqualTo("[1, 4]");
      assertThat(s.getInputStream().read()).as("then closed").isEqualTo(-1);
    }
    try (SSLSocket s = connect(client)) {
      byte[] huge = ByteBuffer.allocate(8).putInt(0x42007801).putInt(0x7FFFFFF0).array();
      Ttlv refused = exchange(s, huge);
      assertThat(reasonOf(refused, 0)).isEqualTo("[1, 4]");
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    }
    try (SSLSocket s = connect(client)) {
      Ttlv batch =
          exchange(
              s,
              TtlvCodec.encode(
                  request(
                      item(0x1E),
                      item(0x0A, Ttlv.text(Tag.UNIQUE_IDENTIFIER, "nope")),
                      item(0x1E))));
      assertThat(batch.items().stream().filter(t -> t.tag() == Tag.BATCH_ITEM).count())
          .as("a failed item stops the batch (the default)")
          .isEqualTo(2);
    }
  }

  static Ttlv attribute(String name, Ttlv value) {
    return Ttlv.structure(Tag.ATTRIBUTE, Ttlv.text(Tag.ATTRIBUTE_NAME, name), value);
  }

  static Ttlv field(Ttlv response, int tag) {
    Ttlv item =
        response.items().stream().filter(t -> t.tag() == Tag.BATCH_ITEM).findFirst().orElseThrow();
    Ttlv payload =
        item.items().stream()
            .filter(t -> t.tag() == Tag.RESPONSE_PAYLOAD)
            .findFirst()
            .orElseThrow();
    return payload.items().stream().filter(t -> t.tag() == tag).findFirst().orElseThrow();
  }

  @Test
  void gcmKeepsItsTagApartAndBindsTheAdditionalData() throws Exception {
    try (SSLSocket s = connect(client)) {
      Ttlv created =
          exchange(
              s,
              TtlvCodec.encode(
                  request(
                      item(
                          0x01,
                          Ttlv.enumeration(Tag.OBJECT_TYPE, 2),
                          Ttlv.structure(
                              Tag.TEMPLATE_ATTRIBUTE,
                              attribute(
                                  "Cryptographic Algorithm",
                                  Ttlv.enumeration(Tag.ATTRIBUTE_VALUE, 3)),
                              attribute(
                                  "Cryptographic Length", Ttlv.integer(Tag.ATTRIBUTE_VALUE, 256)),
                              attribute(
                                  "Activation Date",
                                  Ttlv.dateTime(
                                      Tag.ATTRIBUTE_VALUE,
                                      java.time.Instant.ofEpochSecond(1))))))));
      String uid = field(created, Tag.UNIQUE_IDENTIFIER).text();
      Ttlv gcm =
          Ttlv.structure(Tag.CRYPTOGRAPHIC_PARAMETERS, Ttlv.enumeration(Tag.BLOCK_CIPHER_MODE, 9));
      byte[] aad = "row 42".getBytes();
      Ttlv encrypted =
          exchange(
              s,
              TtlvCodec.encode(
                  request(
                      item(
                          0x1F,
                          Ttlv.text(Tag.UNIQUE_IDENTIFIER, uid),
                          gcm,
                          Ttlv.bytes(Tag.DATA, "a secret value".getBytes()),
                          Ttlv.bytes(Tag.AUTHENTICATED_ENCRYPTION_ADDITIONAL_DATA, aad)))));
      byte[] data = field(encrypted, Tag.DATA).bytes();
      byte[] iv = field(encrypted, Tag.IV_COUNTER_NONCE).bytes();
      byte[] tag = field(encrypted, Tag.AUTHENTICATED_ENCRYPTION_TAG).bytes();
      assertThat(data).hasSize("a secret value".length());
      assertThat(iv).hasSize(12);
      assertThat(tag).hasSize(16);
      java.util.function.Function<byte[], Ttlv> decrypt =
          t -> {
            try {
              return exchange(
                  s,
                  TtlvCodec.encode(
                      request(
                          item(
                              0x20,
                              Ttlv.text(Tag.UNIQUE_IDENTIFIER, uid),
                              gcm,
                              Ttlv.bytes(Tag.DATA, data),
                              Ttlv.bytes(Tag.IV_COUNTER_NONCE, iv),
                              Ttlv.bytes(Tag.AUTHENTICATED_ENCRYPTION_ADDITIONAL_DATA, aad),
                              Ttlv.bytes(Tag.AUTHENTICATED_ENCRYPTION_TAG, t)))));
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          };
      assertThat(field(decrypt.apply(tag), Tag.DATA).bytes())
          .isEqualTo("a secret value".getBytes());
      byte[] forged = tag.clone();
      forged[0] ^= 1;
      assertThat(reasonOf(decrypt.apply(forged), 0))
          .as("cryptographic failure")
          .isEqualTo("[1, 10]");
    }
  }

  static String messageOf(Ttlv response) {
    Ttlv item =
        response.items().stream().filter(t -> t.tag() == Tag.BATCH_ITEM).findFirst().orElseThrow();
    return item.items().stream()
        .filter(t -> t.tag() == Tag.RESULT_MESSAGE)
        .map(Ttlv::text)
        .findFirst()
        .orElse("");
  }

  @Test
  void aDamagedObjectRecordIsRefusedNamingItAndTheOthersAreStillServed() throws Exception {
    try (SSLSocket s = connect(client)) {
      Ttlv healthy =
          exchange(
              s,
              TtlvCodec.encode(
                  request(
                      item(
                          0x01,
                          Ttlv.enumeration(Tag.OBJECT_TYPE, 2),
                          Ttlv.structure(
                              Tag.TEMPLATE_ATTRIBUTE,
                              attribute(
                                  "Cryptographic Algorithm",
                                  Ttlv.enumeration(Tag.ATTRIBUTE_VALUE, 3)),
                              attribute(
                                  "Cryptographic Length",
                                  Ttlv.integer(Tag.ATTRIBUTE_VALUE, 128)))))));
      String kept = field(healthy, Tag.UNIQUE_IDENTIFIER).text();
      Ttlv created =
          exchange(
              s,
              TtlvCodec.encode(
                  request(
                      item(
                          0x01,
                          Ttlv.enumeration(Tag.OBJECT_TYPE, 2),
                          Ttlv.structure(
                              Tag.TEMPLATE_ATTRIBUTE,
                              attribute(
                                  "Cryptographic Algorithm",
                                  Ttlv.enumeration(Tag.ATTRIBUTE_VALUE, 3)),
                              attribute(
                                  "Cryptographic Length",
                                  Ttlv.integer(Tag.ATTRIBUTE_VALUE, 128)))))));
      String uid = field(created, Tag.UNIQUE_IDENTIFIER).text();
      Path record = dir.resolve("home/kmip/kmip/" + uid + ".properties");
      assertThat(record).exists();
      Files.writeString(record, "objectType=2\nkey=\u0000\n");

      Ttlv refused =
          exchange(s, TtlvCodec.encode(request(item(0x0B, Ttlv.text(Tag.UNIQUE_IDENTIFIER, uid)))));
      assertThat(reasonOf(refused, 0)).as("general failure").isEqualTo("[1, 256]");
      assertThat(messageOf(refused)).contains(uid).contains("damaged");
      Ttlv located = exchange(s, TtlvCodec.encode(request(item(0x08))));
      assertThat(reasonOf(located, 0)).as("Locate still serves the other objects").isEqualTo("[0]");
      Ttlv payload =
          located.items().stream()
              .filter(t -> t.tag() == Tag.BATCH_ITEM)
              .findFirst()
              .orElseThrow()
              .items()
              .stream()
              .filter(t -> t.tag() == Tag.RESPONSE_PAYLOAD)
              .findFirst()
              .orElseThrow();
      assertThat(payload.items()).extracting(Ttlv::text).contains(kept).doesNotContain(uid);
    }
  }

  @Test
  void pykmipWithAnotherCasCertificateOrAnUnmappedOneGetsNoService() throws Exception {
    ExternalCommand.Result other = pykmipAttempt("batch", foreign);
    assertThat(other.exitCode()).isNotZero();
    assertThat(other.output()).containsIgnoringCase("ssl").doesNotContain("\"step\"");
    ExternalCommand.Result stranger = pykmipAttempt("batch", unmapped);
    assertThat(stranger.exitCode()).isNotZero();
    assertThat(stranger.output()).doesNotContain("\"step\"");
  }

  @Test
  void aFloodOfSilentConnectionsHoldsAtMostItsShareAndLeavesNothingBehind() throws Exception {
    List<java.net.Socket> silent = new ArrayList<>();
    try {
      for (int i = 0; i < KmipServer.MAX_CONNECTIONS + 8; i++) {
        silent.add(new java.net.Socket("127.0.0.1", server.address().getPort()));
      }
      // Those beyond the limit are closed at once, before a handshake costs anything.
      java.net.Socket last = silent.get(silent.size() - 1);
      last.setSoTimeout(5_000);
      assertThat(last.getInputStream().read()).isEqualTo(-1);
    } finally {
      for (java.net.Socket s : silent) {
        s.close();
      }
    }
    // Their slots come back as they go: a real client is served again.
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try (SSLSocket s = connect(client)) {
        if (exchange(s, TtlvCodec.encode(request(item(0x1E)))) != null) {
          break;
        }
      } catch (java.io.IOException busy) {
        // slots not released yet
      }
      assertThat(System.nanoTime()).as("slots released").isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  @Test
  void certificatesFromAnotherCaOrNoMappingAreTurnedAway() throws Exception {
    assertThatThrownBy(() -> connect(foreign).getInputStream().read())
        .as("a certificate the client CA did not sign")
        .isInstanceOf(java.io.IOException.class);
    try (SSLSocket s = connect(unmapped)) {
      assertThat(exchange(s, TtlvCodec.encode(request(item(0x1E)))))
          .as("closed before any request is read")
          .isNull();
    } catch (java.io.IOException closed) {
      // the server may close while the request is still being written
    }
    assertThat(log.toString())
        .contains("its certificate is in no client mapping")
        .doesNotContain(PIN);
  }
}
