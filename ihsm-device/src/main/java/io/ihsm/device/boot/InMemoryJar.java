package io.ihsm.device.boot;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A jar held in memory, read as a zip reader reads a file: its central directory is indexed at
 * once, and an entry is inflated only when the firmware loads it (most of the firmware's libraries
 * are never loaded, and inflating all of them was most of an embedded device's boot). The bytes
 * were checked against the signed manifest before this reads them; still every offset and size is
 * bounded before use, and anything but a plain (stored or deflated, unencrypted, 32-bit) zip is
 * refused.
 */
final class InMemoryJar {
  private static final int EOCD = 0x06054b50;
  private static final int CENTRAL = 0x02014b50;
  private static final int LOCAL = 0x04034b50;
  private static final int STORED = 0;
  private static final int DEFLATED = 8;

  private record Entry(int method, int compressedSize, int size, int localHeader) {}

  private final String name;
  private final byte[] jar;
  private final Map<String, Entry> entries;

  private InMemoryJar(String name, byte[] jar, Map<String, Entry> entries) {
    this.name = name;
    this.jar = jar;
    this.entries = entries;
  }

  /**
   * Indexes a jar's files; their declared sizes count against {@code budget}.
   *
   * @throws FirmwareImage.InvalidImageException when it is not a zip this reads, or too large
   */
  static InMemoryJar of(String name, byte[] jar, FirmwareImage.ExpansionBudget budget)
      throws FirmwareImage.InvalidImageException {
    int eocd = -1;
    for (int i = jar.length - 22; i >= 0 && i >= jar.length - 22 - 0xFFFF; i--) {
      if (u32(jar, i) == EOCD) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) {
      throw bad(name, "has no end of central directory");
    }
    int count = u16(jar, eocd + 10);
    long cdSize = u32(jar, eocd + 12);
    long cdOffset = u32(jar, eocd + 16);
    if (cdOffset + cdSize > eocd) {
      throw bad(name, "has a central directory outside it");
    }
    Map<String, Entry> entries = new LinkedHashMap<>();
    int at = (int) cdOffset;
    for (int i = 0; i < count; i++) {
      if (at + 46 > eocd || u32(jar, at) != CENTRAL) {
        throw bad(name, "has a malformed central directory");
      }
      int flags = u16(jar, at + 8);
      int method = u16(jar, at + 10);
      long compressed = u32(jar, at + 20);
      long size = u32(jar, at + 24);
      int nameLength = u16(jar, at + 28);
      int extraLength = u16(jar, at + 30);
      int commentLength = u16(jar, at + 32);
      long local = u32(jar, at + 42);
      int next = at + 46 + nameLength + extraLength + commentLength;
      if (next > eocd) {
        throw bad(name, "has a malformed central directory");
      }
      String entry = new String(jar, at + 46, nameLength, StandardCharsets.UTF_8);
      if ((flags & 1) != 0 || (method != STORED && method != DEFLATED)) {
        throw bad(name, "has an encrypted or unusually compressed entry " + entry);
      }
      if (size > FirmwareImage.MAX_ENTRY_BYTES
          || compressed > jar.length
          || local >= cdOffset
          || (method == STORED && compressed != size)) {
        throw bad(name, "has an entry of impossible size " + entry);
      }
      if (!entry.endsWith("/")) {
        budget.take((int) size);
        entries.putIfAbsent(entry, new Entry(method, (int) compressed, (int) size, (int) local));
      }
      at = next;
    }
    return new InMemoryJar(name, jar, entries);
  }

  Set<String> names() {
    return entries.keySet();
  }

  /**
   * An entry's content, inflated now.
   *
   * @throws FirmwareImage.InvalidImageException when it does not read as its directory says
   */
  byte[] read(String entry) throws FirmwareImage.InvalidImageException {
    Entry e = entries.get(entry);
    if (e == null) {
      return null;
    }
    int h = e.localHeader();
    if (h + 30 > jar.length || u32(jar, h) != LOCAL) {
      throw bad(name, "has no local header for " + entry);
    }
    long data = (long) h + 30 + u16(jar, h + 26) + u16(jar, h + 28);
    if (data + e.compressedSize() > jar.length) {
      throw bad(name, "ends inside " + entry);
    }
    if (e.method() == STORED) {
      return Arrays.copyOfRange(jar, (int) data, (int) data + e.size());
    }
    Inflater inflater = new Inflater(true);
    try {
      inflater.setInput(jar, (int) data, e.compressedSize());
      byte[] out = new byte[e.size()];
      int n = 0;
      while (n < out.length && !inflater.finished()) {
        int got = inflater.inflate(out, n, out.length - n);
        if (got == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          break;
        }
        n += got;
      }
      if (n != out.length || !inflater.finished()) {
        throw bad(name, "does not inflate " + entry + " to its declared size");
      }
      return out;
    } catch (DataFormatException ex) {
      throw bad(name, "has a corrupt entry " + entry);
    } finally {
      inflater.end();
    }
  }

  private static FirmwareImage.InvalidImageException bad(String jar, String what) {
    return new FirmwareImage.InvalidImageException("firmware file " + jar + " " + what);
  }

  private static int u16(byte[] b, int at) {
    return at + 2 > b.length || at < 0 ? -1 : (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8;
  }

  private static long u32(byte[] b, int at) {
    return at + 4 > b.length || at < 0
        ? -1
        : (b[at] & 0xFFL)
            | (b[at + 1] & 0xFFL) << 8
            | (b[at + 2] & 0xFFL) << 16
            | (b[at + 3] & 0xFFL) << 24;
  }
}
