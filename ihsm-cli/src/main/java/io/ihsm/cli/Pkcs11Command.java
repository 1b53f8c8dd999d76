package io.ihsm.cli;

import io.ihsm.pkcs11.ModulePath;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `ihsm pkcs11 module-path|config`: what a PKCS#11 application needs to load the module
 * (docs/pkcs11.md).
 */
@Command(
    name = "pkcs11",
    mixinStandardHelpOptions = true,
    description =
        "Set up the PKCS#11 module for OpenSSL, pkcs11-tool, the JDK's SunPKCS11 and others (docs/pkcs11.md).",
    subcommands = {Pkcs11Command.ModulePathCommand.class, Pkcs11Command.Config.class})
final class Pkcs11Command implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "module-path",
      mixinStandardHelpOptions = true,
      description =
          "Print the absolute path of libihsm-pkcs11.so (its bridge launcher is beside it).")
  static final class ModulePathCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--json", description = "Print JSON: module.")
    boolean json;

    @Override
    public Integer call() {
      try {
        spec.commandLine()
            .getOut()
            .println(
                json
                    ? new io.ihsm.ddi.json.Json().put("module", ModulePath.module().toString())
                    : ModulePath.module());
      } catch (IllegalStateException notBuilt) {
        throw new CliFailure(notBuilt.getMessage());
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "config",
      mixinStandardHelpOptions = true,
      description = {
        "Print (or write) a module configuration, for IHSM_PKCS11_CONF: this command's daemon "
            + "(--socket-dir) and key store (--home). Every partition of the store is a slot.",
        "No PIN is written: applications log in with C_Login."
      })
  static final class Config implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--out",
        paramLabel = "FILE",
        description = "Write it here instead of standard output.")
    Path out;

    @Override
    public Integer call() throws Exception {
      IhsmCommand root = IhsmCommand.of(spec);
      if (root.socketDir() == null) {
        throw new CliFailure(
            "the PKCS#11 module talks to a daemon: give --socket-dir DIR (or IHSM_SOCKET_DIR)");
      }
      String text =
          "socket-dir = "
              + root.socketDir().toAbsolutePath()
              + "\nhome = "
              + root.home().toAbsolutePath()
              + "\n";
      if (out != null) {
        Output.write(out, text);
        Output.wrote(spec, out);
      } else {
        spec.commandLine().getOut().print(text);
      }
      return ExitCodes.OK;
    }
  }
}
