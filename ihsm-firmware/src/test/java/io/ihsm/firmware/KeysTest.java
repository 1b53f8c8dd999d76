package io.ihsm.firmware;

import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.ddi.ApiRevision;
import io.ihsm.ddi.Frames;
import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.credential.Credential;
import io.ihsm.ddi.key.Algorithm;
import io.ihsm.ddi.key.DeriveKeyRequest;
import io.ihsm.ddi.key.Encrypted;
import io.ihsm.ddi.key.GenerateKeyRequest;
import io.ihsm.ddi.key.HashAlgorithm;
import io.ihsm.ddi.key.ImportKeyRequest;
import io.ihsm.ddi.key.KeyAttributes;
import io.ihsm.ddi.key.KeyInfo;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyOrigin;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.ddi.key.Operation;
import io.ihsm.ddi.key.UnwrapKeyRequest;
import io.ihsm.ddi.key.Verified;
import io.ihsm.ddi.key.WrapKeyRequest;
import io.ihsm.ddi.message.BatchResponse;
import io.ihsm.ddi.message.Bytes;
import io.ihsm.ddi.message.CreatePartitionRequest;
import io.ihsm.ddi.message.Empty;
import io.ihsm.ddi.message.Id;
import io.ihsm.ddi.message.PartitionLimits;
import io.ihsm.ddi.message.ProvisionRequest;
import io.ihsm.ddi.message.ProvisionResponse;
import io.ihsm.ddi.spi.Port;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AsymmetricKey;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.KEM;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Keys through DDI: every kind, every operation, and every refusal with its own status. */
class KeysTest {
  static final Credential CO = Credential.of(VaultTest.id(1), "officer-pin");
  static final Credential APP = Credential.of(VaultTest.id(2), "app-pin-1234");

  final TestPlatform platform = new TestPlatform();
  Firmware fw = Firmware.powerOn(platform);
  FirmwareClient p;
  int session;
  int partition;
  byte[] partitionBlob;

  @BeforeEach
  void provisionedPartitionWithASession() throws Exception {
    setUp(new PartitionLimits(0, 8, 8192, 0, 1));
  }

  void setUp(PartitionLimits limits) throws Exception {
    FirmwareClient mgmt = new FirmwareClient(fw, Port.MANAGEMENT);
    mgmt.ok(Opcode.INIT_CRYPTO_OFFICER, 0, mgmt.seal(Opcode.INIT_CRYPTO_OFFICER, CO), Empty::read);
    int co = mgmt.ok(Opcode.OPEN_SESSION, 0, mgmt.seal(Opcode.OPEN_SESSION, CO), Id::read).value();
    partition =
        mgmt.ok(Opcode.CREATE_PARTITION, co, new CreatePartitionRequest("keys", limits), Id::read)
            .value();
    p = new FirmwareClient(fw, Port.partition(partition));
    partitionBlob =
        p.ok(
                Opcode.PROVISION_PARTITION,
                0,
                new ProvisionRequest(
                    VaultTest.p384Anchor(), new byte[0], p.seal(Opcode.PROVISION_PARTITION, APP)),
                ProvisionResponse::read)
            .partitionBlob();
    session = openSession();
  }

  int openSession() {
    return p.ok(Opcode.OPEN_SESSION, 0, p.seal(Opcode.OPEN_SESSION, APP), Id::read).value();
  }

  KeyInfo generate(KeyKind kind, KeyUsage usage, String label) {
    return p.ok(
        Opcode.GENERATE_KEY,
        session,
        new GenerateKeyRequest(new KeyAttributes(kind, usage, false, false, label)),
        KeyInfo::read);
  }

  Status generateStatus(KeyAttributes a) {
    return p.status(Opcode.GENERATE_KEY, session, new GenerateKeyRequest(a));
  }

  byte[] sign(Operation op) {
    return p.ok(Opcode.SIGN, session, op, Bytes::read).bytes();
  }

  boolean verify(Operation op) {
    return p.ok(Opcode.VERIFY, session, op, Verified::read).valid();
  }

  static PublicKey publicKey(KeyInfo k, String alg) throws Exception {
    return KeyFactory.getInstance(alg).generatePublic(new X509EncodedKeySpec(k.publicKey()));
  }

  @Test
  void everyKindIsGeneratedInsideWithAPublicKeyForAsymmetricOnes() {
    for (KeyKind kind : KeyKind.values()) {
      if (kind == KeyKind.SECRET) {
        assertThat(generateStatus(new KeyAttributes(kind, KeyUsage.DERIVE, true, false, "")))
            .isEqualTo(Status.INVALID_PARAMETER);
        continue;
      }
      KeyUsage usage =
          switch (kind.family()) {
            case EC, HMAC, ML_DSA -> KeyUsage.SIGN;
            case RSA -> KeyUsage.SIGN;
            case ML_KEM -> KeyUsage.DERIVE;
            default -> KeyUsage.ENCRYPT;
          };
      KeyInfo k =
          p.ok(
              Opcode.GENERATE_KEY,
              session,
              new GenerateKeyRequest(new KeyAttributes(kind, usage, true, false, "")),
              KeyInfo::read);
      assertThat(k.origin()).isEqualTo(KeyOrigin.GENERATED);
      assertThat(k.maskedBlob()).isNotEmpty();
      assertThat(k.publicKey().length > 0).as(kind + " public key").isEqualTo(kind.isAsymmetric());
      p.ok(Opcode.UNLOAD_KEY, session, new Id(k.handle()), Empty::read);
    }
  }

  @Test
  void ecdsaSignaturesVerifyWithTheJdkForMessagesAndDigests() throws Exception {
    KeyInfo k = generate(KeyKind.EC_P384, KeyUsage.SIGN, "ec");
    byte[] msg = "hello, hsm".getBytes();
    byte[] sig =
        sign(Operation.of(k.handle(), Algorithm.ECDSA, msg).withHash(HashAlgorithm.SHA384));
    Signature jdk = Signature.getInstance("SHA384withECDSA");
    jdk.initVerify(publicKey(k, "EC"));
    jdk.update(msg);
    assertThat(jdk.verify(sig)).isTrue();
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(msg);
    byte[] preSig = sign(Operation.of(k.handle(), Algorithm.ECDSA, digest));
    Signature sha256 = Signature.getInstance("SHA256withECDSA");
    sha256.initVerify(publicKey(k, "EC"));
    sha256.update(msg);
    assertThat(sha256.verify(preSig)).isTrue();
    assertThat(
            verify(
                Operation.of(k.handle(), Algorithm.ECDSA, msg)
                    .withHash(HashAlgorithm.SHA384)
                    .withSignature(sig)))
        .isTrue();
    assertThat(
            verify(
                Operation.of(k.handle(), Algorithm.ECDSA, "other".getBytes())
                    .withHash(HashAlgorithm.SHA384)
                    .withSignature(sig)))
        .isFalse();
    assertThat(
            p.status(Opcode.SIGN, session, Operation.of(k.handle(), Algorithm.ECDSA, new byte[20])))
        .as("a pre-hashed input must be a digest")
        .isEqualTo(Status.INVALID_INPUT_LENGTH);
  }

