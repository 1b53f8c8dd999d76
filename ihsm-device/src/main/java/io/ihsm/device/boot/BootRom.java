package io.ihsm.device.boot;

import io.ihsm.ddi.spi.FirmwareEntryPoint;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Iterator;
import java.util.ServiceLoader;

/**
 * The card's boot ROM: takes the firmware image as bytes, loads it into an isolated class loader
 * and finds its entry point. (Signature, digest and anti-rollback checks of the image belong here
 * and come with the signed-firmware work.)
 */
public final class BootRom {
  /**
   * Firmware already loaded in this JVM, by the SHA-384 of its image: a power cycle or a second
   * device booting byte-identical firmware reuses its classes (and ACCP's native library, which a
   * JVM should load once) instead of loading them again. Entry points hold no state.
   */
  private static final Map<String, FirmwareEntryPoint> LOADED = new ConcurrentHashMap<>();

  private BootRom() {}

  /** @throws FirmwareImage.InvalidImageException with the reason the device reports in ERROR */
  public static FirmwareEntryPoint load(byte[] image) throws FirmwareImage.InvalidImageException {
    String digest = sha384(image);
    FirmwareEntryPoint cached = LOADED.get(digest);
    if (cached != null) {
      return cached;
    }
    FirmwareEntryPoint entry = loadUncached(image);
    FirmwareEntryPoint raced = LOADED.putIfAbsent(digest, entry);
    return raced != null ? raced : entry;
  }

  private static String sha384(byte[] image) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-384").digest(image));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-384 in this JDK", e);
    }
  }

  private static FirmwareEntryPoint loadUncached(byte[] image) throws FirmwareImage.InvalidImageException {
    FirmwareImage parsed = FirmwareImage.parse(image);
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
        throw new FirmwareImage.InvalidImageException("firmware image declares more than one entry point");
      }
    } catch (java.util.ServiceConfigurationError | LinkageError e) {
      throw new FirmwareImage.InvalidImageException("firmware entry point cannot be loaded");
    }
    if (entry.getClass().getClassLoader() != loader) {
      throw new FirmwareImage.InvalidImageException("firmware entry point does not come from the image");
    }
    return entry;
  }
}
