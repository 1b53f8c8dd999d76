package io.ihsm.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.Provider;
import java.security.Security;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SoftHSM2 through the JDK's SunPKCS11, keys made in a token of its own ({@code ihsm-bench}).
 * Present when {@code libsofthsm2.so} and {@code softhsm2-util} are (Debian: {@code apt install
 * softhsm2}); SoftHSM2 keeps tokens where its configuration says ({@code SOFTHSM2_CONF}, else
 * /etc/softhsm/softhsm2.conf), which must be writable.
 */
final class SoftHsmPath {
  static final List<Path> LIBRARIES =
      List.of(
          Path.of("/usr/lib/softhsm/libsofthsm2.so"),
          Path.of("/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"),
          Path.of("/usr/local/lib/softhsm/libsofthsm2.so"));
  static final String PIN = "1234";

  private SoftHsmPath() {}

  /** The SoftHSM2 path, or why there is none here. */
  static BenchPath open(Path dir) {
    return open(dir, LIBRARIES);
  }

  /** As {@link #open(Path)}, looking for the library in these places. */
  static BenchPath open(Path dir, List<Path> libraries) {
    Optional<Path> library = libraries.stream().filter(Files::exists).findFirst();
    if (library.isEmpty()) {
      return unavailable("libsofthsm2.so not found (apt install softhsm2)");
    }
    try {
      String label = "ihsm-bench-" + ProcessHandle.current().pid();
      String slot = initToken(label);
      Path conf = dir.resolve("softhsm-pkcs11.cfg");
      Files.writeString(
          conf, "name = SoftHSM2\nlibrary = " + library.get() + "\nslot = " + slot + "\n");
      Provider p11 = Security.getProvider("SunPKCS11").configure(conf.toString());
      KeyStore login = KeyStore.getInstance("PKCS11", p11);
      login.load(null, PIN.toCharArray());
      return new JcaPath(
          "softhsm2", p11, JcaPath.Keys.generatedBy(p11, (spec, forEncryption) -> spec), false) {
        @Override
        public Optional<SelfTimedOperation> selfTimed(Workload w, Bench.Options o) {
          // The same probe as ihsm's module, on SoftHSM2's library and configuration.
          return w == Workload.PKCS11_INIT
              ? Optional.of(new Pkcs11Probe(library.get(), Map.of()))
              : Optional.empty();
        }

        @Override
        public void close() throws Exception {
          // The token was made for this run: leave SoftHSM2's token directory as it was.
          new ProcessBuilder("softhsm2-util", "--delete-token", "--token", label)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start()
              .waitFor();
        }
      };
    } catch (Exception e) {
      return unavailable("SoftHSM2 could not be set up: " + e.getMessage());
    }
  }

  /** A fresh token in a free slot; answers the slot id SunPKCS11 names it by. */
  private static String initToken(String label) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(
                "softhsm2-util",
                "--init-token",
                "--free",
                "--label",
                label,
                "--pin",
                PIN,
                "--so-pin",
                PIN)
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException("softhsm2-util --init-token: " + out.strip());
    }
    Matcher m = Pattern.compile("reassigned to slot (\\d+)").matcher(out);
    if (!m.find()) {
      throw new IOException("softhsm2-util did not say which slot: " + out.strip());
    }
    return m.group(1);
  }

  private static BenchPath unavailable(String why) {
    return new BenchPath() {
      @Override
      public String name() {
        return "softhsm2";
      }

      @Override
      public Optional<String> unavailable() {
        return Optional.of(why);
      }

      @Override
      public Optional<Supplier<Operation>> prepare(Workload workload) {
        return Optional.empty();
      }
    };
  }
}
