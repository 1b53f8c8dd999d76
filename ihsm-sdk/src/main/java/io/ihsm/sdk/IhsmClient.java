package io.ihsm.sdk;

import io.ihsm.ddi.ApiRevision;
import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.credential.Credential;
import io.ihsm.ddi.domain.DomainStatus;
import io.ihsm.ddi.message.ApiRevisionRange;
import io.ihsm.ddi.message.Bytes;
import io.ihsm.ddi.message.Certificates;
import io.ihsm.ddi.message.DeviceCounters;
import io.ihsm.ddi.message.DeviceInfo;
import io.ihsm.ddi.message.DeviceStatus;
import io.ihsm.ddi.message.Empty;
import io.ihsm.ddi.message.FirmwareInfo;
import io.ihsm.ddi.message.GetRandomRequest;
import io.ihsm.ddi.message.Id;
import io.ihsm.ddi.message.Nonce;
import io.ihsm.ddi.message.RandomBytes;
import io.ihsm.ddi.message.TamperRequest;
import io.ihsm.ddi.spi.Port;
import io.ihsm.host.SocketNames;
import io.ihsm.sdk.internal.Channel;
import io.ihsm.sdk.internal.Connector;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * A connection to an ihsm device, the same API whether the device is a daemon or embedded.
 * Thread-safe. Every call either returns the device's answer or throws {@link IhsmException}
 * carrying the device status (or a host-side status when the device cannot be reached).
 *
 * <pre>{@code
 * try (IhsmClient hsm = IhsmClient.connect(DeviceAddress.daemon(Path.of("/run/ihsm")))) {
 *   DeviceStatus status = hsm.deviceStatus();
 * }
 * }</pre>
 */
public final class IhsmClient implements AutoCloseable {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  private final Connector connector;
  private final Channel management;
  private final DeviceAddress address;
  private final Duration timeout;

  private IhsmClient(
      Connector connector, Channel management, DeviceAddress address, Duration timeout) {
    this.connector = connector;
    this.management = management;
    this.address = address;
    this.timeout = timeout;
  }

  public static IhsmClient connect(DeviceAddress address) {
    return connect(address, DEFAULT_TIMEOUT);
  }

  /**
   * Connects and agrees the API revision: the newest one both sides speak.
   *
   * @param timeout how long any one call may wait for its answer
   */
  public static IhsmClient connect(DeviceAddress address, Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    Connector connector = Connector.of(address);
    Channel ch = new Channel(connector.open(Port.MANAGEMENT), timeout);
    try {
      ApiRevisionRange range =
          ch.call(Opcode.GET_API_REV, 0, Empty.INSTANCE, ApiRevisionRange::read);
      ApiRevision agreed = range.newestCommon();
      if (agreed == null) {
        throw new IhsmException(
            Status.UNSUPPORTED_API_REVISION,
            "the device speaks API revisions "
                + range.min()
                + " to "
                + range.max()
                + ", this SDK speaks "
                + ApiRevision.SUPPORTED);
      }
      ch.agree(agreed);
      return new IhsmClient(connector, ch, address, timeout);
    } catch (RuntimeException e) {
      ch.close();
      connector.close();
      throw e;
    }
  }

  public DeviceAddress address() {
    return address;
  }

  /** The API revision agreed with the device. */
  public ApiRevision apiRevision() {
    return management.revision();
  }

  /** Where the device is, e.g. "daemon socket /run/ihsm/management.sock". */
  public String describeTransport() {
    return management.describe();
  }

  public ApiRevisionRange deviceApiRevisions() {
    return management.call(Opcode.GET_API_REV, 0, Empty.INSTANCE, ApiRevisionRange::read);
  }

  public DeviceInfo deviceInfo() {
    return management.call(Opcode.GET_DEVICE_INFO, 0, Empty.INSTANCE, DeviceInfo::read);
  }

  /** Readable in every device state, including ERROR. */
  public DeviceStatus deviceStatus() {
    return management.call(Opcode.GET_DEVICE_STATUS, 0, Empty.INSTANCE, DeviceStatus::read);
  }

  /**
   * What the boot ROM measured of the running firmware, and the fused SVN; readable in every state.
   */
  /**
   * How much the device holds now: partitions, sessions open, keys loaded, audit log size (the
   * management port; no login, counts only).
   */
  public DeviceCounters deviceCounters() {
    return management.call(Opcode.GET_DEVICE_COUNTERS, 0, Empty.INSTANCE, DeviceCounters::read);
  }

  public FirmwareInfo firmwareInfo() {
    return management.call(Opcode.GET_FIRMWARE_INFO, 0, Empty.INSTANCE, FirmwareInfo::read);
  }

  /**
   * The factory step: the device makes its unique secret and answers its DeviceID public key
   * (SPKI).
   */
  public byte[] manufacture() {
    return management.call(Opcode.MANUFACTURE, 0, Empty.INSTANCE, Bytes::readBlob).bytes();
  }

