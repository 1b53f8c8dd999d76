package io.ihsm.kms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.ihsm.ddi.credential.Credential;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyState;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.ddi.message.PartitionLimits;
import io.ihsm.sdk.CryptoOfficerSession;
import io.ihsm.sdk.DeviceAddress;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.PartitionClient;
import io.ihsm.sdk.store.HostKeyStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import v2.Api.DecryptRequest;
import v2.Api.EncryptRequest;
import v2.Api.EncryptResponse;
import v2.Api.StatusRequest;
import v2.Api.StatusResponse;
import v2.KeyManagementServiceGrpc;
import v2.KeyManagementServiceGrpc.KeyManagementServiceBlockingStub;

/**
 * The plugin as the API server uses it: a gRPC client generated from the same api.proto, over the
 * Unix socket, against an embedded device: round trips, rotation, a reset mid-stream, a tampered
 * device, and every kind of bad request.
 */
class KmsPluginTest {
  static final String PIN = "kms-pin-12345";
  static final byte[] DEK = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  @TempDir Path home;
  @TempDir Path run;

  IhsmClient hsm;
  PartitionClient app;
  KmsPlugin plugin;
  EventLoopGroup clientLoop;
  ManagedChannel channel;
  KeyManagementServiceBlockingStub kms;

  @BeforeEach
  void pluginOnAPartitionKey() throws Exception {
    hsm = IhsmClient.connect(DeviceAddress.embedded(home));
    HostKeyStore store = HostKeyStore.at(home);
    Credential co = Credential.of(new byte[16], "officer-pin");
    hsm.initCryptoOfficer(co);
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp384r1"));
    try (CryptoOfficerSession s = hsm.loginCryptoOfficer(co)) {
      PartitionClient.create(
          hsm,
          s,
          store,
          "kube",
          new PartitionLimits(0, 0, 0, 0, 4),
          g.generateKeyPair().getPublic().getEncoded(),
          PIN);
    }
    app = PartitionClient.open(hsm, store, "kube", PIN);
    app.generate("kek", KeyKind.AES_256, KeyUsage.ENCRYPT, false);
    plugin = KmsPlugin.start(run.resolve("kms.sock"), new KmsKey(hsm, app, "kek"));
    clientLoop = new EpollEventLoopGroup(1);
    channel =
        NettyChannelBuilder.forAddress(new DomainSocketAddress(plugin.socket().toString()))
            .channelType(EpollDomainSocketChannel.class)
            .eventLoopGroup(clientLoop)
            .usePlaintext()
            .build();
    kms = KeyManagementServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    clientLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    plugin.close();
    app.close();
    hsm.close();
  }

  EncryptResponse encrypt(String uid) {
    return kms.encrypt(
        EncryptRequest.newBuilder().setPlaintext(ByteString.copyFrom(DEK)).setUid(uid).build());
  }

  byte[] decrypt(EncryptResponse e, String uid) {
    return kms.decrypt(
            DecryptRequest.newBuilder()
                .setCiphertext(e.getCiphertext())
                .setKeyId(e.getKeyId())
                .setUid(uid)
                .build())
        .getPlaintext()
        .toByteArray();
  }

