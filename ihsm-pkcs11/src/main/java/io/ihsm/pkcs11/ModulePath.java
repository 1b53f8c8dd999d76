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

  public static Path module() {
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
