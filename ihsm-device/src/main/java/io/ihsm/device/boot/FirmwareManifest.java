package io.ihsm.device.boot;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The signed statement about a firmware image: its version, security version number (SVN), who
 * signed it, and the SHA-384 of every file it carries. Text, one {@code key=value} per line, keys
 * sorted, so the bytes signed are canonical. The boot ROM checks the signature over exactly these
 * bytes, then every digest against the bytes it loads.
 *
 * <pre>
 * format=ihsm-firmware-1
 * signer=ihsm development key (NOT FOR PRODUCTION) 3f2a...
 * svn=1
 * version=0.1.0
 * file.firmware/ihsm-firmware.jar=sha384:9a1b...
 * </pre>
 */
public record FirmwareManifest(
    String version, int svn, String signer, Map<String, String> fileDigests) {
  public static final String FORMAT = "ihsm-firmware-1";
  public static final String PATH = "META-INF/IHSM-FIRMWARE.MF";
  public static final String SIGNATURE_PATH = "META-INF/IHSM-FIRMWARE.SIG";

  /** The manifest's HSS/LMS signature (RFC 8554), which the boot ROM requires as well. */
  public static final String LMS_SIGNATURE_PATH = "META-INF/IHSM-FIRMWARE.LMS";

  static final int MAX_BYTES = 64 * 1024;

  public FirmwareManifest {
    fileDigests = Collections.unmodifiableMap(new TreeMap<>(fileDigests));
  }

  public byte[] encode() {
    Map<String, String> lines = new TreeMap<>();
    lines.put("format", FORMAT);
    lines.put("version", version);
    lines.put("svn", Integer.toString(svn));
    lines.put("signer", signer);
    fileDigests.forEach((file, digest) -> lines.put("file." + file, "sha384:" + digest));
    StringBuilder b = new StringBuilder();
    lines.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Parses strictly: known keys only, each once, sorted, the canonical encoding and nothing else.
   */
  public static FirmwareManifest decode(byte[] bytes) throws FirmwareImage.InvalidImageException {
    if (bytes.length > MAX_BYTES) {
      throw new FirmwareImage.InvalidImageException("the firmware manifest is too large");
    }
    Map<String, String> lines = new LinkedHashMap<>();
    for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n", -1)) {
      if (line.isEmpty()) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq <= 0 || lines.put(line.substring(0, eq), line.substring(eq + 1)) != null) {
        throw new FirmwareImage.InvalidImageException("the firmware manifest is malformed");
      }
    }
    if (!FORMAT.equals(lines.get("format"))) {
      throw new FirmwareImage.InvalidImageException("the firmware manifest has an unknown format");
    }
    Map<String, String> files = new TreeMap<>();
    for (var e : lines.entrySet()) {
      if (e.getKey().startsWith("file.")) {
        if (!e.getValue().matches("sha384:[0-9a-f]{96}")) {
          throw new FirmwareImage.InvalidImageException(
              "the firmware manifest has a malformed digest");
        }
        files.put(e.getKey().substring(5), e.getValue().substring(7));
      } else if (!Map.of("format", 1, "version", 1, "svn", 1, "signer", 1)
          .containsKey(e.getKey())) {
        throw new FirmwareImage.InvalidImageException("the firmware manifest has an unknown key");
      }
    }
    FirmwareManifest m;
    try {
      m =
          new FirmwareManifest(
              lines.get("version"), Integer.parseInt(lines.get("svn")), lines.get("signer"), files);
    } catch (NumberFormatException | NullPointerException e) {
      throw new FirmwareImage.InvalidImageException(
          "the firmware manifest lacks its version, SVN or signer");
    }
    if (m.svn() < 0 || !Arrays.equals(m.encode(), bytes)) {
      throw new FirmwareImage.InvalidImageException(
          "the firmware manifest is not in canonical form");
    }
    return m;
  }
}
