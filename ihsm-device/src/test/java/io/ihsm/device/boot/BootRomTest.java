package io.ihsm.device.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ihsm.ddi.ApiRevision;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Frames;
import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.RequestHeader;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.message.DeviceInfo;
import io.ihsm.ddi.message.DeviceState;
import io.ihsm.ddi.message.DeviceStatus;
import io.ihsm.ddi.message.GetRandomRequest;
import io.ihsm.ddi.spi.ClientBinding;
import io.ihsm.ddi.spi.FirmwareEntryPoint;
import io.ihsm.ddi.spi.Port;
import io.ihsm.device.Device;
import io.ihsm.device.DeviceConfig;
import io.ihsm.device.nv.StateDirectory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootRomTest {
  @TempDir Path tmp;

  static byte[] factoryImage() throws IOException {
    try (InputStream in = Device.class.getResourceAsStream("boot/ihsm-firmware.img")) {
      return in.readAllBytes();
    }
  }

  static BootRom.Loaded load(byte[] image) throws Exception {
    return BootRom.load(image, Device.pinnedKeys(), 0, "test");
  }

  static KeyPair foreignKey() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp384r1"));
    return g.generateKeyPair();
  }

  /** Someone else's signing keys; the LMS key is small (32 signatures) to be made quickly. */
  FirmwareSigner.Keys foreignKeys() throws Exception {
    Path lms = Files.createTempDirectory(tmp, "lms").resolve("key.lms");
    return new FirmwareSigner.Keys(foreignKey(), LmsSigningKeyTest.small(lms));
  }

  /** The factory image's entries, to rebuild variants of it. */
  static Map<String, byte[]> entries(byte[] image) throws IOException {
    Map<String, byte[]> m = new LinkedHashMap<>();
    try (ZipInputStream z = new ZipInputStream(new ByteArrayInputStream(image))) {
      for (ZipEntry e = z.getNextEntry(); e != null; e = z.getNextEntry()) {
        m.put(e.getName(), z.readAllBytes());
      }
    }
    return m;
  }

  /** An image (zip) or a jar holding the given entries. */
  static byte[] zip(Map<String, byte[]> entries) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(out)) {
      for (var e : entries.entrySet()) {
        z.putNextEntry(new ZipEntry(e.getKey()));
        z.write(e.getValue());
        z.closeEntry();
      }
    }
    return out.toByteArray();
  }

  static byte[] jar(Map<String, byte[]> entries) throws IOException {
    return zip(entries); // a jar without a manifest is a zip
  }

  @Test
  void theFactoryImageIsSignedWithTheDevelopmentKeyAndMeasured() throws Exception {
    BootRom.Loaded loaded = load(factoryImage());
    assertThat(loaded.measurement().signer()).startsWith(FirmwareSigner.DEV_SIGNER);
    assertThat(loaded.measurement().svn()).isPositive();
    assertThat(loaded.measurement().digest()).hasSize(96);
    assertThat(loaded.measurement().version()).isNotBlank();
  }

  @Test
  void anUnsignedImageIsRefused() throws Exception {
    Map<String, byte[]> e = entries(factoryImage());
    e.remove(FirmwareManifest.SIGNATURE_PATH);
    assertThatThrownBy(() -> load(zip(e))).hasMessage("the firmware image is not signed");
    e.remove(FirmwareManifest.PATH);
    assertThatThrownBy(() -> load(zip(e))).hasMessage("the firmware image is not signed");
  }

  @Test
  void aOneByteChangeAnywhereIsRefused() throws Exception {
    Map<String, byte[]> e = entries(factoryImage());
    byte[] jar = e.get("firmware/ihsm-firmware.jar").clone();
    jar[jar.length / 2] ^= 1;
    Map<String, byte[]> changedJar = new LinkedHashMap<>(e);
    changedJar.put("firmware/ihsm-firmware.jar", jar);
    assertThatThrownBy(() -> load(zip(changedJar)))
        .hasMessage("digest mismatch for firmware/ihsm-firmware.jar");
    byte[] manifest = e.get(FirmwareManifest.PATH).clone();
    manifest[manifest.length - 2] ^= 1;
    Map<String, byte[]> changedManifest = new LinkedHashMap<>(e);
    changedManifest.put(FirmwareManifest.PATH, manifest);
    assertThatThrownBy(() -> load(zip(changedManifest)))
        .hasMessage("the firmware signature does not verify with the pinned key");
  }

  @Test
  void anImageSignedWithAForeignKeyIsRefused() throws Exception {
    FirmwareSigner.Keys foreign = foreignKeys();
    byte[] resigned = FirmwareSigner.sign(factoryImage(), foreign, "someone else", "9.9", 99);
    assertThatThrownBy(() -> load(resigned))
        .hasMessage("the firmware signature does not verify with the pinned key");
    // The same image is fine for a device that pins those keys.
    assertThat(BootRom.load(resigned, foreign.pinned(), 0, "test").measurement().svn())
        .isEqualTo(99);
  }

  @Test
  void bothSignaturesAreRequiredAndEachMustVerifyWithItsPinnedKey() throws Exception {
    FirmwareSigner.Keys keys = foreignKeys();
    FirmwareKeys pinned = keys.pinned();
    byte[] signed = FirmwareSigner.sign(factoryImage(), keys, "release", "2.0", 2);
    assertThat(BootRom.verify(signed, pinned, 0).svn()).isEqualTo(2);

    Map<String, byte[]> noLms = entries(signed);
    noLms.remove(FirmwareManifest.LMS_SIGNATURE_PATH);
    assertThatThrownBy(() -> BootRom.verify(zip(noLms), pinned, 0))
        .hasMessage(
            "the firmware image has no HSS/LMS signature (both ECDSA P-384 and HSS/LMS are required)");

    Map<String, byte[]> badLms = entries(signed);
    badLms.get(FirmwareManifest.LMS_SIGNATURE_PATH)[100] ^= 1;
    assertThatThrownBy(() -> BootRom.verify(zip(badLms), pinned, 0))
        .hasMessage("the firmware's HSS/LMS signature does not verify with the pinned LMS key");

    Map<String, byte[]> truncatedLms = entries(signed);
    truncatedLms.put(FirmwareManifest.LMS_SIGNATURE_PATH, new byte[] {0, 0, 0, 1});
    assertThatThrownBy(() -> BootRom.verify(zip(truncatedLms), pinned, 0))
        .hasMessage("the firmware's HSS/LMS signature does not verify with the pinned LMS key");

    Map<String, byte[]> badEcdsa = entries(signed);
    badEcdsa.get(FirmwareManifest.SIGNATURE_PATH)[10] ^= 1;
    assertThatThrownBy(() -> BootRom.verify(zip(badEcdsa), pinned, 0))
        .hasMessage("the firmware signature does not verify with the pinned key");

    Map<String, byte[]> noEcdsa = entries(signed);
    noEcdsa.remove(FirmwareManifest.SIGNATURE_PATH);
    assertThatThrownBy(() -> BootRom.verify(zip(noEcdsa), pinned, 0))
        .hasMessage("the firmware image is not signed");

    // The right ECDSA key with another LMS key pinned, and the other way round.
    FirmwareKeys otherLms = new FirmwareKeys(pinned.ecdsa(), foreignKeys().lms().publicKey());
    assertThatThrownBy(() -> BootRom.verify(signed, otherLms, 0))
        .hasMessage("the firmware's HSS/LMS signature does not verify with the pinned LMS key");
    FirmwareKeys otherEcdsa = new FirmwareKeys(foreignKey().getPublic(), pinned.lms());
    assertThatThrownBy(() -> BootRom.verify(signed, otherEcdsa, 0))
        .hasMessage("the firmware signature does not verify with the pinned key");
  }

  @Test
  void theFactoryImageCarriesBothSignatures() throws Exception {
    Map<String, byte[]> e = entries(factoryImage());
    assertThat(e)
        .containsKeys(FirmwareManifest.SIGNATURE_PATH, FirmwareManifest.LMS_SIGNATURE_PATH);
    assertThat(Device.pinnedKeys().lms().getAlgorithm()).isEqualTo("HSS/LMS");
  }

  @Test
  void aFileSmuggledIntoASignedImageIsRefused() throws Exception {
    Map<String, byte[]> e = entries(factoryImage());
    e.put("firmware/extra.jar", jar(Map.of("x", new byte[] {1})));
    assertThatThrownBy(() -> load(zip(e)))
        .hasMessage("the firmware image's files do not match its manifest");
    Map<String, byte[]> other = entries(factoryImage());
    other.put("README.txt", new byte[] {1});
    assertThatThrownBy(() -> load(zip(other)))
        .hasMessage("firmware image holds an unexpected or repeated file");
  }

  @Test
  void anSvnBelowTheFusedSvnIsARollbackAndRefused() throws Exception {
    int svn = load(factoryImage()).measurement().svn();
    assertThatThrownBy(() -> BootRom.load(factoryImage(), Device.pinnedKeys(), svn + 1, "test"))
        .hasMessage(
            "firmware SVN " + svn + " is below the fused SVN " + (svn + 1) + " (rollback refused)");
    try (StateDirectory state = StateDirectory.open(tmp.resolve("state"))) {
      state.rom().write("fused-svn", ByteBuffer.allocate(4).putInt(svn + 1).array());
    }
    try (Device d = Device.powerOn(DeviceConfig.of(tmp.resolve("state")))) {
      DeviceStatus s = status(d);
      assertThat(s.state()).isEqualTo(DeviceState.ERROR);
      assertThat(s.reason()).contains("rollback refused");
    }
  }

  @Test
  void theFactoryImageBootsIntoAnIsolatedClassLoader() throws Exception {
    FirmwareEntryPoint entry = load(factoryImage()).entry();
    ClassLoader fwLoader = entry.getClass().getClassLoader();
    assertThat(entry.getClass().getName()).isEqualTo("io.ihsm.firmware.IhsmFirmware");
    assertThat(fwLoader).isNotSameAs(BootRomTest.class.getClassLoader());
    // The host cannot name firmware classes...
    assertThatThrownBy(() -> Class.forName("io.ihsm.firmware.IhsmFirmware"))
        .isInstanceOf(ClassNotFoundException.class);
    // ...the firmware cannot see host classes...
    assertThatThrownBy(() -> fwLoader.loadClass(Device.class.getName()))
        .isInstanceOf(ClassNotFoundException.class);
    // ...and both share exactly the DDI types of the entry-point interface.
    assertThat(fwLoader.loadClass(Port.class.getName())).isSameAs(Port.class);
  }

  @Test
  void aDeviceBootedFromTheFactoryImageIsOperational() throws Exception {
    try (Device d = Device.powerOn(DeviceConfig.of(tmp.resolve("state")))) {
      assertThat(d.bootFailure()).isEmpty();
      assertThat(status(d).state()).isEqualTo(DeviceState.OPERATIONAL);
      assertThat(d.identity().serialNumber()).startsWith("IHSM-");
    }
  }

  @Test
  void theFirmwareRunsOnAwsLcWhenItsNativeLibraryLoadsFromTheImage() throws Exception {
    boolean linuxX64 =
        System.getProperty("os.name").equals("Linux")
            && System.getProperty("os.arch").equals("amd64");
    try (Device d = Device.powerOn(DeviceConfig.of(tmp.resolve("state")))) {
      byte[] req =
          Frames.encodeRequest(
              RequestHeader.of(ApiRevision.V1_0, Opcode.GET_DEVICE_INFO, 0, 1), new byte[0]);
      DeviceInfo info =
          DeviceInfo.read(
              Frames.decodeResponse(d.process(Port.MANAGEMENT, ClientBinding.random(), req))
                  .body());
      assertThat(info.cryptoEngine()).startsWith(linuxX64 ? "ACCP 2.5.0" : "JDK");
    }
  }

  @Test
  void theSerialNumberIsKeptAcrossPowerCycles() throws Exception {
    String first;
    try (Device d = Device.powerOn(DeviceConfig.of(tmp.resolve("state")))) {
      first = d.identity().serialNumber();
    }
    try (Device d = Device.powerOn(DeviceConfig.of(tmp.resolve("state")))) {
      assertThat(d.identity().serialNumber()).isEqualTo(first);
    }
  }

  @Test
  void garbageIsNotAnImage() {
    assertThatThrownBy(() -> load(new byte[] {1, 2, 3, 4}))
        .isInstanceOf(FirmwareImage.InvalidImageException.class)
        .hasMessageContaining("no firmware/*.jar");
  }

  @Test
  void anImageWithoutAnEntryPointIsRefused() throws Exception {
    byte[] image = zip(Map.of("firmware/empty.jar", jar(Map.of("readme.txt", new byte[] {1}))));
    FirmwareSigner.Keys k = foreignKeys();
    byte[] signed = FirmwareSigner.sign(image, k, "test", "1", 1);
    assertThatThrownBy(() -> BootRom.load(signed, k.pinned(), 0, "test"))
        .hasMessage("firmware image declares no entry point");
  }

  @Test
  void anEntryPointNamingAMissingClassIsRefused() throws Exception {
    byte[] image =
        zip(
            Map.of(
                "firmware/bad.jar",
                jar(
                    Map.of(
                        "META-INF/services/io.ihsm.ddi.spi.FirmwareEntryPoint",
                        "no.such.Firmware\n".getBytes()))));
    FirmwareSigner.Keys k = foreignKeys();
    byte[] signed = FirmwareSigner.sign(image, k, "test", "1", 1);
    assertThatThrownBy(() -> BootRom.load(signed, k.pinned(), 0, "test"))
        .hasMessage("firmware entry point cannot be loaded");
  }

  @Test
  void anImageThatExpandsBeyondItsBudgetIsRefused() throws IOException {
    // Highly compressible entries: a small image that would expand to more than the budget.
    byte[] zeros = new byte[8 << 20];
    Map<String, byte[]> entries = new LinkedHashMap<>();
    for (int i = 0; i < 40; i++) {
      entries.put("firmware/lib" + i + ".jar", zeros);
    }
    byte[] image = zip(entries);
    assertThat(image.length).isLessThan(FirmwareImage.MAX_IMAGE_BYTES);
    assertThatThrownBy(() -> load(image)).hasMessageContaining("expands beyond");
  }

  @Test
  void aCorruptJarInsideTheImageIsRefused() throws IOException {
    byte[] image = zip(Map.of("firmware/corrupt.jar", new byte[] {'P', 'K', 3, 4, 9, 9, 9}));
    assertThatThrownBy(() -> load(image)).isInstanceOf(FirmwareImage.InvalidImageException.class);
  }

  @Test
  void aBadImageLeavesTheDeviceInErrorWithStatusStillReadable() throws Exception {
    Path image = tmp.resolve("bad.img");
    Files.write(image, new byte[] {'n', 'o', 'p', 'e'});
    try (Device d = Device.powerOn(new DeviceConfig(tmp.resolve("state"), Optional.of(image)))) {
      assertThat(d.bootFailure()).contains("firmware image contains no firmware/*.jar");
      DeviceStatus s = status(d);
      assertThat(s.state()).isEqualTo(DeviceState.ERROR);
      assertThat(s.reason()).isEqualTo("firmware image contains no firmware/*.jar");
      assertThat(s.firmwareVersion()).isEmpty();
      byte[] random =
          Frames.encodeRequest(
              RequestHeader.of(ApiRevision.V1_0, Opcode.GET_RANDOM, 0, 2),
              new GetRandomRequest(8).toBytes());
      assertThat(
              Frames.decodeResponse(d.process(Port.MANAGEMENT, ClientBinding.random(), random))
                  .header()
                  .status())
          .isEqualTo(Status.DEVICE_NOT_OPERATIONAL);
      byte[] noRevision =
          Frames.encodeRequest(
              RequestHeader.of(ApiRevision.NONE, Opcode.GET_DEVICE_STATUS, 0, 3), new byte[0]);
      assertThat(
              Frames.decodeResponse(d.process(Port.MANAGEMENT, ClientBinding.random(), noRevision))
                  .header()
                  .status())
          .isEqualTo(Status.MISSING_API_REVISION);
    }
  }

  static DeviceStatus status(Device d) throws DdiException {
    byte[] req =
        Frames.encodeRequest(
            RequestHeader.of(ApiRevision.V1_0, Opcode.GET_DEVICE_STATUS, 0, 1), new byte[0]);
    Frames.Response r =
        Frames.decodeResponse(d.process(Port.MANAGEMENT, ClientBinding.random(), req));
    assertThat(r.header().status()).isEqualTo(Status.SUCCESS);
    return DeviceStatus.read(r.body());
  }
}
