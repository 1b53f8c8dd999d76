package io.ihsm.cli;

import io.ihsm.ddi.message.DeviceInfo;
import io.ihsm.ddi.message.DeviceStatus;
import io.ihsm.sdk.IhsmClient;
import java.io.PrintWriter;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** `ihsm demo`: a guided tour on the device (the embedded one unless --socket-dir is given). */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "A short guided tour of the device (embedded by default, state under --home).")
final class DemoCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    IhsmCommand root = IhsmCommand.of(spec);
    PrintWriter out = spec.commandLine().getOut();
    out.println("ihsm demo");
    out.println("=========");
    try (IhsmClient hsm = root.connect()) {
      out.printf("1. Connected to the %s.%n", hsm.describeTransport());
      out.printf("   Agreed DDI API revision %s with the device.%n", hsm.apiRevision());

      DeviceInfo info = hsm.deviceInfo();
      out.printf("2. The device is a %s %s, serial %s, running firmware %s.%n",
          info.vendor(), info.model(), info.serialNumber(), info.firmwareVersion());

      DeviceStatus status = hsm.deviceStatus();
      out.printf("3. Its state is %s after power-on self-tests (up %d ms).%n", status.state(), status.uptimeMillis());
      if (!status.reason().isEmpty()) {
        out.printf("   Reason: %s%n", status.reason());
      }

      byte[] random = hsm.randomBytes(16);
      out.printf("4. 16 random bytes from the module's random bit generator: %s%n", HexFormat.of().formatHex(random));
      out.println("Done: the device answered every request over the same DDI protocol a daemon serves.");
    }
    out.flush();
    return ExitCodes.OK;
  }
}
