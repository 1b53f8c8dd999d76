package io.ihsm.device;

import io.ihsm.ddi.Frames;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.spi.ClientBinding;
import io.ihsm.ddi.spi.CorruptRecordException;
import io.ihsm.ddi.spi.DeviceIdentity;
import io.ihsm.ddi.spi.DevicePlatform;
import io.ihsm.ddi.spi.FirmwareEntryPoint;
import io.ihsm.ddi.spi.FirmwareInstance;
import io.ihsm.ddi.spi.FirmwareMeasurement;
import io.ihsm.ddi.spi.NonVolatileStore;
import io.ihsm.ddi.spi.Port;
import io.ihsm.ddi.spi.VirtualFunctions;
import io.ihsm.device.boot.BootRom;
import io.ihsm.device.boot.BootRomResponder;
import io.ihsm.device.boot.FirmwareImage;
import io.ihsm.device.boot.FirmwareKeys;
import io.ihsm.device.nv.StateDirectory;
import io.ihsm.host.AtomicFile;
import io.ihsm.host.OwnerOnly;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.StampedLock;
import java.util.function.Consumer;

/**
 * The emulated card. It owns the state directory, boots the firmware image through the boot ROM,
 * exposes the firmware's virtual functions (ports) and passes request frames to whatever runs: the
 * firmware, or the boot ROM's minimal responder when the image could not be booted. The same class
 * serves the daemon and the embedded transport.
 */
public final class Device implements AutoCloseable {
  public static final String VENDOR = "ihsm project";
  public static final String MODEL = "ihsm-emulated-1";

  /** The signed factory firmware, and the key firmware must be signed with: the card's ROM. */
  private static final String FACTORY_IMAGE = "boot/ihsm-firmware.img";

  private static final String PINNED_KEY = "boot/pinned-firmware-key.der";
  private static final String PINNED_LMS_KEY = "boot/pinned-firmware-lms-key.der";
  static final String FUSED_SVN = "fused-svn";
  private static final SecureRandom NOISE = new SecureRandom();

  private final StateDirectory state;
  private final DeviceIdentity identity;
  private final Set<Integer> enabledPartitions = new ConcurrentSkipListSet<>();
  private final List<VirtualFunctionListener> listeners = new CopyOnWriteArrayList<>();
  private volatile FirmwareInstance firmware;
  private volatile BootRomResponder bootRom;
  private volatile String bootFailure;
  private volatile FirmwareMeasurement measurement = FirmwareMeasurement.UNVERIFIED;
  private volatile String source = "in-process";
  private EntryLoader lastLoader;
  private volatile boolean powerCycleRequested;

  /**
   * Held shared by each request in the firmware, exclusively by a power cycle or power-off (a
   * StampedLock: no per-thread bookkeeping on the request path; nothing here re-enters it).
   */
  private final StampedLock running = new StampedLock();

  private TamperInput tamperInput;

  /** Notified when the firmware enables or disables a partition's port. */
  public interface VirtualFunctionListener {
    void enabled(int partitionId);

    void disabled(int partitionId);
  }

  private final int selfTestIntervalSeconds;

  /** The owner asked for the Crypto Officer recovery; honoured by the next boot only. */
  private volatile boolean recoveryPending;

  /** Why the stored state cannot be trusted (the record named), or null when it verified. */
  private final String integrityFailure;

  static final String UNKNOWN_SERIAL = "IHSM-UNKNOWN";

  private Device(StateDirectory state, int selfTestIntervalSeconds, boolean recovery) {
    this.state = state;
    this.recoveryPending = recovery;
    this.selfTestIntervalSeconds = selfTestIntervalSeconds;
    String serial = UNKNOWN_SERIAL;
    String failure = state.integrityFailure().orElse(null);
    if (failure == null) {
      try {
        serial = serialNumber(state.rom());
      } catch (CorruptRecordException e) {
        failure = e.getMessage();
      }
    }
    this.identity = new DeviceIdentity(VENDOR, MODEL, serial);
    this.integrityFailure = failure;
  }

