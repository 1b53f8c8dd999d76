package io.ihsm.cli;

import io.ihsm.ddi.Status;
import io.ihsm.ddi.credential.Credential;
import io.ihsm.ddi.spi.DeviceIdentity;
import io.ihsm.host.AtomicFile;
import io.ihsm.host.OwnerOnly;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.IhsmException;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Properties;

/**
 * The Crypto Officer credential the CLI keeps for a device, in {@code
 * <home>/crypto-officer/<serial>.credential} (owner-only). A development and single-administrator
 * convenience, documented as such: the file holds the PIN, so whoever can read it is the Crypto
 * Officer. Production deployments keep the CO PIN elsewhere ({@code IHSM_CO_PIN} overrides the
 * file's PIN).
 */
final class CryptoOfficerFile {
  private CryptoOfficerFile() {}

  /**
   * The credential file of a device. The serial comes from the device (or whatever answers on its
   * socket), so only the serial form a card has is accepted as a file name: never a path.
   */
  static Path path(Path home, String serial) {
    if (!DeviceIdentity.isValidSerial(serial)) {
      throw new CliFailure(
          "the device reports a malformed serial number; refusing to use it in a file name");
    }
    return home.resolve("crypto-officer").resolve(serial + ".credential");
  }

  /**
   * Creates the device's first Crypto Officer with a random id and PIN. The credential is saved
   * first and the Crypto Officer created after: a credential that cannot be saved creates nothing,
   * and one the device refuses is removed again, so a Crypto Officer never exists unrecorded.
   */
  static Path init(IhsmClient hsm, Path home) {
    String serial = hsm.deviceInfo().serialNumber();
    Path file = path(home, serial);
    if (Files.exists(file)) {
      throw new CliFailure(
          "a Crypto Officer credential for device " + serial + " already exists in " + file);
    }
    byte[] id = hsm.randomBytes(Credential.ID_BYTES);
    String pin = HexFormat.of().formatHex(hsm.randomBytes(16));
    try (Credential c = Credential.of(id, pin)) {
      Properties p = new Properties();
      p.setProperty("id", HexFormat.of().formatHex(id));
      p.setProperty("pin", pin);
      StringWriter w = new StringWriter();
      p.store(w, "ihsm Crypto Officer credential for device " + serial + "; keep secret");
      try {
        OwnerOnly.createDirectories(home);
        OwnerOnly.createDirectories(file.getParent());
        AtomicFile.write(file, w.toString().getBytes(StandardCharsets.ISO_8859_1));
      } catch (IOException e) {
        throw new CliFailure(
            "the Crypto Officer's credential cannot be saved to "
                + file
                + " ("
                + e.getMessage()
                + "); no Crypto Officer was created");
      }
      try {
        hsm.initCryptoOfficer(c);
      } catch (RuntimeException e) {
        deleteQuietly(file);
        throw e;
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      AtomicFile.delete(file);
    } catch (IOException ignored) {
      // the device refused; a file left behind names no Crypto Officer, and the next init says
      // where it is
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
        throw new CliFailure(
            "no Crypto Officer credential for device "
                + serial
                + " in "
                + file.getParent()
                + "; run `ihsm device init` first");
      }
      try {
        init(hsm, home);
      } catch (IhsmException exists) {
        if (exists.status() != Status.CRYPTO_OFFICER_EXISTS) {
          throw exists;
        }
        throw new CliFailure(
            "the device "
                + serial
                + " has a Crypto Officer, but its credential "
                + file
                + " is missing: restore the file, or recover the device with `ihsm device recover --destroy-all-keys`");
      }
    }
    try {
      Properties p = new Properties();
      p.load(new StringReader(Files.readString(file, StandardCharsets.ISO_8859_1)));
      String pin = System.getenv("IHSM_CO_PIN");
      String id = p.getProperty("id");
      String filePin = p.getProperty("pin");
      try {
        return Credential.of(
            HexFormat.of().parseHex(id == null ? "" : id),
            pin != null ? pin : filePin == null ? "" : filePin);
      } catch (IllegalArgumentException damaged) {
        throw new CliFailure(
            "the Crypto Officer credential file " + file + " is damaged (no valid id or PIN)");
      }
    } catch (IllegalArgumentException e) {
      throw new CliFailure(
          "the Crypto Officer credential file " + file + " is damaged (it does not parse)");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /**
   * The device's Crypto Officer id from its credential file with {@code pin} typed by a person (the
   * console's login): the device, not the caller, decides whether the PIN is right.
   *
   * @throws IllegalArgumentException for a PIN that cannot be one (length)
   */
  static Credential withPin(IhsmClient hsm, Path home, String pin) {
    // Never creates a Crypto Officer (as load does on a fresh embedded device): a login form must
    // not change the device.
    try (Credential recorded = load(hsm, home, false)) {
      return Credential.of(recorded.id(), pin);
    }
  }
}