  @Test
  void mlDsaSignaturesVerifyWithTheJdkAndTheDeviceVerifiesTheJdks() throws Exception {
    byte[] msg = "a post-quantum hello".getBytes();
    for (KeyKind kind : List.of(KeyKind.ML_DSA_44, KeyKind.ML_DSA_65, KeyKind.ML_DSA_87)) {
      KeyInfo k = generate(kind, KeyUsage.SIGN, kind.textName());
      PublicKey pub = publicKey(k, "ML-DSA");
      assertThat(((NamedParameterSpec) ((AsymmetricKey) pub).getParams()).getName())
          .isEqualTo(kind.parameterSet());
      byte[] sig = sign(Operation.of(k.handle(), Algorithm.ML_DSA, msg));
      Signature jdk = Signature.getInstance("ML-DSA");
      jdk.initVerify(pub);
      jdk.update(msg);
      assertThat(jdk.verify(sig)).as(kind + " signature checked by the JDK").isTrue();
      assertThat(verify(Operation.of(k.handle(), Algorithm.ML_DSA, msg).withSignature(sig)))
          .isTrue();
      assertThat(
              verify(
                  Operation.of(k.handle(), Algorithm.ML_DSA, "other".getBytes())
                      .withSignature(sig)))
          .isFalse();
      assertThat(verify(Operation.of(k.handle(), Algorithm.ML_DSA, msg).withSignature(new byte[7])))
          .as("a signature of the wrong size is not valid")
          .isFalse();

      // The JDK signs; the device verifies with the JDK's public key, imported.
      KeyPairGenerator g = KeyPairGenerator.getInstance("ML-DSA");
      g.initialize(new NamedParameterSpec(kind.parameterSet()));
      KeyPair theirs = g.generateKeyPair();
      Signature s = Signature.getInstance("ML-DSA");
      s.initSign(theirs.getPrivate());
      s.update(msg);
      byte[] theirSig = s.sign();
      KeyInfo imported =
          p.ok(
              Opcode.IMPORT_PUBLIC_KEY,
              session,
              new ImportKeyRequest(
                  new KeyAttributes(kind, KeyUsage.SIGN, true, false, ""),
                  theirs.getPublic().getEncoded()),
              KeyInfo::read);
      assertThat(
              verify(
                  Operation.of(imported.handle(), Algorithm.ML_DSA, msg).withSignature(theirSig)))
          .isTrue();
      assertThat(
              p.status(
                  Opcode.SIGN, session, Operation.of(imported.handle(), Algorithm.ML_DSA, msg)))
          .as("an imported public key never signs")
          .isEqualTo(Status.USAGE_NOT_PERMITTED);
      p.ok(Opcode.UNLOAD_KEY, session, new Id(imported.handle()), Empty::read);

      // The masked blob brings the same key back after it is unloaded.
      p.ok(Opcode.UNLOAD_KEY, session, new Id(k.handle()), Empty::read);
      KeyInfo back = p.ok(Opcode.UNMASK_KEY, session, new Bytes(k.maskedBlob()), KeyInfo::read);
      assertThat(back.publicKey()).isEqualTo(k.publicKey());
      byte[] again = sign(Operation.of(back.handle(), Algorithm.ML_DSA, msg));
      jdk.initVerify(pub);
      jdk.update(msg);
      assertThat(jdk.verify(again)).isTrue();
      p.ok(Opcode.UNLOAD_KEY, session, new Id(back.handle()), Empty::read);
    }
    assertThat(
            generateStatus(
                new KeyAttributes(KeyKind.ML_DSA_65, KeyUsage.ENCRYPT, false, false, "x")))
        .as("ML-DSA keys only sign")
        .isEqualTo(Status.INVALID_PARAMETER);
  }