  /**
   * Installs the manufacturer's root and the DeviceID certificate issued for {@link
   * #manufacture()}'s key; once.
   */
  public void installDeviceCertificates(byte[] root, byte[] deviceId) {
    management.call(
        Opcode.INSTALL_DEVICE_CERTIFICATES,
        0,
        new Certificates(List.of(root, deviceId)),
        Empty::read);
  }

  /** The identity chain, DER, root first: manufacturer root, DeviceID, Alias. */
  public List<byte[]> certificateChain() {
    return management
        .call(Opcode.GET_CERTIFICATE_CHAIN, 0, Empty.INSTANCE, Certificates::read)
        .certificates();
  }

  /**
   * A device attestation report (COSE_Sign1, signed by the Alias key) carrying {@code nonce} (0-128
   * bytes); verify it with {@code io.ihsm.verify.AttestationVerifier} and {@link
   * #certificateChain()}.
   */
  public byte[] attestDevice(byte[] nonce) {
    return management.call(Opcode.ATTEST_DEVICE, 0, new Nonce(nonce), Bytes::readBlob).bytes();
  }

  /** The device's security domain, or {@link DomainStatus#NONE}. */
  public DomainStatus domainStatus() {
    return management.call(Opcode.DOMAIN_STATUS, 0, Empty.INSTANCE, DomainStatus::read);
  }

  /**
   * Has this device, a member of the partition's security domain, take the partition on from its
   * blob (needs no session: the blob is authenticated under the domain's secret); answers its id
   * here, the same id when the device has it already.
   */
  public int adoptPartition(byte[] partitionBlob) {
    return management.call(Opcode.ADOPT_PARTITION, 0, new Bytes(partitionBlob), Id::read).value();
  }

  /**
   * The id of the partition named {@code name}, found by asking each partition socket of the
   * daemon's directory which partition it serves (no management port needed); empty when none does
   * or the device is embedded.
   */
  public OptionalInt findPartition(String name) {
    if (!(address instanceof DeviceAddress.Daemon d)) {
      return OptionalInt.empty();
    }
    List<Integer> ids = new ArrayList<>();
    try (DirectoryStream<Path> sockets = Files.newDirectoryStream(d.socketDirectory())) {
      for (Path s : sockets) {
        SocketNames.partitionId(s.getFileName().toString()).ifPresent(ids::add);
      }
    } catch (IOException e) {
      return OptionalInt.empty();
    }
    for (int id : ids) {
      try (PartitionConnection p = partition(id)) {
        if (name.equals(p.partitionName())) {
          return OptionalInt.of(id);
        }
      } catch (IhsmException unreachable) {
        // not ours to reach: another workload's socket
      }
    }
    return OptionalInt.empty();
  }

  /** The device's audit public key (SPKI DER), to pin when verifying exported audit logs. */
  public byte[] auditPublicKey() {
    return management.call(Opcode.GET_AUDIT_KEY, 0, Empty.INSTANCE, Bytes::readBlob).bytes();
  }

  /** Random bytes from the module's random bit generator; 1 to 1024 per call. */
  public byte[] randomBytes(int length) {
    return management
        .call(Opcode.GET_RANDOM, 0, new GetRandomRequest(length), RandomBytes::read)
        .bytes();
  }

  /**
   * Fires an emulated tamper sensor (case-open, voltage, temperature): the device zeroizes itself.
   */
  public void tamper(String sensor) {
    management.call(Opcode.TAMPER, 0, new TamperRequest(sensor), Empty::read);
  }

  /**
   * After a tamper or zeroization: the Crypto Officer makes the module new (a new sealing secret).
   */
  public void reinitialize(Credential cryptoOfficer) {
    management.callSealed(
        Opcode.REINITIALIZE, 0, Port.MANAGEMENT, cryptoOfficer, sc -> sc, Empty::read);
  }

  /** Creates the device's first Crypto Officer; refused once one exists. */
  public void initCryptoOfficer(Credential credential) {
    management.callSealed(
        Opcode.INIT_CRYPTO_OFFICER, 0, Port.MANAGEMENT, credential, sc -> sc, Empty::read);
  }

  /** Opens a Crypto Officer session on the management port. */
  public CryptoOfficerSession loginCryptoOfficer(Credential credential) {
    int id =
        management
            .callSealed(Opcode.OPEN_SESSION, 0, Port.MANAGEMENT, credential, sc -> sc, Id::read)
            .value();
    return new CryptoOfficerSession(management, id);
  }

  /** A connection to one partition's port (its socket under a daemon). */
  public PartitionConnection partition(int partitionId) {
    Channel ch = new Channel(connector.open(Port.partition(partitionId)), timeout);
    ch.agree(management.revision());
    return new PartitionConnection(ch, Port.partition(partitionId));
  }

  /**
   * For tests and `ihsm device reset` on the embedded device: a power cycle, like a live migration.
   */
  public void resetEmbeddedDevice() {
    if (connector.embedded() == null) {
      throw new IhsmException(Status.WRONG_PORT, "only the embedded device is reset in-process");
    }
    try {
      connector.embedded().device().powerCycle();
    } catch (IOException e) {
      throw new IhsmException(
          Status.INTERNAL_ERROR, "the embedded device did not power up: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    management.close();
    connector.close();
  }
}