  static Status.Code code(Runnable call) {
    try {
      call.run();
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
    return Status.Code.OK;
  }

  @Test
  void statusSaysV2OkAndTheCurrentVersionsId() {
    StatusResponse s = kms.status(StatusRequest.getDefaultInstance());
    assertThat(s.getVersion()).isEqualTo("v2");
    assertThat(s.getHealthz()).isEqualTo("ok");
    assertThat(s.getKeyId()).isEqualTo(app.key("kek").lifecycle().idText()).hasSize(32);
  }

  @Test
  void aDekEncryptsUnderTheHsmKeyAndDecryptsBack() {
    EncryptResponse e = encrypt("uid-1");
    assertThat(e.getKeyId()).isEqualTo(app.key("kek").lifecycle().idText());
    assertThat(e.getCiphertext().size()).isLessThan(1024).isGreaterThan(DEK.length);
    assertThat(HexFormat.of().formatHex(e.getCiphertext().toByteArray()))
        .doesNotContain(HexFormat.of().formatHex(DEK));
    assertThat(e.getAnnotationsMap()).isEmpty();
    assertThat(decrypt(e, "another-request")).isEqualTo(DEK);
    assertThat(encrypt("uid-1").getCiphertext())
        .as("a fresh IV each time")
        .isNotEqualTo(e.getCiphertext());
  }

  @Test
  void rotationChangesTheKeyIdAndOldDeksStillDecrypt() {
    EncryptResponse before = encrypt("a");
    app.rotate("kek");

    String newId = kms.status(StatusRequest.getDefaultInstance()).getKeyId();
    assertThat(newId)
        .isNotEqualTo(before.getKeyId())
        .isEqualTo(app.key("kek").lifecycle().idText());
    EncryptResponse after = encrypt("b");
    assertThat(after.getKeyId()).isEqualTo(newId);
    assertThat(decrypt(before, "c")).isEqualTo(DEK);
    assertThat(decrypt(after, "d")).isEqualTo(DEK);
    assertThat(
            code(
                () ->
                    kms.decrypt(
                        DecryptRequest.newBuilder()
                            .setCiphertext(before.getCiphertext())
                            .setKeyId(newId)
                            .build())))
        .as("an envelope decrypts only under the version that made it")
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void aDeviceResetMidStreamLosesNothing() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> calls = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        String uid = "uid-" + i;
        calls.add(pool.submit(() -> Arrays.equals(decrypt(encrypt(uid), uid), DEK)));
        if (i == 60 || i == 140) {
          hsm.resetEmbeddedDevice();
        }
      }
      for (Future<Boolean> c : calls) {
        assertThat(c.get(60, TimeUnit.SECONDS)).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(kms.status(StatusRequest.getDefaultInstance()).getHealthz()).isEqualTo("ok");
  }

  @Test
  void aTamperedDeviceIsUnhealthyAndNothingDecrypts() {
    EncryptResponse e = encrypt("before");
    hsm.tamper("case-open");

    StatusResponse s = kms.status(StatusRequest.getDefaultInstance());
    assertThat(s.getVersion()).isEqualTo("v2");
    assertThat(s.getHealthz()).isNotEqualTo("ok").contains("TAMPERED");
    assertThat(code(() -> decrypt(e, "after"))).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(code(() -> encrypt("after"))).isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  void aRetiredKeyIsUnhealthyButItsDeksStillDecrypt() {
    EncryptResponse e = encrypt("x");
    app.setState("kek", KeyState.DEACTIVATED, null);

    assertThat(kms.status(StatusRequest.getDefaultInstance()).getHealthz())
        .isNotEqualTo("ok")
        .contains("deactivated");
    assertThat(code(() -> encrypt("y"))).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(decrypt(e, "z")).isEqualTo(DEK);
  }

  @Test
  void badRequestsGetAClearErrorAndChangeNothing() {
    EncryptResponse good = encrypt("uid");
    byte[] tampered = good.getCiphertext().toByteArray();
    tampered[tampered.length - 1] ^= 1;
    byte[] otherUid = good.getCiphertext().toByteArray();
    otherUid[2] ^= 1; // the uid inside the envelope is bound as associated data

    List<Runnable> bad =
        List.of(
            () -> kms.encrypt(EncryptRequest.newBuilder().setUid("u").build()),
            () ->
                kms.encrypt(
                    EncryptRequest.newBuilder()
                        .setPlaintext(
                            ByteString.copyFrom(new byte[KmsLimits.MAX_PLAINTEXT_BYTES + 1]))
                        .build()),
            () ->
                kms.encrypt(
                    EncryptRequest.newBuilder()
                        .setPlaintext(ByteString.copyFrom(DEK))
                        .setUid("u".repeat(129))
                        .build()),
            () -> kms.decrypt(DecryptRequest.newBuilder().setKeyId(good.getKeyId()).build()),
            () ->
                kms.decrypt(
                    DecryptRequest.newBuilder()
                        .setCiphertext(ByteString.copyFrom(new byte[1025]))
                        .setKeyId(good.getKeyId())
                        .build()),
            () ->
                kms.decrypt(
                    DecryptRequest.newBuilder()
                        .setCiphertext(ByteString.copyFromUtf8("not an envelope"))
                        .setKeyId(good.getKeyId())
                        .build()),
            () ->
                kms.decrypt(
                    DecryptRequest.newBuilder()
                        .setCiphertext(ByteString.copyFrom(tampered))
                        .setKeyId(good.getKeyId())
                        .build()),
            () ->
                kms.decrypt(
                    DecryptRequest.newBuilder()
                        .setCiphertext(ByteString.copyFrom(otherUid))
                        .setKeyId(good.getKeyId())
                        .build()),
            () ->
                kms.decrypt(
                    DecryptRequest.newBuilder()
                        .setCiphertext(good.getCiphertext())
                        .setKeyId("0".repeat(32))
                        .build()),
            () ->
                kms.decrypt(
                    DecryptRequest.newBuilder()
                        .setCiphertext(good.getCiphertext())
                        .setKeyId("k".repeat(1025))
                        .build()),
            () ->
                kms.decrypt(
                    DecryptRequest.newBuilder().setCiphertext(good.getCiphertext()).build()),
            () ->
                kms.decrypt(
                    DecryptRequest.newBuilder()
                        .setCiphertext(good.getCiphertext())
                        .setKeyId(good.getKeyId())
                        .putAnnotations("big.example.com", ByteString.copyFrom(new byte[33 * 1024]))
                        .build()));
    for (Runnable r : bad) {
      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, r::run);
      assertThat(e).isNotNull();
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(e.getStatus().getDescription())
          .isNotBlank()
          .doesNotContain(new String(DEK, StandardCharsets.US_ASCII));
    }
    assertThat(
            code(
                () ->
                    kms.encrypt(
                        EncryptRequest.newBuilder()
                            .setPlaintext(
                                ByteString.copyFrom(new byte[KmsLimits.MAX_MESSAGE_BYTES + 1]))
                            .build())))
        .as("a message over the server's limit is not even read")
        .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);

    assertThat(decrypt(good, "still")).isEqualTo(DEK);
    assertThat(kms.status(StatusRequest.getDefaultInstance()).getHealthz()).isEqualTo("ok");
  }