  /**
   * Boots, unless the card's stored state did not verify: then it stays in ERROR with the reason,
   * which names the record, and serves status only (the boot ROM's responder).
   */
  private void bootVerified(EntryLoader loader) {
    if (integrityFailure != null) {
      bootFailure = integrityFailure;
      bootRom =
          new BootRomResponder(identity, integrityFailure, System.nanoTime(), "not loaded", 0);
      return;
    }
    boot(loader);
  }

  /**
   * Powers on; a bad image leaves the device in ERROR, it does not throw. The image booted is, in
   * order: the configured one ({@code --firmware}), the one installed by a firmware update, the
   * factory image. The choice is made again at every power cycle.
   */
  public static Device powerOn(DeviceConfig config) throws IOException {
    FirmwareKeys pinned = pinnedKeys();
    Device d =
        new Device(
            StateDirectory.open(config.stateDirectory(), config.lockWait()),
            config.selfTestIntervalSeconds(),
            config.recovery());
    try {
      d.bootVerified(
          () -> {
            Path chosen =
                config
                    .firmwareImage()
                    .orElse(Files.exists(d.installedImage()) ? d.installedImage() : null);
            byte[] image;
            try {
              image = chosen != null ? readImage(chosen) : factoryImage();
            } catch (IOException e) {
              throw new FirmwareImage.InvalidImageException(
                  "the firmware image cannot be read: " + e.getMessage());
            }
            d.source = chosen != null ? chosen.toString() : "factory image";
            return BootRom.load(image, pinned, d.fusedSvn(), d.source);
          });
      d.watchTamperInput();
    } catch (RuntimeException e) {
      d.close();
      throw e;
    }
    return d;
  }

  /**
   * Powers on with an entry point already loaded, skipping the boot ROM. For the device's own tests
   * of transports with a stand-in firmware; never used by the daemon or the CLI.
   */
  public static Device powerOnUnverified(DeviceConfig config, FirmwareEntryPoint entry)
      throws IOException {
    Device d =
        new Device(
            StateDirectory.open(config.stateDirectory(), config.lockWait()),
            config.selfTestIntervalSeconds(),
            config.recovery());
    d.bootVerified(() -> new BootRom.Loaded(entry, FirmwareMeasurement.UNVERIFIED));
    return d;
  }

  /**
   * A power cycle (reset, live migration): the firmware loses all volatile state and boots again
   * from the same image bytes; non-volatile state and partition ports stay.
   */
  public synchronized void powerCycle() throws IOException {
    long stamp = running.writeLock(); // requests under way finish first; new ones wait the boot
    try {
      FirmwareInstance old = firmware;
      firmware = null;
      if (old != null) {
        old.close();
      }
      bootVerified(lastLoader);
    } finally {
      running.unlockWrite(stamp);
    }
  }

  /**
   * Serves one request frame on a port for one client; never throws. A request runs whole in one
   * firmware: a reset waits for it (so a key is never wiped under an operation using it), and a
   * request that comes during a reset waits for the firmware the reset boots.
   */
  public byte[] process(Port port, ClientBinding client, byte[] frame) {
    RequestObserver o = observer;
    if (o == null) {
      return serve(port, client, frame);
    }
    long start = System.nanoTime();
    byte[] response = serve(port, client, frame);
    try {
      o.served(port, Frames.opcodeOf(frame), Frames.statusOf(response), System.nanoTime() - start);
    } catch (RuntimeException e) {
      // Monitoring never fails a request.
    }
    return response;
  }

  /**
   * What the host sees of each request the device serves, for monitoring: the port, the raw opcode
   * (-1 for a frame too short to have one), the raw status and how long it took. Never the body.
   */
  public interface RequestObserver {
    void served(Port port, int opcode, int status, long nanos);
  }

  private volatile RequestObserver observer;

