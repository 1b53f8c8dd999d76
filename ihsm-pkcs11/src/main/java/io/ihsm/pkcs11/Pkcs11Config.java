package io.ihsm.pkcs11;

import io.ihsm.ddi.message.PartitionLimits;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Where the module finds the daemon and the host key store. A properties file named by {@code
 * IHSM_PKCS11_CONF}, or just {@code IHSM_SOCKET_DIR} (and {@code IHSM_HOME}):
 *
 * <pre>
 * socket-dir        = /run/ihsm        # the daemon's sockets (required; or IHSM_SOCKET_DIR)
 * home              = /srv/ihsm        # the host key store; default IHSM_HOME, else ~/.ihsm
 * partitions        = payments,signing # the slots, in order; default every partition in the store
 * max-pin-failures  = 10               # the partitions' lockout limit, for the PIN flags
 * owner-key         = /srv/owner.p8e   # the security officer's key: the partition owner's P-384 key,
 *                                      # encrypted PKCS#8 (DER) under the SO PIN; default <home>/owner/owner-p384.p8e
 * </pre>
 *
 * The file is read by the bridge; the C module reads more keys from it ({@code bridge}, {@code
 * bridge-dir}, {@code bridge-idle-seconds}, {@code log}), see {@code docs/pkcs11.md}. The bridge
 * service gets an application's variables in its handshake, with its working directory ({@code
 * cwd}), against which relative paths are resolved.
 */
record Pkcs11Config(
    Path socketDir,
    Path home,
    List<String> partitions,
    int maxPinFailures,
    Path ownerKey,
    Path log) {
  private static final Set<String> KEYS =
      Set.of(
          "socket-dir",
          "home",
          "partitions",
          "max-pin-failures",
          "owner-key",
          "bridge",
          "bridge-dir",
          "bridge-idle-seconds",
          "log");

  /** The application's log file, from its settings alone (for when its configuration is bad). */
  static Path logOf(Map<String, String> env) {
    Properties p = new Properties();
    try {
      p = properties(env);
    } catch (RuntimeException e) {
      // an unreadable file: the variable alone says where to log
    }
    String log = first(p.getProperty("log"), env.get("IHSM_PKCS11_LOG"));
    return log == null ? null : resolve(env, log);
  }

  static Pkcs11Config from(Map<String, String> env) {
    Properties p = properties(env);
    String socketDir = first(p.getProperty("socket-dir"), env.get("IHSM_SOCKET_DIR"));
    if (socketDir == null) {
      throw new IllegalArgumentException(
          "no daemon: set IHSM_SOCKET_DIR, or socket-dir in the file IHSM_PKCS11_CONF names");
    }
    String home = first(p.getProperty("home"), env.get("IHSM_HOME"));
    Path homePath =
        home != null ? resolve(env, home) : Path.of(System.getProperty("user.home"), ".ihsm");
    String parts = p.getProperty("partitions");
    List<String> partitions =
        parts == null
            ? List.of()
            : Arrays.stream(parts.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    String max = p.getProperty("max-pin-failures");
    int maxFailures =
        max == null ? PartitionLimits.DEFAULTS.maxPinFailures() : Integer.parseInt(max.strip());
    String owner = p.getProperty("owner-key");
    Path ownerKey =
        owner != null ? resolve(env, owner) : homePath.resolve("owner").resolve("owner-p384.p8e");
    return new Pkcs11Config(
        resolve(env, socketDir), homePath, partitions, maxFailures, ownerKey, logOf(env));
  }

  /** A path as the application meant it: relative ones from its working directory. */
  private static Path resolve(Map<String, String> env, String path) {
    Path p = Path.of(path.strip());
    String cwd = env.get("cwd");
    return cwd == null || p.isAbsolute() ? p : Path.of(cwd).resolve(p);
  }

  private static Properties properties(Map<String, String> env) {
    Properties p = new Properties();
    String file = env.get("IHSM_PKCS11_CONF");
    if (file != null && !file.isBlank()) {
      try {
        p.load(new StringReader(Files.readString(resolve(env, file))));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read IHSM_PKCS11_CONF " + file, e);
      }
      for (String k : p.stringPropertyNames()) {
        if (!KEYS.contains(k)) {
          throw new IllegalArgumentException(
              "unknown key " + k + " in " + file + "; known: " + KEYS);
        }
      }
    }
    return p;
  }

  private static String first(String a, String b) {
    return a != null && !a.isBlank() ? a : b != null && !b.isBlank() ? b : null;
  }
}
