package io.ihsm.device.boot;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A firmware image parsed from bytes held in memory: a zip whose {@code firmware/*.jar} entries are
 * the firmware and its libraries, with the signed manifest ({@link FirmwareManifest}) and its two
 * signatures (ECDSA P-384 and HSS/LMS). Nothing else may be in it. Every size is bounded before it
 * is read, so a hostile image cannot exhaust memory. The boot ROM verifies and then loads classes
 * from exactly these bytes.
 */
public final class FirmwareImage {
  public static final int MAX_IMAGE_BYTES = 64 << 20;
  static final int MAX_ENTRIES = 4096;
  static final int MAX_ENTRY_BYTES = 32 << 20;

  /** Bound on everything an image expands to (image entries, then the classes inside its jars). */
  static final long MAX_EXPANDED_BYTES = 256L << 20;

  private final Map<String, byte[]> jars;
  private final byte[] manifest;
  private final byte[] signature;
  private final byte[] lmsSignature;

  private FirmwareImage(
      Map<String, byte[]> jars, byte[] manifest, byte[] signature, byte[] lmsSignature) {
    this.jars = Collections.unmodifiableMap(jars);
    this.manifest = manifest;
    this.signature = signature;
    this.lmsSignature = lmsSignature;
  }

  /** The manifest's bytes, or null when the image has none (unsigned). */
  byte[] manifest() {
    return manifest;
  }

  /** The ECDSA P-384 signature over the manifest, or null when the image has none. */
  byte[] signature() {
    return signature;
  }

  /** The HSS/LMS signature over the manifest, or null when the image has none. */
  byte[] lmsSignature() {
    return lmsSignature;
  }

  /**
   * An image to be signed: its jars; a manifest or signature in it is ignored (it will be
   * replaced).
   */
  static FirmwareImage parseUnsigned(byte[] image) throws InvalidImageException {
    FirmwareImage f = parse(image);
    return new FirmwareImage(f.jars, null, null, null);
  }

  /**
   * @throws InvalidImageException with a reason fit for the device status
   */
  public static FirmwareImage parse(byte[] image) throws InvalidImageException {
    if (image.length > MAX_IMAGE_BYTES) {
      throw new InvalidImageException("firmware image exceeds " + MAX_IMAGE_BYTES + " bytes");
    }
    Map<String, byte[]> jars = new LinkedHashMap<>();
    byte[] manifest = null;
    byte[] signature = null;
    byte[] lmsSignature = null;
    ExpansionBudget budget = new ExpansionBudget();
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(image))) {
      int entries = 0;
      for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        if (++entries > MAX_ENTRIES) {
          throw new InvalidImageException("firmware image has too many entries");
        }
        if (e.isDirectory()) {
          continue;
        }
        byte[] content = budget.take(readBounded(zip, MAX_ENTRY_BYTES));
        String name = e.getName();
        if (name.equals(FirmwareManifest.PATH) && manifest == null) {
          manifest = content;
        } else if (name.equals(FirmwareManifest.SIGNATURE_PATH) && signature == null) {
          signature = content;
        } else if (name.equals(FirmwareManifest.LMS_SIGNATURE_PATH) && lmsSignature == null) {
          lmsSignature = content;
        } else if (name.startsWith("firmware/")
            && name.endsWith(".jar")
            && !jars.containsKey(name)) {
          jars.put(name, content);
        } else {
          throw new InvalidImageException("firmware image holds an unexpected or repeated file");
        }
      }
    } catch (InvalidImageException e) {
      throw e;
    } catch (IOException e) {
      throw new InvalidImageException("firmware image is not a readable zip archive");
    }
    if (jars.isEmpty()) {
      throw new InvalidImageException("firmware image contains no firmware/*.jar");
    }
    return new FirmwareImage(jars, manifest, signature, lmsSignature);
  }

  /** The jars in image order, name to bytes. */
  public Map<String, byte[]> jars() {
    return jars;
  }

  static byte[] readBounded(InputStream in, int max) throws IOException {
    byte[] content = in.readNBytes(max + 1);
    if (content.length > max) {
      throw new InvalidImageException("an entry of the firmware image exceeds " + max + " bytes");
    }
    return content;
  }

  /**
   * Counts expanded bytes and entries so a small, highly compressed image cannot exhaust memory.
   */
  static final class ExpansionBudget {
    private long bytes;
    private int entries;

    byte[] take(byte[] content) throws InvalidImageException {
      take(content.length);
      return content;
    }

    /** Counts an entry of this many bytes (declared, for one inflated later). */
    void take(int size) throws InvalidImageException {
      bytes += size;
      if (++entries > MAX_ENTRIES * 16 || bytes > MAX_EXPANDED_BYTES) {
        throw new InvalidImageException(
            "firmware image expands beyond "
                + MAX_EXPANDED_BYTES
                + " bytes or "
                + MAX_ENTRIES * 16
                + " files");
      }
    }
  }

  /** Why an image cannot be booted. */
  public static final class InvalidImageException extends IOException {
    public InvalidImageException(String reason) {
      super(reason);
    }
  }
}