  /** Sets the one observer of served requests (null: none). */
  public void observeRequests(RequestObserver observer) {
    this.observer = observer;
  }

  private byte[] serve(Port port, ClientBinding client, byte[] frame) {
    byte[] response;
    long stamp = running.readLock();
    try {
      FirmwareInstance fw = firmware;
      if (fw == null) {
        BootRomResponder rom = bootRom;
        return rom != null
            ? rom.process(port, frame)
            : Frames.errorResponse(
                Status.DEVICE_NOT_OPERATIONAL, Frames.requestIdOf(frame), "the device is off");
      }
      response = fw.process(port, client, frame);
    } catch (RuntimeException | LinkageError e) {
      return Frames.errorResponse(Status.INTERNAL_ERROR, Frames.requestIdOf(frame));
    } finally {
      running.unlockRead(stamp);
    }
    if (powerCycleRequested) {
      powerCycleRequested = false;
      try {
        powerCycle(); // the requester's answer goes out after the reset has happened
      } catch (IOException | RuntimeException | LinkageError e) {
        return Frames.errorResponse(Status.INTERNAL_ERROR, Frames.requestIdOf(frame));
      }
    }
    return response;
  }

  /** Why the boot ROM could not start the firmware, when it could not. */
  public Optional<String> bootFailure() {
    return Optional.ofNullable(bootFailure);
  }

  public DeviceIdentity identity() {
    return identity;
  }

  public Path stateDirectory() {
    return state.root();
  }

  public Set<Integer> enabledPartitions() {
    return Set.copyOf(enabledPartitions);
  }

  public void addVirtualFunctionListener(VirtualFunctionListener l) {
    listeners.add(l);
  }

  @Override
  public synchronized void close() throws IOException {
    if (tamperInput != null) {
      tamperInput.close();
    }
    long stamp = running.writeLock();
    try {
      FirmwareInstance fw = firmware;
      firmware = null;
      if (fw != null) {
        fw.close();
      }
    } finally {
      running.unlockWrite(stamp);
    }
    state.close();
  }

  private interface EntryLoader {
    BootRom.Loaded load() throws FirmwareImage.InvalidImageException;
  }

  /** The lowest firmware SVN this card boots, from its ROM store (0 until raised). */
  public int fusedSvn() {
    if (integrityFailure != null) {
      return 0;
    }
    return state.rom().readCounter(FUSED_SVN);
  }

  /** What the boot ROM measured of the running firmware. */
  public FirmwareMeasurement measurement() {
    return measurement;
  }

  /** Where a firmware update puts the image it installs (the card's firmware flash). */
  Path installedImage() {
    return state.root().resolve("firmware").resolve("installed.img");
  }

  /** The card's tamper wire, watched from power-on to power-off. */
  private synchronized void watchTamperInput() {
    if (tamperInput == null) {
      tamperInput = TamperInput.watch(state.root(), this);
    }
  }

  private synchronized void boot(EntryLoader loader) {
    lastLoader = loader;
    long powerOn = System.nanoTime();
    try {
      BootRom.Loaded loaded = loader.load();
      measurement = loaded.measurement();
      firmware = loaded.entry().boot(new Platform());
      bootFailure = null;
    } catch (FirmwareImage.InvalidImageException e) {
      bootFailure = e.getMessage();
      measurement = FirmwareMeasurement.UNVERIFIED;
      bootRom = new BootRomResponder(identity, e.getMessage(), powerOn, source, fusedSvn());
    }
  }

  /** Reads at most one byte past the bound, so an oversized image is reported, not loaded. */
  private static byte[] readImage(Path path) throws IOException {
    try (InputStream in = Files.newInputStream(path)) {
      return in.readNBytes(FirmwareImage.MAX_IMAGE_BYTES + 1);
    }
  }

