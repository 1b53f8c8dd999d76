package io.ihsm.cli;

import io.ihsm.ddi.credential.Credential;
import io.ihsm.device.nv.AtomicFile;
import io.ihsm.device.nv.OwnerOnly;
import io.ihsm.sdk.IhsmClient;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Properties;

/**
 * The Crypto Officer credential the CLI keeps for a device, in
 * {@code <home>/crypto-officer/<serial>.credential} (owner-only). A development and
 * single-administrator convenience, documented as such: the file holds the PIN, so whoever can
 * read it is the Crypto Officer. Production deployments keep the CO PIN elsewhere
 * ({@code IHSM_CO_PIN} overrides the file's PIN).
 */
final class CryptoOfficerFile {
  private CryptoOfficerFile() {}

  static Path path(Path home, String serial) {
    return home.resolve("crypto-officer").resolve(serial + ".credential");
  }

  /** Creates the device's first Crypto Officer with a random id and PIN, and records it. */
  static Path init(IhsmClient hsm, Path home) {
    String serial = hsm.deviceInfo().serialNumber();
    Path file = path(home, serial);
    byte[] id = hsm.randomBytes(Credential.ID_BYTES);
    String pin = HexFormat.of().formatHex(hsm.randomBytes(16));
    try (Credential c = Credential.of(id, pin)) {
      hsm.initCryptoOfficer(c);
      Properties p = new Properties();
      p.setProperty("id", HexFormat.of().formatHex(id));
      p.setProperty("pin", pin);
      OwnerOnly.createDirectories(home);
      OwnerOnly.createDirectories(file.getParent());
      java.io.StringWriter w = new java.io.StringWriter();
      p.store(w, "ihsm Crypto Officer credential for device " + serial + "; keep secret");
      AtomicFile.write(file, w.toString().getBytes(StandardCharsets.ISO_8859_1));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("the Crypto Officer was created but its credential could not be saved to " + file, e);
    }
  }

  /**
   * The recorded credential for this device. On the embedded device a missing one is created on
   * first use; against a daemon it must come from `ihsm device init`.
   */
  static Credential load(IhsmClient hsm, Path home, boolean embedded) {
    String serial = hsm.deviceInfo().serialNumber();
    Path file = path(home, serial);
    if (!Files.exists(file)) {
      if (!embedded) {
        throw new CliFailure("no Crypto Officer credential for device " + serial + " in " + file.getParent()
            + "; run `ihsm device init` first");
      }
      init(hsm, home);
    }
    try {
      Properties p = new Properties();
      p.load(new StringReader(Files.readString(file, StandardCharsets.ISO_8859_1)));
      String pin = System.getenv("IHSM_CO_PIN");
      return Credential.of(HexFormat.of().parseHex(p.getProperty("id")), pin != null ? pin : p.getProperty("pin"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