  @Test
  void theJdkEncapsulatesToAnMlKemKeyAndTheDeviceDecapsulatesTheSameSecretInside()
      throws Exception {
    for (KeyKind kind : List.of(KeyKind.ML_KEM_512, KeyKind.ML_KEM_768, KeyKind.ML_KEM_1024)) {
      KeyInfo k = generate(kind, KeyUsage.DERIVE, kind.textName());
      KEM.Encapsulated sent =
          KEM.getInstance("ML-KEM").newEncapsulator(publicKey(k, "ML-KEM")).encapsulate();
      KeyInfo shared =
          p.ok(
              Opcode.DERIVE_KEY,
              session,
              new DeriveKeyRequest(
                  k.handle(),
                  DeriveKeyRequest.Method.ML_KEM,
                  HashAlgorithm.NONE,
                  sent.encapsulation(),
                  new byte[0],
                  new byte[0],
                  0,
                  new KeyAttributes(
                      KeyKind.HMAC_SHA256, KeyUsage.SIGN, false, false, kind.textName() + "-mac")),
              KeyInfo::read);
      assertThat(shared.publicKey()).as("the secret stays inside").isEmpty();
      // Both sides hold the same secret: the device's HMAC under it is the JDK's.
      byte[] msg = "proved by use".getBytes();
      byte[] deviceTag = sign(Operation.of(shared.handle(), Algorithm.HMAC, msg));
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(sent.key().getEncoded(), "HmacSHA256"));
      assertThat(deviceTag).isEqualTo(mac.doFinal(msg));

      byte[] shortCt = java.util.Arrays.copyOf(sent.encapsulation(), 100);
      assertThat(
              p.status(
                  Opcode.DERIVE_KEY,
                  session,
                  new DeriveKeyRequest(
                      k.handle(),
                      DeriveKeyRequest.Method.ML_KEM,
                      HashAlgorithm.NONE,
                      shortCt,
                      new byte[0],
                      new byte[0],
                      0,
                      new KeyAttributes(KeyKind.SECRET, KeyUsage.DERIVE, false, false, "bad"))))
          .as("a ciphertext of the wrong size")
          .isEqualTo(Status.INVALID_INPUT_LENGTH);
      assertThat(
              p.status(
                  Opcode.DERIVE_KEY,
                  session,
                  new DeriveKeyRequest(
                      k.handle(),
                      DeriveKeyRequest.Method.ML_KEM,
                      HashAlgorithm.NONE,
                      sent.encapsulation(),
                      new byte[0],
                      new byte[0],
                      0,
                      new KeyAttributes(KeyKind.AES_128, KeyUsage.ENCRYPT, false, false, "bad"))))
          .as("a 32-byte secret is no AES-128 key")
          .isEqualTo(Status.INVALID_PARAMETER);
      p.ok(Opcode.UNLOAD_KEY, session, new Id(shared.handle()), Empty::read);
      p.ok(Opcode.UNLOAD_KEY, session, new Id(k.handle()), Empty::read);
    }
  }

  @Test
  void rsaPkcs1AndPssSignaturesVerifyWithTheJdk() throws Exception {
    KeyInfo k = generate(KeyKind.RSA_2048, KeyUsage.SIGN, "rsa");
    byte[] msg = "document".getBytes();
    byte[] pkcs1 =
        sign(Operation.of(k.handle(), Algorithm.RSA_PKCS1, msg).withHash(HashAlgorithm.SHA256));
    Signature v = Signature.getInstance("SHA256withRSA");
    v.initVerify(publicKey(k, "RSA"));
    v.update(msg);
    assertThat(v.verify(pkcs1)).isTrue();
    byte[] pss =
        sign(
            Operation.of(k.handle(), Algorithm.RSA_PSS, msg)
                .withPss(HashAlgorithm.SHA256, HashAlgorithm.SHA256, 32));
    Signature pv = Signature.getInstance("RSASSA-PSS");
    pv.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
    pv.initVerify(publicKey(k, "RSA"));
    pv.update(msg);
    assertThat(pv.verify(pss)).isTrue();
    assertThat(
            p.status(
                Opcode.SIGN,
                session,
                Operation.of(k.handle(), Algorithm.RSA_PSS, msg)
                    .withPss(HashAlgorithm.SHA256, HashAlgorithm.SHA256, 300)))
        .isEqualTo(Status.INVALID_PARAMETER);
    assertThat(
            p.status(
                Opcode.SIGN,
                session,
                Operation.of(k.handle(), Algorithm.RSA_PKCS1, msg).withHash(HashAlgorithm.SHA1)))
        .isEqualTo(Status.NOT_APPROVED);
  }

  @Test
  void aPreHashedRsaPkcs1InputIsADigestInfoAndItsHashFollowsThePolicy() throws Exception {
    KeyInfo k = generate(KeyKind.RSA_2048, KeyUsage.SIGN, "rsa-prehashed");
    byte[] msg = "document".getBytes();
    byte[] digest = MessageDigest.getInstance("SHA-384").digest(msg);
    byte[] digestInfo = HexFormat.of().parseHex("3041300d060960864801650304020205000430");
    digestInfo = Arrays.copyOf(digestInfo, digestInfo.length + digest.length);
    System.arraycopy(digest, 0, digestInfo, 19, digest.length);
    byte[] sig = sign(Operation.of(k.handle(), Algorithm.RSA_PKCS1, digestInfo));
    Signature v = Signature.getInstance("SHA384withRSA");
    v.initVerify(publicKey(k, "RSA"));
    v.update(msg);
    assertThat(v.verify(sig)).isTrue();
    assertThat(verify(Operation.of(k.handle(), Algorithm.RSA_PKCS1, digestInfo).withSignature(sig)))
        .isTrue();
    // Not a DigestInfo (a bare digest, one byte short): refused, not signed raw.
    assertThat(
            p.status(Opcode.SIGN, session, Operation.of(k.handle(), Algorithm.RSA_PKCS1, digest)))
        .isEqualTo(Status.INVALID_INPUT_LENGTH);
    assertThat(
            p.status(
                Opcode.SIGN,
                session,
                Operation.of(
                    k.handle(),
                    Algorithm.RSA_PKCS1,
                    Arrays.copyOf(digestInfo, digestInfo.length - 1))))
        .isEqualTo(Status.INVALID_INPUT_LENGTH);
    // A SHA-1 DigestInfo is SHA-1 in a signature: approved-only mode refuses it as it refuses hash
    // SHA-1.
    byte[] sha1Info = HexFormat.of().parseHex("3021300906052b0e03021a05000414" + "00".repeat(20));
    assertThat(
            p.status(Opcode.SIGN, session, Operation.of(k.handle(), Algorithm.RSA_PKCS1, sha1Info)))
        .isEqualTo(Status.NOT_APPROVED);
  }

  @Test
  void pssOverACallersDigestIsTheStandardPssSignatureOfTheMessage() throws Exception {
    KeyInfo k = generate(KeyKind.RSA_3072, KeyUsage.SIGN, "rsa-pss-digest");
    byte[] msg = "document signed by its digest".getBytes();
    for (HashAlgorithm h :
        new HashAlgorithm[] {HashAlgorithm.SHA256, HashAlgorithm.SHA384, HashAlgorithm.SHA512}) {
      byte[] digest = MessageDigest.getInstance(h.jcaName()).digest(msg);
      byte[] sig =
          sign(
              Operation.of(k.handle(), Algorithm.RSA_PSS_DIGEST, digest).withPss(h, h, h.length()));
      Signature jdk = Signature.getInstance("RSASSA-PSS");
      jdk.setParameter(
          new PSSParameterSpec(
              h.jcaName(), "MGF1", new MGF1ParameterSpec(h.jcaName()), h.length(), 1));
      jdk.initVerify(publicKey(k, "RSA"));
      jdk.update(msg);
      assertThat(jdk.verify(sig))
          .as("the JDK verifies the %s signature over the message", h)
          .isTrue();
      // The device verifies it against the digest, and a changed signature fails.
      assertThat(
              verify(
                  Operation.of(k.handle(), Algorithm.RSA_PSS_DIGEST, digest)
                      .withPss(h, h, h.length())
                      .withSignature(sig)))
          .isTrue();
      byte[] changed = sig.clone();
      changed[changed.length / 2] ^= 1;
      assertThat(
              verify(
                  Operation.of(k.handle(), Algorithm.RSA_PSS_DIGEST, digest)
                      .withPss(h, h, h.length())
                      .withSignature(changed)))
          .isFalse();
    }
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    KeyPair pair = rsa.generateKeyPair();
    Signature jdk = Signature.getInstance("RSASSA-PSS");
    jdk.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
    jdk.initSign(pair.getPrivate());
    jdk.update(msg);
    byte[] jdkSig = jdk.sign();
    KeyInfo imported =
        p.ok(
            Opcode.IMPORT_PUBLIC_KEY,
            session,
            new ImportKeyRequest(
                new KeyAttributes(KeyKind.RSA_2048, KeyUsage.SIGN, true, false, ""),
                pair.getPublic().getEncoded()),
            KeyInfo::read);
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(msg);
    assertThat(
            verify(
                Operation.of(imported.handle(), Algorithm.RSA_PSS_DIGEST, digest)
                    .withPss(HashAlgorithm.SHA256, HashAlgorithm.SHA256, 32)
                    .withSignature(jdkSig)))
        .as("the device checks a JDK PSS signature against the digest")
        .isTrue();
    assertThat(
            p.status(
                Opcode.SIGN,
                session,
                Operation.of(k.handle(), Algorithm.RSA_PSS_DIGEST, msg)
                    .withPss(HashAlgorithm.SHA256, HashAlgorithm.SHA256, 32)))
        .as("data that is not a SHA-256 digest")
        .isEqualTo(Status.INVALID_INPUT_LENGTH);
    assertThat(
            p.status(
                Opcode.SIGN,
                session,
                Operation.of(k.handle(), Algorithm.RSA_PSS_DIGEST, new byte[20])
                    .withPss(HashAlgorithm.SHA1, HashAlgorithm.SHA256, 20)))
        .isEqualTo(Status.NOT_APPROVED);
  }

  /** A raw BATCH of these request frames: its status, and each answer when it ran. */
  FirmwareClient.Answer<BatchResponse> batch(byte[]... frames) {
    return p.call(
        Opcode.BATCH,
        0,
        w -> {
          w.u16(frames.length);
          for (byte[] f : frames) {
            w.bytes(f, Frames.MAX_REQUEST_BODY);
          }
        },
        BatchResponse::read);
  }

  byte[] item(Opcode op, int inSession, int id, io.ihsm.ddi.message.Body body) {
    return Requests.frame(ApiRevision.V1_0, op, inSession, id, body);
  }

  @Test
  void aBatchServesEachRequestAsIfAloneWithItsOwnSessionAndStatus() throws Exception {
    KeyInfo k = generate(KeyKind.HMAC_SHA256, KeyUsage.SIGN, "mac");
    Operation op = Operation.of(k.handle(), Algorithm.HMAC, "m".getBytes());
    FirmwareClient.Answer<BatchResponse> a =
        batch(
            item(Opcode.SIGN, session, 7, op),
            item(Opcode.SIGN, session ^ 0x5a5a5a5a, 8, op), // not a session of this client
            item(Opcode.SIGN, session, 9, op.withHandle(k.handle() + 99)));
    assertThat(a.status()).isEqualTo(Status.SUCCESS);
    List<Frames.Response> answers = new ArrayList<>();
    for (byte[] f : a.body().frames()) {
      answers.add(Requests.answer(f));
    }
    assertThat(answers).extracting(r -> r.header().requestId()).containsExactly(7, 8, 9);
    assertThat(answers.get(0).header().status()).isEqualTo(Status.SUCCESS);
    assertThat(Bytes.read(answers.get(0).body()).bytes()).isEqualTo(sign(op));
    assertThat(answers.get(1).header().status()).isEqualTo(Status.NEEDS_RENEGOTIATION);
    assertThat(answers.get(2).header().status()).isNotEqualTo(Status.SUCCESS);
  }

  @Test
  void aBatchWithAnythingButOperationsOrTooMuchIsRefusedBeforeAnyOfItRuns() {
    GenerateKeyRequest gen =
        new GenerateKeyRequest(
            new KeyAttributes(KeyKind.AES_256, KeyUsage.ENCRYPT, false, false, "in-a-batch"));
    KeyInfo aes = generate(KeyKind.AES_256, KeyUsage.ENCRYPT, "aes");
    byte[] encrypt =
        item(
            Opcode.ENCRYPT,
            session,
            1,
            Operation.of(aes.handle(), Algorithm.AES_GCM, new byte[16]));
    byte[] nested = item(Opcode.BATCH, 0, 3, w -> w.u16(1).bytes(encrypt, Frames.MAX_REQUEST_BODY));
    for (byte[] refused :
        List.of(item(Opcode.GENERATE_KEY, session, 2, gen), nested, new byte[] {1, 2, 3})) {
      assertThat(batch(encrypt, refused).status()).isEqualTo(Status.INVALID_PARAMETER);
    }
    assertThat(p.status(Opcode.UNMASK_KEY, session, new Bytes(aes.maskedBlob())))
        .as("the key made before is there; none was made by a refused batch")
        .isEqualTo(Status.SUCCESS);
    assertThat(batch().status()).isEqualTo(Status.INVALID_PARAMETER);
    byte[] big =
        item(
            Opcode.ENCRYPT,
            session,
            4,
            Operation.of(aes.handle(), Algorithm.AES_GCM, new byte[2_400]));
    byte[][] many = new byte[100][];
    Arrays.fill(
        many, big); // the requests fit in a frame; their answers, with the margin, might not
    assertThat(batch(many).status()).isEqualTo(Status.INVALID_PARAMETER);
    assertThat(
            new FirmwareClient(fw, Port.MANAGEMENT)
                .status(Opcode.BATCH, 0, w -> w.u16(1).bytes(encrypt, Frames.MAX_REQUEST_BODY)))
        .as("partition ports only")
        .isNotEqualTo(Status.SUCCESS);
  }

  @Test
  void hmacTagsVerifyAndWrongTagsDoNot() {
    KeyInfo k = generate(KeyKind.HMAC_SHA256, KeyUsage.SIGN, "mac");
    byte[] tag = sign(Operation.of(k.handle(), Algorithm.HMAC, "m".getBytes()));
    assertThat(tag).hasSize(32);
    assertThat(verify(Operation.of(k.handle(), Algorithm.HMAC, "m".getBytes()).withSignature(tag)))
        .isTrue();
    tag[0] ^= 1;
    assertThat(verify(Operation.of(k.handle(), Algorithm.HMAC, "m".getBytes()).withSignature(tag)))
        .isFalse();
  }

  @Test
  void aesGcmIvsAreChosenByTheDeviceAndTagsChecked() {
    KeyInfo k = generate(KeyKind.AES_256, KeyUsage.ENCRYPT, "aes");
    Encrypted e =
        p.ok(
            Opcode.ENCRYPT,
            session,
            Operation.of(k.handle(), Algorithm.AES_GCM, "secret data".getBytes())
                .withAad("hdr".getBytes()),
            Encrypted::read);
    assertThat(e.iv()).hasSize(12);
    Encrypted e2 =
        p.ok(
            Opcode.ENCRYPT,
            session,
            Operation.of(k.handle(), Algorithm.AES_GCM, "secret data".getBytes())
                .withAad("hdr".getBytes()),
            Encrypted::read);
    assertThat(e2.iv()).isNotEqualTo(e.iv());
    assertThat(
            p.ok(
                    Opcode.DECRYPT,
                    session,
                    Operation.of(k.handle(), Algorithm.AES_GCM, e.ciphertext())
                        .withIv(e.iv())
                        .withAad("hdr".getBytes()),
                    Bytes::read)
                .bytes())
        .isEqualTo("secret data".getBytes());
    byte[] bad = e.ciphertext();
    bad[bad.length - 1] ^= 1;
    assertThat(
            p.status(
                Opcode.DECRYPT,
                session,
                Operation.of(k.handle(), Algorithm.AES_GCM, bad)
                    .withIv(e.iv())
                    .withAad("hdr".getBytes())))
        .isEqualTo(Status.BAD_TAG);
    assertThat(
            p.status(
                Opcode.ENCRYPT,
                session,
                Operation.of(k.handle(), Algorithm.AES_GCM, new byte[4]).withIv(new byte[12])))
        .as("caller-chosen GCM IV")
        .isEqualTo(Status.NOT_APPROVED);
  }

  @Test
  void aesCbcPaddingIsChecked() {
    KeyInfo k = generate(KeyKind.AES_128, KeyUsage.ENCRYPT, "cbc");
    Encrypted e =
        p.ok(
            Opcode.ENCRYPT,
            session,
            Operation.of(k.handle(), Algorithm.AES_CBC, new byte[32]),
            Encrypted::read);
    assertThat(
            p.status(
                Opcode.DECRYPT,
                session,
                Operation.of(k.handle(), Algorithm.AES_CBC_PAD, e.ciphertext()).withIv(e.iv())))
        .isEqualTo(Status.BAD_PADDING);
    Encrypted padded =
        p.ok(
            Opcode.ENCRYPT,
            session,
            Operation.of(k.handle(), Algorithm.AES_CBC_PAD, "abc".getBytes()),
            Encrypted::read);
    assertThat(
            p.ok(
                    Opcode.DECRYPT,
                    session,
                    Operation.of(k.handle(), Algorithm.AES_CBC_PAD, padded.ciphertext())
                        .withIv(padded.iv()),
                    Bytes::read)
                .bytes())
        .isEqualTo("abc".getBytes());
    assertThat(
            p.status(
                Opcode.ENCRYPT, session, Operation.of(k.handle(), Algorithm.AES_CBC, new byte[5])))
        .isEqualTo(Status.INVALID_INPUT_LENGTH);
  }

  @Test
  void aesEcbTakesWholeBlocksAndGivesAKeyCheckValue() {
    KeyInfo k = generate(KeyKind.AES_256, KeyUsage.ENCRYPT, "ecb");
    Encrypted zero =
        p.ok(
            Opcode.ENCRYPT,
            session,
            Operation.of(k.handle(), Algorithm.AES_ECB, new byte[16]),
            Encrypted::read);
    assertThat(zero.iv()).isEmpty();
    assertThat(zero.ciphertext()).hasSize(16).isNotEqualTo(new byte[16]);
    // ECB enciphers each block alone: two equal blocks give two equal blocks.
    Encrypted twice =
        p.ok(
            Opcode.ENCRYPT,
            session,
            Operation.of(k.handle(), Algorithm.AES_ECB, new byte[32]),
            Encrypted::read);
    assertThat(Arrays.copyOf(twice.ciphertext(), 16)).isEqualTo(zero.ciphertext());
    assertThat(Arrays.copyOfRange(twice.ciphertext(), 16, 32)).isEqualTo(zero.ciphertext());
    assertThat(
            p.ok(
                    Opcode.DECRYPT,
                    session,
                    Operation.of(k.handle(), Algorithm.AES_ECB, twice.ciphertext()),
                    Bytes::read)
                .bytes())
        .isEqualTo(new byte[32]);
    assertThat(
            p.status(
                Opcode.ENCRYPT, session, Operation.of(k.handle(), Algorithm.AES_ECB, new byte[20])))
        .isEqualTo(Status.INVALID_INPUT_LENGTH);
    assertThat(
            p.status(
                Opcode.DECRYPT, session, Operation.of(k.handle(), Algorithm.AES_ECB, new byte[0])))
        .isEqualTo(Status.INVALID_INPUT_LENGTH);
    assertThat(
            p.status(
                Opcode.ENCRYPT,
                session,
                Operation.of(k.handle(), Algorithm.AES_ECB, new byte[16]).withIv(new byte[16])))
        .as("ECB reads no IV")
        .isEqualTo(Status.INVALID_PARAMETER);
  }

  @Test
  void aesCtrTakesTheCallersCounterOrChoosesOneAndAnyLength() {
    KeyInfo k = generate(KeyKind.AES_128, KeyUsage.ENCRYPT, "ctr");
    byte[] message = "seventeen bytes!!".getBytes();
    Encrypted chosen =
        p.ok(
            Opcode.ENCRYPT,
            session,
            Operation.of(k.handle(), Algorithm.AES_CTR, message),
            Encrypted::read);
    assertThat(chosen.iv()).hasSize(16);
    assertThat(chosen.ciphertext()).hasSize(message.length);
    Encrypted again =
        p.ok(
            Opcode.ENCRYPT,
            session,
            Operation.of(k.handle(), Algorithm.AES_CTR, message),
            Encrypted::read);
    assertThat(again.iv()).as("a fresh counter block each time").isNotEqualTo(chosen.iv());
    assertThat(
            p.ok(
                    Opcode.DECRYPT,
                    session,
                    Operation.of(k.handle(), Algorithm.AES_CTR, chosen.ciphertext())
                        .withIv(chosen.iv()),
                    Bytes::read)
                .bytes())
        .isEqualTo(message);
    byte[] counter = new byte[16];
    counter[15] = 7;
    Encrypted callers =
        p.ok(
            Opcode.ENCRYPT,
            session,
            Operation.of(k.handle(), Algorithm.AES_CTR, message).withIv(counter),
            Encrypted::read);
    assertThat(callers.iv()).isEqualTo(counter);
    // Encryption is decryption: the keystream from the same counter block.
    assertThat(
            p.ok(
                    Opcode.ENCRYPT,
                    session,
                    Operation.of(k.handle(), Algorithm.AES_CTR, callers.ciphertext())
                        .withIv(counter),
                    Encrypted::read)
                .ciphertext())
        .isEqualTo(message);
    assertThat(
            p.status(
                Opcode.DECRYPT,
                session,
                Operation.of(k.handle(), Algorithm.AES_CTR, callers.ciphertext())
                    .withIv(new byte[8])))
        .isEqualTo(Status.INVALID_INPUT_LENGTH);
    assertThat(
            p.status(
                Opcode.DECRYPT,
                session,
                Operation.of(k.handle(), Algorithm.AES_CTR, callers.ciphertext())))
        .as("decryption needs the counter block")
        .isEqualTo(Status.INVALID_INPUT_LENGTH);
  }

  @Test
  void aesCmacNeedsAnAesKeyOfUsageSignAndVerifiesTruncatedTags() {
    KeyInfo k = generate(KeyKind.AES_256, KeyUsage.SIGN, "cmac");
    byte[] tag = sign(Operation.of(k.handle(), Algorithm.AES_CMAC, "m".getBytes()));
    assertThat(tag).hasSize(16);
    assertThat(
            verify(Operation.of(k.handle(), Algorithm.AES_CMAC, "m".getBytes()).withSignature(tag)))
        .isTrue();
    assertThat(
            verify(
                Operation.of(k.handle(), Algorithm.AES_CMAC, "m".getBytes())
                    .withSignature(Arrays.copyOf(tag, 8))))
        .isTrue();
    assertThat(
            verify(
                Operation.of(k.handle(), Algorithm.AES_CMAC, "m".getBytes())
                    .withSignature(Arrays.copyOf(tag, 4))))
        .as("too short a tag")
        .isFalse();
    tag[0] ^= 1;
    assertThat(
            verify(Operation.of(k.handle(), Algorithm.AES_CMAC, "m".getBytes()).withSignature(tag)))
        .isFalse();
    KeyInfo encryptKey = generate(KeyKind.AES_256, KeyUsage.ENCRYPT, "not-for-macs");
    assertThat(
            p.status(
                Opcode.SIGN,
                session,
                Operation.of(encryptKey.handle(), Algorithm.AES_CMAC, "m".getBytes())))
        .isEqualTo(Status.USAGE_NOT_PERMITTED);
    assertThat(
            p.status(
                Opcode.ENCRYPT, session, Operation.of(k.handle(), Algorithm.AES_ECB, new byte[16])))
        .as("a CMAC key does not encrypt")
        .isEqualTo(Status.USAGE_NOT_PERMITTED);
    KeyInfo hmac = generate(KeyKind.HMAC_SHA256, KeyUsage.SIGN, "hmac-not-cmac");
    assertThat(
            p.status(
                Opcode.SIGN,
                session,
                Operation.of(hmac.handle(), Algorithm.AES_CMAC, "m".getBytes())))
        .isEqualTo(Status.WRONG_KEY_KIND);
  }

  @Test
  void aesXtsRoundTripsAndRefusesDataUnitsOutOfRange() {
    KeyInfo k = generate(KeyKind.AES_XTS_256, KeyUsage.ENCRYPT, "disk");
    byte[] sector = new byte[1024];
    Encrypted e =
        p.ok(
            Opcode.ENCRYPT,
            session,
            Operation.of(k.handle(), Algorithm.AES_XTS, sector)
                .withIv(new byte[16])
                .withDataUnitSize(512),
            Encrypted::read);
    assertThat(
            p.ok(
                    Opcode.DECRYPT,
                    session,
                    Operation.of(k.handle(), Algorithm.AES_XTS, e.ciphertext())
                        .withIv(new byte[16])
                        .withDataUnitSize(512),
                    Bytes::read)
                .bytes())
        .isEqualTo(sector);
    assertThat(
            p.status(
                Opcode.ENCRYPT,
                session,
                Operation.of(k.handle(), Algorithm.AES_XTS, sector)
                    .withIv(new byte[16])
                    .withDataUnitSize(300)))
        .isEqualTo(Status.DATA_UNIT_OUT_OF_RANGE);
    assertThat(
            p.status(
                Opcode.ENCRYPT,
                session,
                Operation.of(k.handle(), Algorithm.AES_XTS, new byte[700])
                    .withIv(new byte[16])
                    .withDataUnitSize(512)))
        .isEqualTo(Status.DATA_UNIT_OUT_OF_RANGE);
  }

  @Test
  void rsaOaepWithALabelMatchesTheJdkAndRefusesOversizedInput() throws Exception {
    KeyInfo k = generate(KeyKind.RSA_2048, KeyUsage.ENCRYPT, "oaep");
    Cipher jdk = Cipher.getInstance("RSA/ECB/OAEPPadding");
    jdk.init(
        Cipher.ENCRYPT_MODE,
        publicKey(k, "RSA"),
        new OAEPParameterSpec(
            "SHA-256",
            "MGF1",
            MGF1ParameterSpec.SHA256,
            new PSource.PSpecified("label".getBytes())));
    byte[] ct = jdk.doFinal("session key".getBytes());
    Operation dec =
        Operation.of(k.handle(), Algorithm.RSA_OAEP, ct)
            .withOaep(HashAlgorithm.SHA256, HashAlgorithm.SHA256, "label".getBytes());
    assertThat(p.ok(Opcode.DECRYPT, session, dec, Bytes::read).bytes())
        .isEqualTo("session key".getBytes());
    Operation wrongLabel =
        Operation.of(k.handle(), Algorithm.RSA_OAEP, ct)
            .withOaep(HashAlgorithm.SHA256, HashAlgorithm.SHA256, "other".getBytes());
    assertThat(p.status(Opcode.DECRYPT, session, wrongLabel)).isEqualTo(Status.BAD_PADDING);
    assertThat(
            p.status(
                Opcode.DECRYPT,
                session,
                Operation.of(k.handle(), Algorithm.RSA_OAEP, new byte[257])
                    .withOaep(HashAlgorithm.SHA256, HashAlgorithm.SHA256, new byte[0])))
        .isEqualTo(Status.INPUT_TOO_LARGE);
    assertThat(
            p.status(
                Opcode.ENCRYPT,
                session,
                Operation.of(k.handle(), Algorithm.RSA_OAEP, new byte[200])
                    .withOaep(HashAlgorithm.SHA256, HashAlgorithm.SHA256, new byte[0])))
        .isEqualTo(Status.INPUT_TOO_LARGE);
  }

  @Test
  void wrongKindMissingUsageAndStrayParametersAreRefused() {
    KeyInfo aes = generate(KeyKind.AES_256, KeyUsage.ENCRYPT, "a");
    KeyInfo ec = generate(KeyKind.EC_P256, KeyUsage.DERIVE, "b");
    assertThat(
            p.status(
                Opcode.SIGN, session, Operation.of(aes.handle(), Algorithm.ECDSA, new byte[32])))
        .isEqualTo(Status.WRONG_KEY_KIND);
    assertThat(
            p.status(
                Opcode.SIGN, session, Operation.of(ec.handle(), Algorithm.ECDSA, new byte[32])))
        .as("an EC key for derivation cannot sign")
        .isEqualTo(Status.USAGE_NOT_PERMITTED);
    assertThat(
            p.status(
                Opcode.SIGN,
                session,
                Operation.of(ec.handle(), Algorithm.HMAC, new byte[1]).withIv(new byte[16])))
        .as("HMAC takes no IV")
        .isEqualTo(Status.INVALID_PARAMETER);
    assertThat(
            generateStatus(new KeyAttributes(KeyKind.AES_128, KeyUsage.DERIVE, false, false, "")))
        .isEqualTo(Status.INVALID_PARAMETER);
    assertThat(
            generateStatus(
                new KeyAttributes(KeyKind.AES_128, KeyUsage.ENCRYPT, false, false, "bad label!")))
        .isEqualTo(Status.INVALID_PARAMETER);
  }

  @Test
  void unmaskingAnAppKeyThatIsLoadedAnswersItsHandleButAnotherKeyWithItsLabelIsRefused() {
    KeyInfo first = generate(KeyKind.AES_256, KeyUsage.ENCRYPT, "shared");
    int other = openSession();
    KeyInfo again = p.ok(Opcode.UNMASK_KEY, other, new Bytes(first.maskedBlob()), KeyInfo::read);
    assertThat(again.handle()).as("another client loading the same key").isEqualTo(first.handle());
    p.ok(Opcode.UNLOAD_KEY, session, new Id(first.handle()), Empty::read);
    KeyInfo impostor = generate(KeyKind.AES_256, KeyUsage.ENCRYPT, "shared");
    assertThat(p.status(Opcode.UNMASK_KEY, session, new Bytes(first.maskedBlob())))
        .as("a different key under a loaded label")
        .isEqualTo(Status.LABEL_EXISTS);
    assertThat(impostor.handle()).isNotEqualTo(first.handle());
  }

  @Test
  void labelsAreUniqueAndTheTableIsBounded() {
    generate(KeyKind.AES_256, KeyUsage.ENCRYPT, "same");
    assertThat(
            generateStatus(
                new KeyAttributes(KeyKind.AES_128, KeyUsage.ENCRYPT, false, false, "same")))
        .isEqualTo(Status.LABEL_EXISTS);
    for (int i = 1; i < 8; i++) {
      generate(KeyKind.AES_128, KeyUsage.ENCRYPT, "k" + i);
    }
    assertThat(
            generateStatus(
                new KeyAttributes(KeyKind.AES_128, KeyUsage.ENCRYPT, false, false, "ninth")))
        .isEqualTo(Status.KEY_TABLE_FULL);
  }

  @Test
  void keyBytesAreBoundedToo() {
    // 8192 bytes hold three RSA-2048 private keys (about 1.2 KB each) but not an unlimited number.
    int made = 0;
    Status last = Status.SUCCESS;
    while (last == Status.SUCCESS && made < 8) {
      last =
          generateStatus(
              new KeyAttributes(KeyKind.RSA_2048, KeyUsage.SIGN, false, false, "r" + made));
      made++;
    }
    assertThat(last).isEqualTo(Status.KEY_TABLE_FULL);
    assertThat(made).isBetween(4, 8);
  }

  @Test
  void sessionKeysBelongToTheirSessionAndVanishWithIt() {
    KeyInfo k =
        p.ok(
            Opcode.GENERATE_KEY,
            session,
            new GenerateKeyRequest(
                new KeyAttributes(KeyKind.AES_256, KeyUsage.ENCRYPT, true, false, "")),
            KeyInfo::read);
    int other = openSession();
    assertThat(
            p.status(
                Opcode.ENCRYPT, other, Operation.of(k.handle(), Algorithm.AES_GCM, new byte[1])))
        .as("another session's key")
        .isEqualTo(Status.KEY_NOT_FOUND);
    p.ok(Opcode.CLOSE_SESSION, session, Empty.INSTANCE, Empty::read);
    assertThat(
            p.status(
                Opcode.ENCRYPT, session, Operation.of(k.handle(), Algorithm.AES_GCM, new byte[1])))
        .as("closed session")
        .isEqualTo(Status.NEEDS_RENEGOTIATION);
    assertThat(p.status(Opcode.UNMASK_KEY, other, new Bytes(k.maskedBlob())))
        .as("a session key's blob dies with its session")
        .isEqualTo(Status.MASKED_BLOB_INVALID);
  }

  @Test
  void appKeysComeBackFromTheirBlobsAfterAPowerCycle() throws Exception {
    KeyInfo k = generate(KeyKind.EC_P256, KeyUsage.SIGN, "durable");
    byte[] msg = "m".getBytes();
    fw.close();
    fw = Firmware.powerOn(platform);
    p = new FirmwareClient(fw, Port.partition(partition));
    p.ok(Opcode.REESTABLISH_PARTITION, 0, new Bytes(partitionBlob), Empty::read);
    session = openSession();
    assertThat(
            p.status(
                Opcode.SIGN,
                session,
                Operation.of(k.handle(), Algorithm.ECDSA, msg).withHash(HashAlgorithm.SHA256)))
        .as("handles do not survive a reset")
        .isEqualTo(Status.KEY_NOT_FOUND);
    KeyInfo back = p.ok(Opcode.UNMASK_KEY, session, new Bytes(k.maskedBlob()), KeyInfo::read);
    assertThat(back.publicKey()).isEqualTo(k.publicKey());
    assertThat(back.attributes().label()).isEqualTo("durable");
    byte[] sig =
        sign(Operation.of(back.handle(), Algorithm.ECDSA, msg).withHash(HashAlgorithm.SHA256));
    assertThat(
            verify(
                Operation.of(back.handle(), Algorithm.ECDSA, msg)
                    .withHash(HashAlgorithm.SHA256)
                    .withSignature(sig)))
        .isTrue();
  }

  @Test
  void nonExtractableKeysNeverLeaveAndExtractableOnesOnlyWrapped() throws Exception {
    KeyInfo kek = generate(KeyKind.AES_256, KeyUsage.WRAP, "kek");
    KeyInfo locked = generate(KeyKind.AES_128, KeyUsage.ENCRYPT, "locked");
    KeyInfo free =
        p.ok(
            Opcode.GENERATE_KEY,
            session,
            new GenerateKeyRequest(
                new KeyAttributes(KeyKind.EC_P256, KeyUsage.SIGN, false, true, "free")),
            KeyInfo::read);
    assertThat(
            p.status(
                Opcode.WRAP_KEY,
                session,
                new WrapKeyRequest(kek.handle(), locked.handle(), Algorithm.AES_KWP)))
        .isEqualTo(Status.NOT_EXTRACTABLE);
    assertThat(
            p.status(
                Opcode.WRAP_KEY,
                session,
                new WrapKeyRequest(locked.handle(), free.handle(), Algorithm.AES_KWP)))
        .as("an encryption key cannot wrap")
        .isEqualTo(Status.USAGE_NOT_PERMITTED);
    byte[] wrapped =
        p.ok(
                Opcode.WRAP_KEY,
                session,
                new WrapKeyRequest(kek.handle(), free.handle(), Algorithm.AES_KWP),
                Bytes::read)
            .bytes();
    KeyInfo back =
        p.ok(
            Opcode.UNWRAP_KEY,
            session,
            new UnwrapKeyRequest(
                kek.handle(),
                Algorithm.AES_KWP,
                new KeyAttributes(KeyKind.EC_P256, KeyUsage.SIGN, true, false, ""),
                wrapped),
            KeyInfo::read);
    assertThat(back.publicKey()).as("the same key pair came back").isEqualTo(free.publicKey());
    assertThat(back.origin()).isEqualTo(KeyOrigin.IMPORTED);
    assertThat(
            p.status(
                Opcode.UNWRAP_KEY,
                session,
                new UnwrapKeyRequest(
                    kek.handle(),
                    Algorithm.AES_KWP,
                    new KeyAttributes(KeyKind.RSA_2048, KeyUsage.SIGN, true, false, ""),
                    wrapped)))
        .as("P-256 material is not an RSA key")
        .isEqualTo(Status.INVALID_KEY_MATERIAL);
    for (int i : new int[] {0, 3, wrapped.length - 1}) {
      byte[] changed = wrapped.clone();
      changed[i] ^= 1;
      assertThat(
              p.status(
                  Opcode.UNWRAP_KEY,
                  session,
                  new UnwrapKeyRequest(
                      kek.handle(),
                      Algorithm.AES_KWP,
                      new KeyAttributes(KeyKind.EC_P256, KeyUsage.SIGN, true, false, ""),
                      changed)))
          .as("a changed byte %d fails the integrity check", i)
          .isEqualTo(Status.BAD_PADDING);
    }
  }

  @Test
  void rsaAesKeyWrapExportsToAnRsaKeyWhosePrivateHalfOrOwnerUnwrapsIt() throws Exception {
    KeyInfo kek = generate(KeyKind.RSA_2048, KeyUsage.WRAP, "rsa-kek");
    KeyInfo target =
        p.ok(
            Opcode.GENERATE_KEY,
            session,
            new GenerateKeyRequest(
                new KeyAttributes(KeyKind.AES_256, KeyUsage.ENCRYPT, false, true, "export-me")),
            KeyInfo::read);
    byte[] wrapped =
        p.ok(
                Opcode.WRAP_KEY,
                session,
                new WrapKeyRequest(kek.handle(), target.handle(), Algorithm.RSA_AES_KW),
                Bytes::read)
            .bytes();
    assertThat(wrapped).hasSize(256 + 40);
    KeyInfo back =
        p.ok(
            Opcode.UNWRAP_KEY,
            session,
            new UnwrapKeyRequest(
                kek.handle(),
                Algorithm.RSA_AES_KW,
                new KeyAttributes(KeyKind.AES_256, KeyUsage.ENCRYPT, true, false, ""),
                wrapped),
            KeyInfo::read);
    byte[] iv = new byte[16];
    byte[] block = "sixteen byte msg".getBytes();
    byte[] expected =
        p.ok(
                Opcode.ENCRYPT,
                session,
                Operation.of(target.handle(), Algorithm.AES_CBC, block).withIv(iv),
                Encrypted::read)
            .ciphertext();
    assertThat(
            p.ok(
                    Opcode.ENCRYPT,
                    session,
                    Operation.of(back.handle(), Algorithm.AES_CBC, block).withIv(iv),
                    Encrypted::read)
                .ciphertext())
        .as("the unwrapped key is the wrapped one")
        .isEqualTo(expected);

    // Export to a key whose private half the host holds: the host unwraps with the JDK alone.
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    KeyPair host = g.generateKeyPair();
    KeyInfo hostKey =
        p.ok(
            Opcode.IMPORT_PUBLIC_KEY,
            session,
            new ImportKeyRequest(
                new KeyAttributes(KeyKind.RSA_2048, KeyUsage.WRAP, true, false, ""),
                host.getPublic().getEncoded()),
            KeyInfo::read);
    byte[] toHost =
        p.ok(
                Opcode.WRAP_KEY,
                session,
                new WrapKeyRequest(hostKey.handle(), target.handle(), Algorithm.RSA_AES_KW),
                Bytes::read)
            .bytes();
    Cipher oaep = Cipher.getInstance("RSA/ECB/OAEPPadding");
    oaep.init(
        Cipher.DECRYPT_MODE,
        host.getPrivate(),
        new OAEPParameterSpec(
            "SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT));
    byte[] aes = oaep.doFinal(toHost, 0, 256);
    Cipher kwp = Cipher.getInstance("AES/KWP/NoPadding");
    kwp.init(Cipher.DECRYPT_MODE, new SecretKeySpec(aes, "AES"));
    byte[] key = kwp.doFinal(toHost, 256, toHost.length - 256);
    Cipher cbc = Cipher.getInstance("AES/CBC/NoPadding");
    cbc.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
    assertThat(cbc.doFinal(block))
        .as("the host's unwrapped key encrypts as the device's")
        .isEqualTo(expected);

    byte[] changed = wrapped.clone();
    changed[changed.length - 3] ^= 1;
    assertThat(
            p.status(
                Opcode.UNWRAP_KEY,
                session,
                new UnwrapKeyRequest(
                    kek.handle(),
                    Algorithm.RSA_AES_KW,
                    new KeyAttributes(KeyKind.AES_256, KeyUsage.ENCRYPT, true, false, ""),
                    changed)))
        .isEqualTo(Status.BAD_PADDING);
    assertThat(
            p.status(
                Opcode.UNWRAP_KEY,
                session,
                new UnwrapKeyRequest(
                    hostKey.handle(),
                    Algorithm.RSA_AES_KW,
                    new KeyAttributes(KeyKind.AES_256, KeyUsage.ENCRYPT, true, false, ""),
                    toHost)))
        .as("a public key cannot unwrap")
        .isEqualTo(Status.USAGE_NOT_PERMITTED);
    KeyInfo aesKek = generate(KeyKind.AES_256, KeyUsage.WRAP, "aes-kek");
    assertThat(
            p.status(
                Opcode.WRAP_KEY,
                session,
                new WrapKeyRequest(aesKek.handle(), target.handle(), Algorithm.RSA_AES_KW)))
        .isEqualTo(Status.WRONG_KEY_KIND);
  }

  @Test
  void ecdhRefusesAPeerOnAnotherCurveAndMakesOnlySecrets() throws Exception {
    KeyInfo ours = generate(KeyKind.EC_P256, KeyUsage.DERIVE, "ours");
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp384r1"));
    byte[] p384 = g.generateKeyPair().getPublic().getEncoded();
    KeyAttributes secret = new KeyAttributes(KeyKind.SECRET, KeyUsage.DERIVE, true, false, "");
    assertThat(
            p.status(
                Opcode.DERIVE_KEY,
                session,
                new DeriveKeyRequest(
                    ours.handle(),
                    DeriveKeyRequest.Method.ECDH,
                    HashAlgorithm.NONE,
                    p384,
                    new byte[0],
                    new byte[0],
                    0,
                    secret)))
        .isEqualTo(Status.CURVE_MISMATCH);
    g.initialize(new ECGenParameterSpec("secp256r1"));
    byte[] p256 = g.generateKeyPair().getPublic().getEncoded();
    assertThat(
            p.status(
                Opcode.DERIVE_KEY,
                session,
                new DeriveKeyRequest(
                    ours.handle(),
                    DeriveKeyRequest.Method.ECDH,
                    HashAlgorithm.NONE,
                    p256,
                    new byte[0],
                    new byte[0],
                    0,
                    new KeyAttributes(KeyKind.AES_256, KeyUsage.ENCRYPT, true, false, ""))))
        .isEqualTo(Status.INVALID_PARAMETER);
    KeyInfo shared =
        p.ok(
            Opcode.DERIVE_KEY,
            session,
            new DeriveKeyRequest(
                ours.handle(),
                DeriveKeyRequest.Method.ECDH,
                HashAlgorithm.NONE,
                p256,
                new byte[0],
                new byte[0],
                0,
                secret),
            KeyInfo::read);
    assertThat(shared.origin()).isEqualTo(KeyOrigin.DERIVED);
    KeyInfo aes =
        p.ok(
            Opcode.DERIVE_KEY,
            session,
            new DeriveKeyRequest(
                shared.handle(),
                DeriveKeyRequest.Method.KBKDF,
                HashAlgorithm.SHA256,
                new byte[0],
                "label".getBytes(),
                "context".getBytes(),
                0,
                new KeyAttributes(KeyKind.AES_256, KeyUsage.ENCRYPT, true, false, "")),
            KeyInfo::read);
    assertThat(
            p.status(
                Opcode.ENCRYPT,
                session,
                Operation.of(aes.handle(), Algorithm.AES_GCM, new byte[3])))
        .isEqualTo(Status.SUCCESS);
  }

  /** A P-256 SubjectPublicKeyInfo around any uncompressed point encoding. */
  static byte[] p256Spki(byte[] point) {
    byte[] prefix = HexFormat.of().parseHex("3059301306072a8648ce3d020106082a8648ce3d030107034200");
    byte[] full = Arrays.copyOf(prefix, prefix.length + 65);
    System.arraycopy(point, 0, full, prefix.length, Math.min(point.length, 65));
    return full;
  }

  @Test
  void invalidPeerPointsAreRefused() throws Exception {
    KeyInfo ours = generate(KeyKind.EC_P256, KeyUsage.DERIVE, "ours");
    BigInteger prime =
        new BigInteger("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff", 16);
    byte[] offCurve = new byte[65];
    offCurve[0] = 4;
    offCurve[32] = 1; // x = 1, y = 1: not on the curve
    offCurve[64] = 1;
    byte[] xTooLarge = new byte[65];
    xTooLarge[0] = 4;
    byte[] pBytes = prime.toByteArray(); // 33 bytes with a leading 0
    System.arraycopy(pBytes, 1, xTooLarge, 1, 32); // x = the field prime
    xTooLarge[64] = 1;
    byte[] infinity =
        HexFormat.of().parseHex("3019301306072a8648ce3d020106082a8648ce3d030107030200" + "00");
    KeyAttributes secret = new KeyAttributes(KeyKind.SECRET, KeyUsage.DERIVE, true, false, "");
    for (byte[] peer :
        new byte[][] {p256Spki(offCurve), p256Spki(xTooLarge), infinity, new byte[] {0x30, 0x00}}) {
      assertThat(
              p.status(
                  Opcode.DERIVE_KEY,
                  session,
                  new DeriveKeyRequest(
                      ours.handle(),
                      DeriveKeyRequest.Method.ECDH,
                      HashAlgorithm.NONE,
                      peer,
                      new byte[0],
                      new byte[0],
                      0,
                      secret)))
          .isEqualTo(Status.INVALID_PUBLIC_KEY);
      assertThat(
              p.status(
                  Opcode.IMPORT_PUBLIC_KEY,
                  session,
                  new ImportKeyRequest(
                      new KeyAttributes(KeyKind.EC_P256, KeyUsage.SIGN, true, false, ""), peer)))
          .isEqualTo(Status.INVALID_PUBLIC_KEY);
    }
  }

  @Test
  void tamperedAndForeignKeyBlobsAreRefusedWithTheirOwnStatus() throws Exception {
    KeyInfo k = generate(KeyKind.AES_256, KeyUsage.ENCRYPT, "t");
    p.ok(Opcode.UNLOAD_KEY, session, new Id(k.handle()), Empty::read);
    byte[] tampered = k.maskedBlob();
    tampered[tampered.length - 60] ^= 1;
    assertThat(p.status(Opcode.UNMASK_KEY, session, new Bytes(tampered)))
        .isEqualTo(Status.MASKED_BLOB_INVALID);
    byte[] relabelled = k.maskedBlob();
    int labelAt =
        new String(relabelled, StandardCharsets.ISO_8859_1).indexOf("\u0000\u0000\u0000\u0001t")
            + 4;
    relabelled[labelAt] = 'u';
    assertThat(p.status(Opcode.UNMASK_KEY, session, new Bytes(relabelled)))
        .as("metadata is authenticated")
        .isEqualTo(Status.MASKED_BLOB_INVALID);

    FirmwareClient mgmt = new FirmwareClient(fw, Port.MANAGEMENT);
    int co = mgmt.ok(Opcode.OPEN_SESSION, 0, mgmt.seal(Opcode.OPEN_SESSION, CO), Id::read).value();
    int otherId =
        mgmt.ok(
                Opcode.CREATE_PARTITION,
                co,
                new CreatePartitionRequest("other", PartitionLimits.DEFAULTS),
                Id::read)
            .value();
    FirmwareClient other = new FirmwareClient(fw, Port.partition(otherId));
    other.ok(
        Opcode.PROVISION_PARTITION,
        0,
        new ProvisionRequest(
            VaultTest.p384Anchor(), new byte[0], other.seal(Opcode.PROVISION_PARTITION, APP)),
        ProvisionResponse::read);
    int otherSession =
        other.ok(Opcode.OPEN_SESSION, 0, other.seal(Opcode.OPEN_SESSION, APP), Id::read).value();
    assertThat(other.status(Opcode.UNMASK_KEY, otherSession, new Bytes(k.maskedBlob())))
        .isEqualTo(Status.MASKED_BLOB_FOREIGN);
    // Nor can the other partition name this partition's loaded keys.
    KeyInfo loaded = p.ok(Opcode.UNMASK_KEY, session, new Bytes(k.maskedBlob()), KeyInfo::read);
    assertThat(
            other.status(
                Opcode.ENCRYPT,
                otherSession,
                Operation.of(loaded.handle(), Algorithm.AES_GCM, new byte[1])))
        .isEqualTo(Status.KEY_NOT_FOUND);
  }

  @Test
  void anHmacKeyIsGeneratedAtAnyLengthFrom112BitsAndOtherKindsKeepTheirSize() {
    int session = openSession();
    KeyAttributes hmac = new KeyAttributes(KeyKind.HMAC_SHA256, KeyUsage.SIGN, true, false, "");
    KeyInfo k = p.ok(Opcode.GENERATE_KEY, session, new GenerateKeyRequest(hmac, 14), KeyInfo::read);
    assertThat(
            p.ok(
                    Opcode.SIGN,
                    session,
                    Operation.of(k.handle(), Algorithm.HMAC, "m".getBytes()),
                    Bytes::read)
                .bytes())
        .hasSize(32);
    assertThat(p.status(Opcode.GENERATE_KEY, session, new GenerateKeyRequest(hmac, 128)))
        .isEqualTo(Status.SUCCESS);
    assertThat(p.status(Opcode.GENERATE_KEY, session, new GenerateKeyRequest(hmac, 13)))
        .isEqualTo(Status.INVALID_PARAMETER);
    assertThat(p.status(Opcode.GENERATE_KEY, session, new GenerateKeyRequest(hmac, 129)))
        .isEqualTo(Status.INVALID_PARAMETER);
    KeyAttributes aes = new KeyAttributes(KeyKind.AES_256, KeyUsage.ENCRYPT, true, false, "");
    assertThat(p.status(Opcode.GENERATE_KEY, session, new GenerateKeyRequest(aes, 20)))
        .isEqualTo(Status.INVALID_PARAMETER);
    assertThat(p.status(Opcode.GENERATE_KEY, session, new GenerateKeyRequest(aes, 32)))
        .isEqualTo(Status.SUCCESS);
  }
}
