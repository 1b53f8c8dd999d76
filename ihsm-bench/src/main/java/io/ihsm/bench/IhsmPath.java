package io.ihsm.bench;

import io.ihsm.ddi.Status;
import io.ihsm.ddi.credential.Credential;
import io.ihsm.ddi.key.Algorithm;
import io.ihsm.ddi.key.DeriveKeyRequest;
import io.ihsm.ddi.key.HashAlgorithm;
import io.ihsm.ddi.key.KeyAttributes;
import io.ihsm.ddi.key.KeyInfo;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.ddi.message.PartitionLimits;
import io.ihsm.jca.IhsmConfig;
import io.ihsm.jca.IhsmKeyGenParameterSpec;
import io.ihsm.jca.IhsmProvider;
import io.ihsm.sdk.Batch;
import io.ihsm.sdk.CryptoOfficerSession;
import io.ihsm.sdk.DeviceAddress;
import io.ihsm.sdk.HsmSession;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.IhsmException;
import io.ihsm.sdk.PartitionClient;
import io.ihsm.sdk.PartitionConnection;
import io.ihsm.sdk.store.HostKeyStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import javax.crypto.KEM;

/**
 * ihsm through the IHSM JCA provider: keys made inside a fresh partition. Key generation and key
 * loading are measured one level down, on SDK sessions with session keys, so that the store does
 * not fill with a key per operation.
 */
final class IhsmPath extends JcaPath {
  static final String PIN = "bench-pin-0001";
  private final IhsmClient device;
  private final int partitionId;
  private final Credential credential;
  private final Credential officer;
  private final IhsmProvider provider;
  private final Path home;
  private final Path socketDir;
  private final List<AutoCloseable> sessions = new ArrayList<>();
  private HsmSession session;
  private boolean released;

  private IhsmPath(
      String name,
      IhsmProvider provider,
      IhsmClient device,
      int partitionId,
      Credential credential,
      Credential officer,
      Path home,
      Path socketDir) {
    super(name, provider, keysOf(provider), true);
    this.home = home;
    this.socketDir = socketDir;
    this.provider = provider;
    this.device = device;
    this.partitionId = partitionId;
    this.credential = credential;
    this.officer = officer;
  }

  /** A fresh device's partition: the Crypto Officer and the partition are made here. */
  static IhsmPath open(String name, DeviceAddress address, Path home, Path socketDir)
      throws Exception {
    IhsmClient device = IhsmClient.connect(address);
    byte[] coId = device.randomBytes(Credential.ID_BYTES);
    Credential officer = Credential.of(coId, HexFormat.of().formatHex(device.randomBytes(12)));
    device.initCryptoOfficer(officer);
    HostKeyStore store = HostKeyStore.at(home);
    KeyPairGenerator anchor = KeyPairGenerator.getInstance("EC");
    anchor.initialize(new ECGenParameterSpec("secp384r1"));
    HostKeyStore.PartitionEntry entry;
    try (CryptoOfficerSession co = device.loginCryptoOfficer(officer)) {
      entry =
          PartitionClient.create(
              device,
              co,
              store,
              "bench",
              PartitionLimits.DEFAULTS,
              anchor.generateKeyPair().getPublic().getEncoded(),
              PIN);
    }
    Path pinFile = home.resolve("pin");
    Files.writeString(pinFile, PIN);
    IhsmConfig config =
        (socketDir != null
                ? IhsmConfig.daemon(socketDir, home, "bench")
                : IhsmConfig.embedded(home, "bench"))
            .withPinFile(pinFile);
    return new IhsmPath(
        name,
        new IhsmProvider(config),
        device,
        entry.id(),
        Credential.of(entry.credentialId(), PIN),
        officer,
        home,
        socketDir);
  }

  private static Keys keysOf(IhsmProvider provider) {
    return Keys.generatedBy(
        provider,
        (spec, forEncryption) ->
            new IhsmKeyGenParameterSpec(
                spec, 0, forEncryption ? KeyUsage.ENCRYPT : KeyUsage.SIGN, false));
  }

  @Override
  public Optional<Supplier<Operation>> prepare(Workload w) throws Exception {
    return switch (w) {
      case EC_P256_KEYGEN ->
          Optional.of(
              checked(
                  () -> {
                    HsmSession s = session();
                    KeyAttributes attrs =
                        new KeyAttributes(KeyKind.EC_P256, KeyUsage.SIGN, true, false, "");
                    return () -> s.unload(audited(() -> s.generateKey(attrs)).handle());
                  }));
      case UNMASK_KEY ->
          Optional.of(
              checked(
                  () -> {
                    HsmSession s = session();
                    // A session key of this thread's own: loading it again is the measured step.
                    KeyInfo k =
                        audited(
                            () ->
                                s.generateKey(
                                    new KeyAttributes(
                                        KeyKind.EC_P256, KeyUsage.SIGN, true, false, "")));
                    byte[] blob = k.maskedBlob();
                    s.unload(k.handle());
                    return () -> s.unload(s.unmask(blob).handle());
                  }));
      case ML_KEM768_DECAPS ->
          Optional.of(
              checked(
                  () -> {
                    HsmSession s = session();
                    KeyInfo kem =
                        audited(
                            () ->
                                s.generateKey(
                                    new KeyAttributes(
                                        KeyKind.ML_KEM_768, KeyUsage.DERIVE, true, false, "")));
                    PublicKey pub =
                        KeyFactory.getInstance("ML-KEM")
                            .generatePublic(new X509EncodedKeySpec(kem.publicKey()));
                    byte[] ciphertext =
                        KEM.getInstance("ML-KEM")
                            .newEncapsulator(pub)
                            .encapsulate()
                            .encapsulation();
                    DeriveKeyRequest decapsulate =
                        new DeriveKeyRequest(
                            kem.handle(),
                            DeriveKeyRequest.Method.ML_KEM,
                            HashAlgorithm.NONE,
                            ciphertext,
                            new byte[0],
                            new byte[0],
                            0,
                            new KeyAttributes(KeyKind.SECRET, KeyUsage.DERIVE, true, false, ""));
                    return () -> s.unload(audited(() -> s.deriveKey(decapsulate)).handle());
                  }));
      case ROUNDTRIP -> Optional.of(checked(() -> device::deviceApiRevisions));
      case AES256_GCM_4K_BATCH, HMAC_SHA256_64_BATCH -> Optional.of(batched(w));
      default -> super.prepare(w);
    };
  }

