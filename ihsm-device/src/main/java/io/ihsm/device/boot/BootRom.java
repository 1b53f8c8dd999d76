package io.ihsm.device.boot;

import io.ihsm.ddi.spi.FirmwareEntryPoint;
import io.ihsm.ddi.spi.FirmwareMeasurement;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The card's boot ROM. It takes the firmware image as bytes, verifies the manifest's ECDSA P-384
 * and HSS/LMS signatures against the two pinned keys (both are required), checks every file's
 * SHA-384 against the manifest on the very bytes it will load (no gap between check and load),
 * refuses an SVN below the fused SVN (anti-rollback), records the measurement, and only then loads
 * the firmware into an isolated class loader and finds its entry point. Any failure is the reason
 * the device reports in ERROR.
 */
public final class BootRom {
  /**
   * Firmware already loaded in this JVM, by the SHA-384 of its image: a power cycle or a second
   * device booting byte-identical firmware reuses its classes (and ACCP's native library, which a
   * JVM should load once) instead of loading them again. Entry points hold no state.
   */
  private static final Map<String, FirmwareEntryPoint> LOADED = new ConcurrentHashMap<>();

  private BootRom() {}

  /** A verified, loaded firmware and what was measured. */
  public record Loaded(FirmwareEntryPoint entry, FirmwareMeasurement measurement) {}

  /**
   * Verifies and loads an image.
   *
   * @param pinned the public keys firmware must be signed with (the ROM's)
   * @param fusedSvn the lowest SVN this device accepts
   * @param source where the image came from, for reports
   * @throws FirmwareImage.InvalidImageException with the reason the device reports in ERROR
   */
  public static Loaded load(byte[] image, FirmwareKeys pinned, int fusedSvn, String source)
      throws FirmwareImage.InvalidImageException {
    FirmwareImage parsed = FirmwareImage.parse(image);
    FirmwareManifest manifest = verify(parsed, pinned, fusedSvn);
    String digest = sha384(parsed.manifest());
    FirmwareMeasurement measurement =
        new FirmwareMeasurement(
            manifest.version(), manifest.svn(), digest, manifest.signer(), source);
    // Classes are loaded once per JVM for identical firmware; the checks above run on every boot.
    // The signed manifest names every file's digest, each just checked against the image, so the
    // manifest's own digest names the firmware (hashing the whole image again cost a CLI command
    // a tenth of its start-up).
    FirmwareEntryPoint cached = LOADED.get(digest);
    if (cached == null) {
      FirmwareEntryPoint entry = loadVerified(parsed);
      FirmwareEntryPoint raced = LOADED.putIfAbsent(digest, entry);
      cached = raced != null ? raced : entry;
    }
    return new Loaded(cached, measurement);
  }

  /**
   * The checks alone, for `ihsm firmware verify`: the manifest of a good image, or the reason it is
   * not.
   */
  public static FirmwareManifest verify(byte[] image, FirmwareKeys pinned, int fusedSvn)
      throws FirmwareImage.InvalidImageException {
    return verify(FirmwareImage.parse(image), pinned, fusedSvn);
  }

  private static FirmwareManifest verify(FirmwareImage image, FirmwareKeys pinned, int fusedSvn)
      throws FirmwareImage.InvalidImageException {
    if (image.manifest() == null || image.signature() == null) {
      throw new FirmwareImage.InvalidImageException("the firmware image is not signed");
    }
    if (!verifies("SHA384withECDSA", pinned.ecdsa(), image.manifest(), image.signature())) {
      throw new FirmwareImage.InvalidImageException(
          "the firmware signature does not verify with the pinned key");
    }
    if (image.lmsSignature() == null) {
      throw new FirmwareImage.InvalidImageException(
          "the firmware image has no HSS/LMS signature (both ECDSA P-384 and HSS/LMS are required)");
    }
    if (!verifies("HSS/LMS", pinned.lms(), image.manifest(), image.lmsSignature())) {
      throw new FirmwareImage.InvalidImageException(
          "the firmware's HSS/LMS signature does not verify with the pinned LMS key");
    }
    FirmwareManifest manifest = FirmwareManifest.decode(image.manifest());
    if (!manifest.fileDigests().keySet().equals(image.jars().keySet())) {
      throw new FirmwareImage.InvalidImageException(
          "the firmware image's files do not match its manifest");
    }
    for (var jar : image.jars().entrySet()) {
      if (!manifest.fileDigests().get(jar.getKey()).equals(sha384(jar.getValue()))) {
        throw new FirmwareImage.InvalidImageException("digest mismatch for " + jar.getKey());
      }
    }
    if (manifest.svn() < fusedSvn) {
      throw new FirmwareImage.InvalidImageException(
          "firmware SVN "
              + manifest.svn()
              + " is below the fused SVN "
              + fusedSvn
              + " (rollback refused)");
    }
    return manifest;
  }

  private static boolean verifies(
      String algorithm, PublicKey key, byte[] message, byte[] signature) {
    try {
      Signature s = Signature.getInstance(algorithm);
      s.initVerify(key);
      s.update(message);
      return s.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false; // a malformed signature verifies nothing
    }
  }

  private static String sha384(byte[] image) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-384").digest(image));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-384 in this JDK", e);
    }
  }

  private static FirmwareEntryPoint loadVerified(FirmwareImage parsed)
      throws FirmwareImage.InvalidImageException {
    FirmwareClassLoader loader;
    try {
      loader = new FirmwareClassLoader(parsed);
    } catch (FirmwareImage.InvalidImageException e) {
      throw e;
    } catch (IOException e) {
      throw new FirmwareImage.InvalidImageException("a firmware jar in the image is unreadable");
    }
    Iterator<FirmwareEntryPoint> found;
    FirmwareEntryPoint entry;
    try {
      found = ServiceLoader.load(FirmwareEntryPoint.class, loader).iterator();
      if (!found.hasNext()) {
        throw new FirmwareImage.InvalidImageException("firmware image declares no entry point");
      }
      entry = found.next();
      if (found.hasNext()) {
        throw new FirmwareImage.InvalidImageException(
            "firmware image declares more than one entry point");
      }
    } catch (ServiceConfigurationError | LinkageError e) {
      throw new FirmwareImage.InvalidImageException("firmware entry point cannot be loaded");
    }
    if (entry.getClass().getClassLoader() != loader) {
      throw new FirmwareImage.InvalidImageException(
          "firmware entry point does not come from the image");
    }
    return entry;
  }
}
