package io.ihsm.bench;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.Provider;
import java.security.Security;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The ihsm-pkcs11 path's own JVM: SunPKCS11 over ihsm's module (which finds the daemon through this
 * process's environment), logged in with the partition's PIN, and the same harness and JCA path as
 * SoftHSM2's. Arguments: {@code MODULE PIN_FILE MILLIS THREADS WORKLOADS}; each row is printed as a
 * line beginning {@value #ROW}, the rest is the log.
 */
public final class Pkcs11Child {
  static final String ROW = "pkcs11-row\t";

  private Pkcs11Child() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 5) {
      System.err.println("usage: Pkcs11Child MODULE PIN_FILE MILLIS THREADS WORKLOADS");
      System.exit(2);
    }
    Path conf = Files.createTempFile("ihsm-sunpkcs11", ".cfg");
    // ihsm keeps private and secret keys sensitive and private (docs/pkcs11.md): say so when
    // generating, as an application using the module must.
    Files.writeString(
        conf,
        "name = ihsm\nlibrary = "
            + args[0]
            + "\nattributes(generate, CKO_SECRET_KEY, *) = {\n  CKA_SENSITIVE = true\n"
            + "  CKA_PRIVATE = true\n}\nattributes(generate, CKO_PRIVATE_KEY, *) = {\n"
            + "  CKA_SENSITIVE = true\n  CKA_PRIVATE = true\n}\n");
    char[] pin = Files.readString(Path.of(args[1]), StandardCharsets.UTF_8).strip().toCharArray();
    Provider p11 = Security.getProvider("SunPKCS11").configure(conf.toString());
    Files.delete(conf);
    KeyStore.getInstance("PKCS11", p11).load(null, pin);
    Arrays.fill(pin, '\0');
    List<Workload> workloads = Arrays.stream(args[4].split(",")).map(Workload::fromId).toList();
    List<Integer> threads = Arrays.stream(args[3].split(",")).map(Integer::valueOf).toList();
    Bench.Options o =
        new Bench.Options(
            workloads,
            threads,
            Duration.ofMillis(Long.parseLong(args[2])),
            List.of(),
            List.of(),
            null);
    PrintWriter log = new PrintWriter(System.out, true);
    List<Result> results = new ArrayList<>();
    try (JcaPath path =
        new JcaPath(
            "ihsm-pkcs11",
            p11,
            JcaPath.Keys.generatedBy(p11, (spec, forEncryption) -> spec),
            false)) {
      for (Workload w : workloads) {
        Bench.measure(o, path, w, results, log);
      }
    }
    for (Result r : results) {
      System.out.printf(
          Locale.ROOT,
          "%s%s\t%d\t%.3f\t%.3f\t%.3f%n",
          ROW,
          r.workload(),
          r.threads(),
          r.opsPerSec(),
          r.p50Micros(),
          r.p99Micros());
    }
    System.out.flush();
    System.exit(0); // SunPKCS11 leaves threads behind
  }

  /** A row the child printed, as the parent reads it. */
  static Result parse(String line, String path) {
    String[] f = line.substring(ROW.length()).split("\t");
    return new Result(
        f[0],
        path,
        Integer.parseInt(f[1]),
        Double.parseDouble(f[2]),
        Double.parseDouble(f[3]),
        Double.parseDouble(f[4]));
  }
}