  /**
   * {@value Workload#BATCH} operations in one batch call (DDI BATCH) on an SDK session, with a
   * session key; every item's result is taken, as a caller would.
   */
  private Supplier<Operation> batched(Workload w) throws Exception {
    byte[] data = new byte[w.dataBytes()];
    boolean gcm = w == Workload.AES256_GCM_4K_BATCH;
    return checked(
        () -> {
          HsmSession s = session();
          KeyInfo key =
              s.generateKey(
                  new KeyAttributes(
                      gcm ? KeyKind.AES_256 : KeyKind.HMAC_SHA256,
                      gcm ? KeyUsage.ENCRYPT : KeyUsage.SIGN,
                      true,
                      false,
                      ""));
          io.ihsm.ddi.key.Operation op =
              io.ihsm.ddi.key.Operation.of(
                  key.handle(), gcm ? Algorithm.AES_GCM : Algorithm.HMAC, data);
          return () -> {
            Batch b = s.batch();
            List<Batch.Item<?>> items = new ArrayList<>(w.operationsPerCall());
            for (int i = 0; i < w.operationsPerCall(); i++) {
              items.add(gcm ? b.encrypt(op) : b.sign(op));
            }
            b.run();
            for (Batch.Item<?> item : items) {
              item.get();
            }
          };
        });
  }

  /**
   * `ihsm sign` as a user runs it, a process each time, against this path's daemon or (once this
   * path has let its embedded device go) the embedded device; its key is made by `ihsm key
   * generate` first.
   */
  @Override
  public Optional<SelfTimedOperation> selfTimed(Workload w, Bench.Options o) throws Exception {
    if (w != Workload.CLI_SIGN) {
      return Optional.empty();
    }
    release(); // the embedded device is one process's at a time
    List<String> base = new ArrayList<>(Bench.cliCommand(o));
    base.addAll(List.of("--home", home.toString()));
    if (socketDir != null) {
      base.addAll(List.of("--socket-dir", socketDir.toString()));
    }
    List<String> generate = new ArrayList<>(base);
    generate.addAll(
        List.of(
            "key",
            "generate",
            "--partition",
            "bench",
            "--kind",
            "ec-p256",
            "--usage",
            "sign",
            "--label",
            "cli-signer"));
    runCli(generate);
    Path in = Files.write(home.resolve("cli-sign.in"), new byte[32]);
    List<String> sign = new ArrayList<>(base);
    sign.addAll(
        List.of(
            "sign",
            "--partition",
            "bench",
            "--key",
            "cli-signer",
            "--alg",
            "SHA256withECDSA",
            "--in",
            in.toString(),
            "--out",
            home.resolve("cli-sign.sig").toString()));
    return Optional.of(() -> runCli(sign));
  }

  /** Runs one `ihsm` process with the partition's PIN in its environment; its wall time. */
  private long runCli(List<String> command) throws Exception {
    ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true);
    b.environment().put("IHSM_PIN", PIN);
    b.environment().remove("IHSM_SOCKET_DIR");
    long t0 = System.nanoTime();
    Process p = b.start();
    byte[] out = p.getInputStream().readAllBytes();
    int exit = p.waitFor();
    long t1 = System.nanoTime();
    if (exit != 0) {
      throw new IllegalStateException(
          String.join(" ", command.subList(Math.max(0, command.size() - 8), command.size()))
              + " exited "
              + exit
              + ": "
              + new String(out, java.nio.charset.StandardCharsets.UTF_8).strip());
    }
    return t1 - t0;
  }

  /** Lets this path's device go (closing its sessions and provider); no workload runs after. */
  private synchronized void release() throws Exception {
    if (!released) {
      released = true;
      closeAll();
    }
  }

  /**
   * Makes a key, exporting the audit log first when the device says it is full, as its Crypto
   * Officer would: every key made is audited, and a fast run fills the log's default capacity.
   */
  private KeyInfo audited(Supplier<KeyInfo> make) {
    try {
      return make.get();
    } catch (IhsmException e) {
      if (e.status() != Status.AUDIT_LOG_FULL) {
        throw e;
      }
      exportAuditLog();
      return make.get();
    }
  }

  private synchronized void exportAuditLog() {
    try (CryptoOfficerSession co = device.loginCryptoOfficer(officer)) {
      co.exportAuditLog();
    }
  }

  /**
   * One SDK session for these workloads, shared by the threads (their calls run concurrently, each
   * on a connection of its own).
   */
  private synchronized HsmSession session() {
    if (session == null) {
      PartitionConnection c = device.partition(partitionId);
      session = c.openSession(credential);
      sessions.add(session);
      sessions.add(c);
    }
    return session;
  }

  @Override
  public void close() throws Exception {
    release();
  }

  private void closeAll() throws Exception {
    for (AutoCloseable c : sessions) {
      c.close();
    }
    provider.close();
    device.close();
    credential.destroy();
    officer.destroy();
  }
}
