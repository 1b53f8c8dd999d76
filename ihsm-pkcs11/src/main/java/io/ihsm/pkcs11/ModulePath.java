package io.ihsm.pkcs11;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Where the build put {@code libihsm-pkcs11.so} (beside its bridge launcher): `ihsm pkcs11
 * module-path`.
 */
public final class ModulePath {
  private ModulePath() {}

  /**
   * The module: where the system property {@code ihsm.pkcs11.module} says (the installed package's
   * launcher sets it), else where this build put it.
   */
  public static Path module() {
    String installed = System.getProperty("ihsm.pkcs11.module");
    if (installed != null && !installed.isBlank()) {
      Path module = Path.of(installed).toAbsolutePath();
      if (!Files.isRegularFile(module)) {
        throw new IllegalStateException("the PKCS#11 module is not installed at " + module);
      }
      return module;
    }
    try (InputStream in = ModulePath.class.getResourceAsStream("module.properties")) {
      Properties p = new Properties();
      p.load(in);
      Path module = Path.of(p.getProperty("module")).toAbsolutePath();
      if (!Files.isRegularFile(module)) {
        throw new IllegalStateException(
            "the PKCS#11 module is not built at "
                + module
                + "; build the project (./mvnw package) first");
      }
      return module;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read where the PKCS#11 module is", e);
    }
  }
}
