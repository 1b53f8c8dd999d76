package io.ihsm.jca;

import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.testing.ExternalCommand;
import io.ihsm.host.SocketNames;
import io.ihsm.sdk.IhsmClient;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * module-info.java is enforced: a host module that reaches into the SDK's internals does not
 * compile.
 */
class ModuleBoundaryTest {
  @TempDir Path dir;

  static String location(Class<?> c) throws Exception {
    return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
  }

  private String compile(String importLine) throws Exception {
    Path src = Files.createDirectories(dir.resolve("src/probe"));
    Files.writeString(
        dir.resolve("src/module-info.java"), "module probe { requires io.ihsm.sdk; }\n");
    Files.writeString(
        src.resolve("Probe.java"), "package probe;\n" + importLine + "\npublic class Probe {}\n");
    String modulePath =
        String.join(
            File.pathSeparator,
            location(IhsmClient.class),
            location(SocketNames.class),
            location(Opcode.class));
    String javac = Path.of(System.getProperty("java.home"), "bin", "javac").toString();
    ExternalCommand.Result r =
        ExternalCommand.run(
            List.of(
                javac,
                "--module-path",
                modulePath,
                "-d",
                dir.resolve("out").toString(),
                dir.resolve("src/module-info.java").toString(),
                src.resolve("Probe.java").toString()));
    return r.exitCode() == 0 ? "compiled" : r.output();
  }

  @Test
  void theSdksApiCompilesAndItsInternalPackageDoesNot() throws Exception {
    assertThat(compile("import io.ihsm.sdk.signature.EcdsaParameters;")).isEqualTo("compiled");
    assertThat(compile("import io.ihsm.sdk.internal.WireMapping;"))
        .contains("package io.ihsm.sdk.internal is not visible", "which does not export it");
  }
}