  /**
   * The public keys the ROM pins (ECDSA P-384 and HSS/LMS): firmware not signed by both does not
   * boot.
   */
  public static FirmwareKeys pinnedKeys() throws IOException {
    try {
      return FirmwareKeys.of(resource(PINNED_KEY), resource(PINNED_LMS_KEY));
    } catch (GeneralSecurityException e) {
      throw new IOException("the pinned firmware keys in the device jar are not usable", e);
    }
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = Device.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException(name + " (a pinned firmware key) is missing from the device jar");
      }
      return in.readAllBytes();
    }
  }

  private static byte[] factoryImage() throws IOException {
    try (InputStream in = Device.class.getResourceAsStream(FACTORY_IMAGE)) {
      if (in == null) {
        throw new IOException("the factory firmware image is missing from the device jar");
      }
      return in.readAllBytes();
    }
  }

  /**
   * The card's serial number, made once at first power-on (manufacture) and kept in its ROM store.
   */
  private static String serialNumber(NonVolatileStore rom) {
    String serial =
        rom.read("serial")
            .map(b -> new String(b, StandardCharsets.US_ASCII))
            .orElseGet(
                () -> {
                  byte[] r = new byte[8];
                  new SecureRandom().nextBytes(r);
                  String fresh = "IHSM-" + HexFormat.of().withUpperCase().formatHex(r);
                  rom.write("serial", fresh.getBytes(StandardCharsets.US_ASCII));
                  return fresh;
                });
    // The serial names files on the host (the Crypto Officer's credential): only this form is a
    // serial.
    if (!DeviceIdentity.isValidSerial(serial)) {
      throw new CorruptRecordException(
          "serial", "is not a serial number of the form IHSM-<16 hex digits>");
    }
    return serial;
  }

  /** What the firmware sees of the card. */
  private final class Platform implements DevicePlatform, VirtualFunctions {
    @Override
    public DeviceIdentity identity() {
      return identity;
    }

    @Override
    public byte[] noise(int samples) {
      byte[] b = new byte[samples];
      NOISE.nextBytes(b); // the emulated noise diode: the operating system's entropy
      return b;
    }

    @Override
    public FirmwareMeasurement measurement() {
      return measurement;
    }

    @Override
    public int fusedSvn() {
      return Device.this.fusedSvn();
    }

    @Override
    public int selfTestIntervalSeconds() {
      return selfTestIntervalSeconds;
    }

    @Override
    public Optional<String> installFirmware(byte[] image) {
      try {
        BootRom.verify(image, pinnedKeys(), Device.this.fusedSvn());
        OwnerOnly.createDirectories(installedImage().getParent());
        AtomicFile.write(installedImage(), image);
        return Optional.empty();
      } catch (FirmwareImage.InvalidImageException e) {
        return Optional.of(e.getMessage());
      } catch (IOException e) {
        return Optional.of("the image could not be installed: " + e.getMessage());
      }
    }

    @Override
    public void commitSvn() {
      int svn = measurement.svn();
      if (svn > Device.this.fusedSvn()) {
        state.rom().write(FUSED_SVN, ByteBuffer.allocate(4).putInt(svn).array());
      }
    }

    @Override
    public NonVolatileStore nonVolatileStore() {
      return state.firmwareNv();
    }

    @Override
    public VirtualFunctions virtualFunctions() {
      return this;
    }

    @Override
    public void requestPowerCycle() {
      powerCycleRequested = true;
    }

    @Override
    public boolean recoveryRequested() {
      boolean asked = recoveryPending;
      recoveryPending = false;
      return asked;
    }

    @Override
    public void enable(int partitionId) {
      Port.partition(partitionId);
      if (enabledPartitions.add(partitionId)) {
        notifyListeners(l -> l.enabled(partitionId));
      }
    }

    @Override
    public void disable(int partitionId) {
      if (enabledPartitions.remove(partitionId)) {
        notifyListeners(l -> l.disabled(partitionId));
      }
    }

    private void notifyListeners(Consumer<VirtualFunctionListener> call) {
      listeners.forEach(call);
    }
  }
}
