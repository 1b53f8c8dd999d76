package io.ihsm.firmware;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** This firmware's version and security version number (SVN), stamped in by the build. */
public record FirmwareIdentity(String version, int svn) {
  public static FirmwareIdentity load() {
    try (InputStream in = FirmwareIdentity.class.getResourceAsStream("firmware.properties")) {
      if (in == null) {
        throw new IllegalStateException("firmware.properties is missing from the firmware");
      }
      Properties p = new Properties();
      p.load(in);
      return new FirmwareIdentity(p.getProperty("version"), Integer.parseInt(p.getProperty("svn")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
