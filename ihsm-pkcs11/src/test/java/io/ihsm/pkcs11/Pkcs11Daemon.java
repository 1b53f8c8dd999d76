package io.ihsm.pkcs11;

import io.ihsm.ddi.credential.Credential;
import io.ihsm.ddi.message.PartitionLimits;
import io.ihsm.ddi.testing.ExternalCommand;
import io.ihsm.device.Device;
import io.ihsm.device.DeviceConfig;
import io.ihsm.device.daemon.DeviceDaemon;
import io.ihsm.sdk.CryptoOfficerSession;
import io.ihsm.sdk.DeviceAddress;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.PartitionClient;
import io.ihsm.sdk.store.HostKeyStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A daemon in this JVM with one provisioned partition, and what a program needs to use the module
 * against it: the module's path and the environment that names the daemon.
 */
final class Pkcs11Daemon implements AutoCloseable {
  static final String PIN = "app-pin-1234";
  static final String PARTITION = "tok";

  final Path dir;
  final Path home;
  final Path socketDir;

  /** The partition owner's P-384 key (its public half provisioned the partition). */
  final KeyPair owner;

  private final Device device;
  private DeviceDaemon daemon;

  private Pkcs11Daemon(Path dir, boolean approvedOnly, PartitionLimits limits) throws Exception {
    this.dir = dir;
    this.home = dir.resolve("home");
    this.socketDir = dir.resolve("sock");
    device = Device.powerOn(DeviceConfig.of(dir.resolve("state")));
    daemon = DeviceDaemon.start(device, socketDir);
    try (IhsmClient hsm = IhsmClient.connect(DeviceAddress.daemon(socketDir))) {
      hsm.initCryptoOfficer(officer());
      try (CryptoOfficerSession co = hsm.loginCryptoOfficer(officer())) {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp384r1"));
        owner = g.generateKeyPair();
        PartitionClient.create(
            hsm, co, HostKeyStore.at(home), PARTITION, limits, owner.getPublic().getEncoded(), PIN);
        co.setApprovedMode(approvedOnly);
      }
    }
  }

  static Pkcs11Daemon start(Path dir, boolean approvedOnly) throws Exception {
    return new Pkcs11Daemon(dir, approvedOnly, PartitionLimits.DEFAULTS);
  }

  /** A daemon whose partition has these limits (a PIN lockout after fewer failures, say). */
  static Pkcs11Daemon start(Path dir, PartitionLimits limits) throws Exception {
    return new Pkcs11Daemon(dir, true, limits);
  }

  /**
   * Files the owner key where the module looks for the security officer's key, encrypted under
   * {@code soPin} by openssl as docs/pkcs11.md says.
   */
  void fileOwnerKey(String soPin) throws Exception {
    Path plain = dir.resolve("owner.pk8");
    Files.write(plain, owner.getPrivate().getEncoded());
    Files.createDirectories(home.resolve("owner"));
    ExternalCommand.Result r =
        ExternalCommand.run(
            List.of(
                "openssl",
                "pkcs8",
                "-topk8",
                "-inform",
                "DER",
                "-in",
                plain.toString(),
                "-v2",
                "aes-256-cbc",
                "-v2prf",
                "hmacWithSHA256",
                "-passout",
                "pass:" + soPin,
                "-outform",
                "DER",
                "-out",
                home.resolve("owner/owner-p384.p8e").toString()));
    Files.delete(plain);
    if (r.exitCode() != 0) {
      throw new IllegalStateException(r.output());
    }
  }

  /** The Crypto Officer unlocks the partition's credential after a lockout. */
  void unlock() throws Exception {
    try (IhsmClient hsm = IhsmClient.connect(DeviceAddress.daemon(socketDir));
        CryptoOfficerSession co = hsm.loginCryptoOfficer(officer())) {
      co.unlockCredential(HostKeyStore.at(home).partition(PARTITION).orElseThrow().id());
    }
  }

  static Credential officer() {
    byte[] id = new byte[16];
    Arrays.fill(id, (byte) 7);
    return Credential.of(id, "officer-pin");
  }

  /** The module the build made (target/native), as `ihsm pkcs11 module-path` prints it. */
  static Path module() {
    return ModulePath.module();
  }

  /**
   * The variables that point the module at this daemon, its bridge's log into the test directory,
   * and its bridge service there too (it leaves when the directory is removed).
   */
  Map<String, String> environment() {
    return Map.of(
        "IHSM_SOCKET_DIR",
        socketDir.toString(),
        "IHSM_HOME",
        home.toString(),
        "IHSM_PKCS11_LOG",
        dir.resolve("bridge.log").toString(),
        "IHSM_PKCS11_BRIDGE_DIR",
        bridgeDir().toString());
  }

  /** Where this test's bridge service listens. */
  Path bridgeDir() {
    return dir.resolve("bridge");
  }

  ExternalCommand.Result run(String... command) throws Exception {
    return ExternalCommand.run(List.of(command), environment());
  }

  ExternalCommand.Result run(List<String> command, Map<String, String> more) throws Exception {
    var env = new HashMap<>(environment());
    env.putAll(more);
    return ExternalCommand.run(command, env);
  }

  /** pkcs11-tool with the module and a login. */
  ExternalCommand.Result tool(String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of("pkcs11-tool", "--module", module().toString(), "--login", "--pin", PIN));
    cmd.addAll(List.of(args));
    return run(cmd, Map.of());
  }

  String bridgeLog() throws Exception {
    Path log = dir.resolve("bridge.log");
    return Files.exists(log) ? Files.readString(log) : "";
  }

  void stopDaemon() throws IOException {
    if (daemon != null) {
      daemon.close();
      daemon = null;
    }
  }

  @Override
  public void close() throws IOException {
    stopDaemon();
    device.close();
  }
}