  @Test
  void aDamagedKeyEntryFailsClosedNamingIt() throws Exception {
    Path entry = home.resolve("partitions/kube/keys/kek.key");
    Files.writeString(entry, "kind=aes-256\n");
    StatusRuntimeException e =
        catchThrowableOfType(StatusRuntimeException.class, () -> encrypt("uid"));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(e.getStatus().getDescription()).contains("kek.key").contains("damaged");
    assertThat(kms.status(StatusRequest.getDefaultInstance()).getHealthz()).isNotEqualTo("ok");
  }

  @Test
  void theSocketIsOwnerOnlyAndAStaleOneIsReplacedButALiveOneIsNot() throws Exception {
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(plugin.socket())))
        .isEqualTo("rw-------");
    KmsKey key = new KmsKey(hsm, app, "kek");
    assertThatThrownBy(() -> KmsPlugin.start(plugin.socket(), key))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("another process listens");

    Path file = run.resolve("plain-file");
    Files.writeString(file, "keep me");
    assertThatThrownBy(() -> KmsPlugin.start(file, key))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not a socket");
    assertThat(Files.readString(file)).isEqualTo("keep me");

    Path stale = run.resolve("stale.sock");
    try (var s = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
      s.bind(java.net.UnixDomainSocketAddress.of(stale));
    } // closed: the file stays, nobody listens
    assertThat(stale).exists();
    try (KmsPlugin second = KmsPlugin.start(stale, key)) {
      assertThat(second.socket()).isEqualTo(stale);
    }
    assertThat(stale).as("removed on close").doesNotExist();
  }

  @Test
  void endpointsAreUnixUrisWithAbsolutePaths() {
    assertThat(KmsPlugin.socketOf("unix:///run/ihsm/kms.sock"))
        .isEqualTo(Path.of("/run/ihsm/kms.sock"));
    for (String bad :
        List.of("/run/ihsm/kms.sock", "unix://run/kms.sock", "tcp://127.0.0.1:1", "")) {
      assertThatThrownBy(() -> KmsPlugin.socketOf(bad))
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> new KmsKey(hsm, app, "missing"))
        .isInstanceOf(IllegalArgumentException.class);
    app.generate("signer", KeyKind.EC_P256, KeyUsage.SIGN, false);
    assertThatThrownBy(() -> new KmsKey(hsm, app, "signer"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("aes-256");
  }
}
