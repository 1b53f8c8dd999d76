package io.ihsm.cli;

import io.ihsm.host.store.StoreException;
import io.ihsm.sdk.CryptoOfficerSession;
import io.ihsm.sdk.DeviceAddress;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.IhsmException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The root command. Its global options are inherited by every subcommand, so they may stand in any
 * position: `ihsm --home H device status` and `ihsm device status --home H` are the same.
 */
@Command(
    name = "ihsm",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "An open integrated hardware security module: device, daemon and tools.",
    footer = {
      "",
      "Exit codes: 0 ok, 1 refused or failed, 2 usage error, 3 device unreachable, 4 internal error."
    })
public final class IhsmCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private Path home;
  private Path socketDir;
  private boolean verbose;

  @Option(
      names = "--home",
      scope = ScopeType.INHERIT,
      paramLabel = "DIR",
      description =
          "Host-side home: key store, and the embedded device's state (default: $IHSM_HOME or ~/.ihsm).")
  void setHome(Path home) {
    this.home = home;
  }

  @Option(
      names = "--socket-dir",
      scope = ScopeType.INHERIT,
      paramLabel = "DIR",
      description =
          "Use the daemon whose sockets are in DIR instead of the embedded device (default: $IHSM_SOCKET_DIR).")
  void setSocketDir(Path socketDir) {
    this.socketDir = socketDir;
  }

  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description = "Print stack traces with errors.")
  void setVerbose(boolean verbose) {
    this.verbose = verbose;
  }

  /** The root command of the command line a subcommand runs in, holding the global options. */
  static IhsmCommand of(CommandLine.Model.CommandSpec spec) {
    return (IhsmCommand) spec.root().userObject();
  }

  /** The subcommands, in the order `ihsm --help` lists them. */
  static final List<Class<?>> SUBCOMMANDS =
      List.of(
          DaemonCommand.class,
          DeviceCommand.class,
          FirmwareCommand.class,
          AuditCommand.class,
          PartitionCommand.class,
          DomainCommand.class,
          KeyCommand.class,
          BackupCommands.Backup.class,
          BackupCommands.Restore.class,
          AttestCommand.class,
          ComplianceCommand.class,
          JcaCommand.class,
          Pkcs11Command.class,
          KmsPluginCommand.class,
          KmipCommand.class,
          ConsoleCommand.class,
          BenchCommand.class,
          CryptoCommands.Sign.class,
          CryptoCommands.Verify.class,
          CryptoCommands.Mac.class,
          CryptoCommands.Encrypt.class,
          CryptoCommands.Decrypt.class,
          RandomCommand.class,
          KemCommand.class,
          DemoCommand.class,
          CommandLine.HelpCommand.class);

  /** The root options that take a value in the next argument. */
  private static final Set<String> VALUED = Set.of("--home", "--socket-dir");

  /** The whole command tree (for help, man pages and completion, and for tests that walk it). */
  public static CommandLine commandLine() {
    return commandLine(SUBCOMMANDS);
  }

  /**
   * The command tree for these arguments: only the subcommand they name, when they name one (most
   * of a short command's start-up was building the other forty-odd commands, docs/performance.md);
   * the whole tree otherwise, for help, listings and suggestions.
   */
  static CommandLine commandLine(String... args) {
    Class<?> named = null;
    for (int i = 0; i < args.length && named == null; i++) {
      String a = args[i];
      if (VALUED.contains(a)) {
        i++; // its value
      } else if (!a.startsWith("-")) {
        for (Class<?> c : SUBCOMMANDS) {
          if (c != CommandLine.HelpCommand.class
              && c.getAnnotation(Command.class).name().equals(a)) {
            named = c;
          }
        }
        if (named == null) {
          break; // not a command name: the whole tree says what is wrong
        }
      }
    }
    return commandLine(named == null ? SUBCOMMANDS : List.of(named));
  }

  private static CommandLine commandLine(List<Class<?>> subcommands) {
    IhsmCommand root = new IhsmCommand();
    CommandLine cl = new CommandLine(root);
    for (Class<?> c : subcommands) {
      cl.addSubcommand(c);
    }
    CommandExamples.apply(cl);
    cl.setExecutionExceptionHandler((ex, line, parsed) -> root.reportFailure(ex, line.getErr()));
    cl.setParameterExceptionHandler(
        (ex, args) -> {
          CommandLine failed = ex.getCommandLine();
          if (PinOptions.givesPinArgument(args)) {
            // The usual message would repeat the arguments, and so the PIN.
            failed.getErr().println("ihsm: " + PinOptions.NO_PIN_ARGUMENT);
            failed.getErr().flush();
            return ExitCodes.USAGE;
          }
          failed
              .getErr()
              .println(
                  "ihsm: "
                      + ex.getMessage()
                      + " (see '"
                      + failed.getCommandSpec().qualifiedName()
                      + " --help')");
          failed.getErr().flush();
          return ExitCodes.USAGE;
        });
    return cl;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The home directory: --home, else $IHSM_HOME, else ~/.ihsm. */
  Path home() {
    if (home != null) {
      return home;
    }
    String env = System.getenv("IHSM_HOME");
    return env != null && !env.isBlank()
        ? Path.of(env)
        : Path.of(System.getProperty("user.home"), ".ihsm");
  }

  /** The daemon's socket directory: --socket-dir, else $IHSM_SOCKET_DIR, else none (embedded). */
  Path socketDir() {
    if (socketDir != null) {
      return socketDir;
    }
    String env = System.getenv("IHSM_SOCKET_DIR");
    return env != null && !env.isBlank() ? Path.of(env) : null;
  }

  DeviceAddress deviceAddress() {
    Path s = socketDir();
    return s != null ? DeviceAddress.daemon(s) : DeviceAddress.embedded(home());
  }

  IhsmClient connect() {
    return IhsmClient.connect(deviceAddress());
  }

  /** One Crypto Officer action on this command's device, in a session opened and closed for it. */
  void asCryptoOfficer(Consumer<CryptoOfficerSession> action) {
    try (IhsmClient hsm = connect();
        CryptoOfficerSession co = PartitionCommand.login(this, hsm)) {
      action.accept(co);
    }
  }

  boolean embedded() {
    return socketDir() == null;
  }

  private int reportFailure(Exception ex, PrintWriter err) {
    int code;
    String message;
    if (ex instanceof IhsmException ie) {
      code = ie.isTransportFailure() ? ExitCodes.UNREACHABLE : ExitCodes.FAILED;
      message = ie.getMessage() + " [" + ie.status() + "]";
    } else if (ex instanceof StoreException se) {
      code =
          se.reason() == StoreException.Reason.UNAVAILABLE
              ? ExitCodes.UNREACHABLE
              : ExitCodes.FAILED;
      message = "fleet store: " + se.getMessage() + " [" + se.reason() + "]";
    } else if (ex instanceof CommandLine.ParameterException || ex instanceof CliFailure.Usage) {
      code = ExitCodes.USAGE;
      message = ex.getMessage();
    } else if (ex instanceof CliFailure cf) {
      code = ExitCodes.FAILED;
      message = cf.getMessage();
    } else if (ex instanceof NoSuchFileException nf) {
      code = ExitCodes.FAILED;
      message = "no such file: " + nf.getFile();
    } else if (ex instanceof AccessDeniedException ad) {
      code = ExitCodes.FAILED;
      message = "permission denied: " + ad.getFile();
    } else if (ex instanceof IllegalStateException
        || ex instanceof IllegalArgumentException
        || ex instanceof IOException
        || ex instanceof UncheckedIOException) {
      code = ExitCodes.FAILED;
      message = String.valueOf(ex.getMessage());
    } else {
      code = ExitCodes.INTERNAL;
      message = "internal error: " + ex + " (rerun with --verbose and report it)";
    }
    err.println("ihsm: " + message.replace('\n', ' '));
    if (verbose) {
      ex.printStackTrace(err);
    }
    err.flush();
    return code;
  }
}
