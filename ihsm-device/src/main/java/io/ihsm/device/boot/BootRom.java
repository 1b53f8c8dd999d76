package io.ihsm.device.boot;

import io.ihsm.ddi.spi.FirmwareEntryPoint;
import java.io.IOException;
import java.util.Iterator;
import java.util.ServiceLoader;

/**
 * The card's boot ROM: takes the firmware image as bytes, loads it into an isolated class loader
 * and finds its entry point. (Signature, digest and anti-rollback checks of the image belong here
 * and come with the signed-firmware work.)
 */
public final class BootRom {
  private BootRom() {}

  /** @throws FirmwareImage.InvalidImageException with the reason the device reports in ERROR */
  public static FirmwareEntryPoint load(byte[] image) throws FirmwareImage.InvalidImageException {
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
