package io.ihsm.jca;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Set;

/**
 * Where the IHSM provider finds its device, partition and PIN. Immutable. Read from a properties
 * file (or, like SunPKCS11, inline text after {@code --}):
 *
 * <pre>
 * partition  = payments          # required: a partition in the host key store
 * home       = /home/me/.ihsm    # the host key store (and the embedded device's state); default ~/.ihsm
 * socket-dir = /run/ihsm         # a daemon's sockets; absent: the embedded device under home
 * pin-env    = IHSM_PIN          # the environment variable holding the PIN (the default)
 * pin-file   = /etc/ihsm/pin     # or a file holding it (first line)
 * </pre>
 *
 * A PIN given to {@code KeyStore.load(null, pin)} or by a callback handler takes precedence.
 */
public final class IhsmConfig {
  private static final Set<String> KEYS =
      Set.of("partition", "home", "socket-dir", "pin-env", "pin-file");

  private final String partition;
  private final Path home;
  private final Path socketDir;
  private final String pinEnv;
  private final Path pinFile;

  private IhsmConfig(String partition, Path home, Path socketDir, String pinEnv, Path pinFile) {
    this.partition = partition;
    this.home = home;
    this.socketDir = socketDir;
    this.pinEnv = pinEnv;
    this.pinFile = pinFile;
  }

  /** The embedded device under {@code home}, one partition, the PIN from $IHSM_PIN. */
  public static IhsmConfig embedded(Path home, String partition) {
    return new IhsmConfig(partition, home, null, "IHSM_PIN", null);
  }

  /** A daemon at {@code socketDir}; the key store under {@code home}. */
  public static IhsmConfig daemon(Path socketDir, Path home, String partition) {
    return new IhsmConfig(partition, home, socketDir, "IHSM_PIN", null);
  }

  public IhsmConfig withPinFile(Path file) {
    return new IhsmConfig(partition, home, socketDir, pinEnv, file);
  }

  public IhsmConfig withPinEnv(String variable) {
    return new IhsmConfig(partition, home, socketDir, variable, pinFile);
  }

  /**
   * The provider argument: a configuration file's path, or {@code --} followed by its text.
   *
   * @throws IllegalArgumentException with what is wrong: a missing file, an unknown key, no
   *     partition
   */
  public static IhsmConfig parse(String argument) {
    String text;
    if (argument.startsWith("--")) {
      text = argument.substring(2).replace(';', '\n');
    } else {
      try {
        text = Files.readString(Path.of(argument));
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "cannot read the IHSM provider configuration " + argument);
      }
    }
    Properties p = new Properties();
    try {
      p.load(new StringReader(text));
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "the IHSM provider configuration is not a properties file");
    }
    for (String key : p.stringPropertyNames()) {
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException(
            "unknown IHSM provider setting '" + key + "' (known: " + KEYS + ")");
      }
    }
    String partition = p.getProperty("partition", "").strip();
    if (partition.isEmpty()) {
      throw new IllegalArgumentException("the IHSM provider configuration must name a partition");
    }
    Path home =
        Path.of(
            p.getProperty("home", Path.of(System.getProperty("user.home"), ".ihsm").toString())
                .strip());
    String socketDir = p.getProperty("socket-dir");
    String pinFile = p.getProperty("pin-file");
    return new IhsmConfig(
        partition,
        home,
        socketDir == null ? null : Path.of(socketDir.strip()),
        p.getProperty("pin-env", "IHSM_PIN").strip(),
        pinFile == null ? null : Path.of(pinFile.strip()));
  }

  /** The text of a configuration file for this configuration. */
  public String toConfigText() {
    StringBuilder b = new StringBuilder("# IHSM JCA provider configuration (docs/jca.md)\n");
    b.append("partition = ").append(partition).append('\n');
    b.append("home = ").append(home).append('\n');
    if (socketDir != null) {
      b.append("socket-dir = ").append(socketDir).append('\n');
    }
    b.append("pin-env = ").append(pinEnv).append('\n');
    if (pinFile != null) {
      b.append("pin-file = ").append(pinFile).append('\n');
    }
    return b.toString();
  }

  public String partition() {
    return partition;
  }

  public Path home() {
    return home;
  }

  /** Null for the embedded device. */
  public Path socketDir() {
    return socketDir;
  }

  public String pinEnv() {
    return pinEnv;
  }

  /** Null when the PIN does not come from a file. */
  public Path pinFile() {
    return pinFile;
  }

  @Override
  public String toString() {
    return "partition "
        + partition
        + (socketDir != null
            ? " on the daemon at " + socketDir
            : " on the embedded device under " + home);
  }
}
