package io.ihsm.cli;

import io.ihsm.ddi.Opcode;
import io.ihsm.device.Device;
import io.ihsm.host.SocketNames;
import io.ihsm.jca.IhsmConfig;
import io.ihsm.jca.IhsmProvider;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.store.HostKeyStore;
import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `ihsm jca classpath|config`: what a Java application, keytool or jarsigner needs to use the IHSM
 * provider.
 */
@Command(
    name = "jca",
    mixinStandardHelpOptions = true,
    description =
        "Set up the IHSM JCA provider for Java applications, keytool and jarsigner (docs/jca.md).",
    subcommands = {JcaCommand.Classpath.class, JcaCommand.Config.class})
final class JcaCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "classpath",
      mixinStandardHelpOptions = true,
      description = {
        "Print the provider's class path (its jar and the SDK's), for -providerpath or -cp; when the",
        "home's key store is a fleet's on etcd, the store's client too.",
        "With a daemon (--socket-dir or $IHSM_SOCKET_DIR) it holds no emulator; for the embedded device it adds"
            + " ihsm-device (development only)."
      })
  static final class Classpath implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws URISyntaxException {
      Set<String> jars = new LinkedHashSet<>();
      // The provider, the SDK, the host files and the protocol; the emulator only when no daemon is
      // named.
      List<Class<?>> parts =
          new ArrayList<>(
              List.of(IhsmProvider.class, IhsmClient.class, SocketNames.class, Opcode.class));
      if (IhsmCommand.of(spec).socketDir() == null) {
        parts.add(Device.class);
      }
      for (Class<?> c : parts) {
        jars.add(
            Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toAbsolutePath()
                .toString());
      }
      if (HostKeyStore.fleetStoreAddress(IhsmCommand.of(spec).home())
          .filter(address -> address.startsWith("etcd:"))
          .isPresent()) {
        // The home's key store is a fleet's on etcd: the store's client and what it needs, which
        // are on this command's own class path (all but the emulator and the command itself).
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
          String name = Path.of(entry).getFileName().toString();
          boolean emulator =
              name.startsWith("ihsm-device") && IhsmCommand.of(spec).socketDir() != null;
          if (!emulator && !name.startsWith("ihsm-cli") && !entry.isBlank()) {
            jars.add(Path.of(entry).toAbsolutePath().toString());
          }
        }
      }
      spec.commandLine().getOut().println(String.join(File.pathSeparator, jars));
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "config",
      mixinStandardHelpOptions = true,
      description = {
        "Print (or write) a provider configuration for a partition of this home's key store, on this "
            + "command's device (--socket-dir for a daemon, else the embedded device).",
        "The PIN is not written: the provider reads $IHSM_PIN, a pin-file, or the KeyStore password."
      })
  static final class Config implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--partition",
        required = true,
        paramLabel = "P",
        description = "The partition's name.")
    String partition;

    @Option(
        names = "--out",
        paramLabel = "FILE",
        description = "Write it here instead of standard output.")
    Path out;

    @Override
    public Integer call() throws Exception {
      IhsmCommand root = IhsmCommand.of(spec);
      if (HostKeyStore.at(root.home()).partition(partition).isEmpty()) {
        throw new CliFailure(
            "no partition '" + partition + "' in the key store under " + root.home());
      }
      Path home = root.home().toAbsolutePath();
      IhsmConfig config =
          root.socketDir() != null
              ? IhsmConfig.daemon(root.socketDir().toAbsolutePath(), home, partition)
              : IhsmConfig.embedded(home, partition);
      if (out != null) {
        Output.write(out, config.toConfigText());
        Output.wrote(spec, out);
      } else {
        spec.commandLine().getOut().print(config.toConfigText());
      }
      return ExitCodes.OK;
    }
  }
}
