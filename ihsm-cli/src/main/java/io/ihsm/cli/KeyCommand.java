package io.ihsm.cli;

import io.ihsm.ddi.json.Json;
import io.ihsm.ddi.key.KeyActivation;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyState;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.ddi.message.Bytes;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.KeyImport;
import io.ihsm.sdk.PartitionClient;
import io.ihsm.sdk.store.DamagedEntryException;
import io.ihsm.sdk.store.HostKeyStore;
import io.ihsm.sdk.store.HostKeyStore.StoredKey;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `ihsm key ...`: keys of one partition, by label. */
@Command(
    name = "key",
    mixinStandardHelpOptions = true,
    description = "Generate, list, rotate, wrap, unwrap, derive, rename, attest and delete keys.",
    subcommands = {
      KeyCommand.Generate.class,
      KeyCommand.ListKeys.class,
      KeyCommand.Rotate.class,
      KeyCommand.State.class,
      KeyCommand.Public.class,
      KeyCommand.Delete.class,
      KeyCommand.Attest.class,
      KeyCommand.UnwrappingKey.class,
      KeyCommand.WrapForImport.class,
      KeyCommand.Import.class,
      KeyTransferCommands.Wrap.class,
      KeyTransferCommands.Unwrap.class,
      KeyTransferCommands.Derive.class,
      KeyTransferCommands.Rename.class
    })
final class KeyCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Options every command that works in a partition takes. */
  static final class PartitionOptions {
    @Option(
        names = "--partition",
        required = true,
        paramLabel = "P",
        description = "The partition's name.")
    String partition;

    @CommandLine.Mixin PinOptions pin;

    PartitionClient open(IhsmCommand root, IhsmClient hsm) {
      return PartitionClient.open(
          hsm, HostKeyStore.at(root.home()), partition, pin.pin("PIN of partition " + partition));
    }
  }

  static Json describe(StoredKey k) {
    return new Json()
        .put("label", k.label())
        .put("kind", CliNames.of(k.kind()))
        .put("usage", CliNames.of(k.usage()))
        .put("origin", k.origin().name().toLowerCase())
        .put("extractable", k.extractable())
        .put("version", k.version())
        .put("keyId", k.lifecycle() == null ? null : k.lifecycle().idText())
        .put("state", k.state().textName())
        .put("activationDate", date(k.lifecycle() == null ? 0 : k.lifecycle().activationDate()))
        .put("deactivationDate", date(k.lifecycle() == null ? 0 : k.lifecycle().deactivationDate()))
        .put(
            "publicKey",
            k.publicKey().length == 0 ? null : Base64.getEncoder().encodeToString(k.publicKey()));
  }

  private static String date(long millis) {
    return millis == 0 ? null : Instant.ofEpochMilli(millis).toString();
  }

  /**
   * One line of {@code key list}: label (or label#version), kind, usage, version, state, origin.
   */
  private static String line(StoredKey k, String name) {
    return String.format(
        "%-24s %-12s %-8s v%-3d %-12s %s%s",
        name,
        CliNames.of(k.kind()),
        CliNames.of(k.usage()),
        k.version(),
        k.state().textName(),
        k.origin().name().toLowerCase(),
        k.extractable() ? ", extractable" : "");
  }

  @Command(
      name = "rotate",
      mixinStandardHelpOptions = true,
      description = {
        "Make the key's next version inside the device.",
        "The label then names the new version; the one it replaces is deactivated: it still"
            + " decrypts, verifies and unwraps, as LABEL#VERSION, but never encrypts or signs."
      })
  static final class Rotate implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin PartitionOptions p = new PartitionOptions();

    @Option(
        names = "--label",
        required = true,
        description = "The key's label (LABEL#VERSION for an older version where that is allowed).")
    String label;

    @Option(names = "--json", description = "Print the new version as JSON.")
    boolean json;

    @Override
    public Integer call() {
      IhsmCommand root = IhsmCommand.of(spec);
      try (IhsmClient hsm = root.connect();
          PartitionClient c = p.open(root, hsm)) {
        StoredKey next = c.rotate(label);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
          out.println(describe(next));
        } else {
          out.printf(
              "rotated key %s in partition %s: version %d (id %s) is active, %s#%d is deactivated%n",
              label,
              p.partition,
              next.version(),
              next.lifecycle().idText(),
              label,
              next.version() - 1);
        }
        out.flush();
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "state",
      mixinStandardHelpOptions = true,
      description = {
        "Move a key version to another lifecycle state inside the device.",
        "pre-active -> active, deactivated, compromised, destroyed; active -> deactivated,"
            + " compromised; deactivated -> compromised, destroyed; compromised -> destroyed."
      })
  static final class State implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin PartitionOptions p = new PartitionOptions();

    @Option(
        names = "--label",
        required = true,
        description = "LABEL (its newest version) or LABEL#VERSION.")
    String label;

    @Option(
        names = "--to",
        required = true,
        paramLabel = "STATE",
        description = "active, deactivated, compromised or destroyed.")
    String to;

    @Option(
        names = "--at",
        paramLabel = "INSTANT",
        description =
            "A later date (ISO-8601, e.g. 2027-01-01T00:00:00Z) to activate a pre-active key or"
                + " deactivate an active one; default now.")
    String at;

    @Override
    public Integer call() {
      KeyState state = KeyState.fromTextName(to);
      if (state == null || state == KeyState.PRE_ACTIVE) {
        throw new CliFailure.Usage(
            "--to is active, deactivated, compromised or destroyed, not " + to);
      }
      Instant date = null;
      if (at != null) {
        try {
          date = Instant.parse(at);
        } catch (DateTimeParseException e) {
          throw new CliFailure.Usage("--at is an ISO-8601 instant such as 2027-01-01T00:00:00Z");
        }
      }
      IhsmCommand root = IhsmCommand.of(spec);
      try (IhsmClient hsm = root.connect();
          PartitionClient c = p.open(root, hsm)) {
        StoredKey k = c.setState(label, state, date);
        spec.commandLine()
            .getOut()
            .printf(
                "key %s in partition %s is %s%s%n",
                k.versionRef(),
                p.partition,
                k.state().textName(),
                date == null ? "" : " (" + state.textName() + " from " + date + ")");
        spec.commandLine().getOut().flush();
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "generate",
      mixinStandardHelpOptions = true,
      description = "Generate a key inside the device.")
  static final class Generate implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin PartitionOptions p = new PartitionOptions();

    @Option(
        names = "--kind",
        required = true,
        description =
            "aes-128, aes-192, aes-256, aes-xts-256, hmac-sha256, "
                + "hmac-sha384, hmac-sha512, ec-p256, ec-p384, ec-p521, rsa-2048, rsa-3072, rsa-4096")
    String kind;

    @Option(names = "--usage", required = true, description = "sign, encrypt, wrap or derive")
    String usage;

    @Option(names = "--label", required = true, description = "1-64 of [A-Za-z0-9._-]")
    String label;

    @Option(
        names = "--extractable",
        description = "May leave the device wrapped under a wrapping key.")
    boolean extractable;

    @Option(
        names = "--bytes",
        paramLabel = "N",
        description =
            "An HMAC key's length in bytes, 14 to 128 (default: its hash's size); other kinds have one size.")
    Integer bytes;

    @Option(
        names = "--pre-active",
        description = "Make the key pre-active: it does nothing until `key state --to active`.")
    boolean preActive;

    @Option(names = "--json", description = "Print the key as JSON.")
    boolean json;

    @Override
    public Integer call() {
      KeyKind k = kind(kind);
      KeyUsage u = usage(usage);
      IhsmCommand root = IhsmCommand.of(spec);
      try (IhsmClient hsm = root.connect();
          PartitionClient c = p.open(root, hsm)) {
        if (bytes != null && (k.family() != KeyKind.Family.HMAC || bytes < 14 || bytes > 128)) {
          throw new CliFailure.Usage(
              "--bytes is for HMAC keys, 14 to 128 bytes (112 to 1024 bits)");
        }
        StoredKey key =
            c.generate(
                label,
                k,
                u,
                extractable,
                bytes == null ? 0 : bytes,
                preActive ? KeyActivation.WHEN_ACTIVATED : KeyActivation.NOW);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
          out.println(describe(key));
        } else {
          out.printf(
              "generated %s key %s for %s in partition %s%n",
              CliNames.of(k), label, CliNames.of(u), p.partition);
        }
        out.flush();
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List a partition's app keys.")
  static final class ListKeys implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--partition",
        required = true,
        paramLabel = "P",
        description = "The partition's name.")
    String partition;

    @Option(names = "--json", description = "Print a JSON array.")
    boolean json;

    @Option(
        names = "--versions",
        description = "List every version of each key (LABEL#VERSION), not only the newest.")
    boolean versions;

    @Override
    public Integer call() {
      IhsmCommand root = IhsmCommand.of(spec);
      HostKeyStore store = HostKeyStore.at(root.home());
      if (store.partition(partition).isEmpty()) {
        throw new CliFailure("no partition " + partition + " in the key store at " + root.home());
      }
      PrintWriter out = spec.commandLine().getOut();
      List<Json> rows = new ArrayList<>();
      for (StoredKey newest : store.keys(partition)) {
        List<StoredKey> shown =
            versions ? store.versions(partition, newest.label()) : List.of(newest);
        for (StoredKey k : shown) {
          if (json) {
            rows.add(describe(k));
          } else {
            out.println(line(k, versions ? k.versionRef() : k.label()));
          }
        }
      }
      if (json) {
        out.println(Json.array(rows));
      }
      out.flush();
      // A damaged key file is named on standard error; the others are listed all the same.
      for (DamagedEntryException d : store.damagedKeys(partition)) {
        spec.commandLine().getErr().println("ihsm: " + d.getMessage());
      }
      spec.commandLine().getErr().flush();
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "public",
      mixinStandardHelpOptions = true,
      description = "Export a key pair's public key as SubjectPublicKeyInfo, DER or PEM.")
  static final class Public implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--partition",
        required = true,
        paramLabel = "P",
        description = "The partition's name.")
    String partition;

    @Option(
        names = "--label",
        required = true,
        description = "The key's label (LABEL#VERSION for an older version where that is allowed).")
    String label;

    @Option(names = "--pem", description = "PEM instead of DER.")
    boolean pem;

    @Option(
        names = "--out",
        paramLabel = "FILE",
        description = "Write here instead of standard output.")
    Path out;

    @Override
    public Integer call() throws Exception {
      IhsmCommand root = IhsmCommand.of(spec);
      StoredKey k =
          HostKeyStore.at(root.home())
              .key(partition, label)
              .orElseThrow(() -> new CliFailure("partition " + partition + " has no key " + label));
      if (k.publicKey().length == 0) {
        throw new CliFailure(label + " is a secret key: it has no public part");
      }
      byte[] bytes =
          pem
              ? Pem.encode("PUBLIC KEY", k.publicKey()).getBytes(StandardCharsets.US_ASCII)
              : k.publicKey();
      if (out != null) {
        Output.write(out, bytes);
      } else if (pem) {
        spec.commandLine().getOut().print(new String(bytes, StandardCharsets.US_ASCII));
        spec.commandLine().getOut().flush();
      } else {
        System.out.write(bytes);
        System.out.flush();
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      description = "Unload a key and remove it from the key store.")
  static final class Delete implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin PartitionOptions p = new PartitionOptions();

    @Option(
        names = "--label",
        required = true,
        description = "The key's label (LABEL#VERSION for an older version where that is allowed).")
    String label;

    @Override
    public Integer call() {
      IhsmCommand root = IhsmCommand.of(spec);
      try (IhsmClient hsm = root.connect();
          PartitionClient c = p.open(root, hsm)) {
        c.deleteKey(label);
        spec.commandLine()
            .getOut()
            .printf("deleted key %s from partition %s%n", label, p.partition);
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "attest",
      mixinStandardHelpOptions = true,
      description = {
        "Write a key attestation report (COSE_Sign1, CBOR) signed by the partition's identity key.",
        "Check it with `ihsm attest verify` and the chain from `ihsm partition certs`."
      })
  static final class Attest implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin PartitionOptions p = new PartitionOptions();

    @Option(
        names = "--label",
        required = true,
        description = "The key's label (LABEL#VERSION for an older version where that is allowed).")
    String label;

    @Option(
        names = "--nonce",
        required = true,
        paramLabel = "HEX",
        description = "Your fresh nonce, up to 128 bytes.")
    String nonce;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "FILE",
        description = "Where to write it; - is standard output.")
    Path out;

    @Override
    public Integer call() throws Exception {
      IhsmCommand root = IhsmCommand.of(spec);
      byte[] n = AttestCommand.nonce(nonce);
      try (IhsmClient hsm = root.connect();
          PartitionClient c = p.open(root, hsm)) {
        Output.write(out, c.attest(label, n));
      }
      Output.wrote(spec, out);
      return ExitCodes.OK;
    }
  }

  static KeyKind kind(String name) {
    return CliNames.kind(name);
  }

  static KeyUsage usage(String name) {
    return CliNames.usage(name);
  }

  @Command(
      name = "unwrapping-key",
      mixinStandardHelpOptions = true,
      description =
          "Write the partition's RSA unwrapping key (SPKI), which keys to import are wrapped for.")
  static final class UnwrappingKey implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin PartitionOptions p = new PartitionOptions();

    @Option(
        names = "--out",
        required = true,
        paramLabel = "FILE",
        description = "Where to write it; - is standard output.")
    Path out;

    @Option(names = "--pem", description = "PEM instead of DER.")
    boolean pem;

    @Override
    public Integer call() throws Exception {
      IhsmCommand root = IhsmCommand.of(spec);
      try (IhsmClient hsm = root.connect();
          PartitionClient c = p.open(root, hsm)) {
        byte[] spki = c.unwrappingKey();
        Files.write(
            out, pem ? Pem.encode("PUBLIC KEY", spki).getBytes(StandardCharsets.US_ASCII) : spki);
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "wrap-for-import",
      mixinStandardHelpOptions = true,
      description = {
        "Wrap a key for import into a partition (RSA-OAEP SHA-256 + AES-KWP, PKCS#11 RSA-AES key wrap).",
        "Works offline: only the partition's unwrapping key is needed. The input is a PKCS#8 private key",
        "(DER, or PEM 'BEGIN PRIVATE KEY') of an EC, RSA, ML-DSA or ML-KEM key, checked before wrapping; or, with --raw,",
        "raw bytes for AES and HMAC keys.",
        "Example: ihsm key wrap-for-import --unwrapping-key unwrap.pem --in key.pk8.pem --out key.wrapped"
      })
  static final class WrapForImport implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--unwrapping-key",
        required = true,
        paramLabel = "FILE",
        description =
            "The partition's unwrapping key (from `ihsm key unwrapping-key`), DER or PEM.")
    Path unwrappingKey;

    @Option(names = "--in", required = true, paramLabel = "FILE", description = "The key to wrap.")
    Path in;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "FILE",
        description = "The wrapped key, for `ihsm key import`.")
    Path out;

    @Option(
        names = "--raw",
        description = "The input is raw secret-key bytes (AES, HMAC), not a PKCS#8 private key.")
    boolean raw;

    @Override
    public Integer call() throws Exception {
      byte[] input = readBounded(in, 16384);
      if (input.length == 0) {
        throw new CliFailure(in + " (--in) is empty: there is no key to wrap");
      }
      byte[] material = raw ? input : privateKey(input);
      try {
        byte[] spki = Pem.derOrPem(readBounded(unwrappingKey, 16384), "PUBLIC KEY");
        Output.write(out, KeyImport.wrapForImport(spki, material));
      } catch (IllegalArgumentException e) {
        throw new CliFailure(unwrappingKey + " is not an RSA public key");
      } finally {
        Arrays.fill(material, (byte) 0);
      }
      return ExitCodes.OK;
    }
  }

  /**
   * A PKCS#8 EC, RSA, ML-DSA or ML-KEM private key from DER or PEM bytes, refusing anything else by
   * name (a public key, a certificate, an Ed25519 key, cut or bad DER): such input must never be
   * wrapped as if it were raw key bytes.
   */
  static byte[] privateKey(byte[] input) {
    byte[] der;
    try {
      der = Pem.derOrPem(input, "PRIVATE KEY");
    } catch (CliFailure e) {
      throw new CliFailure("--in: " + e.getMessage() + " (use --raw for raw secret-key bytes)");
    }
    for (String alg : new String[] {"EC", "RSA", "ML-DSA", "ML-KEM"}) {
      try {
        KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
        return der;
      } catch (GeneralSecurityException | RuntimeException notThis) {
        // try the next
      }
    }
    for (String other : new String[] {"Ed25519", "Ed448", "X25519", "X448", "DSA"}) {
      try {
        KeyFactory.getInstance(other).generatePrivate(new PKCS8EncodedKeySpec(der));
        throw new CliFailure(
            "--in holds an "
                + other
                + " private key; ihsm imports EC (P-256, P-384, P-521), RSA, ML-DSA and ML-KEM keys");
      } catch (GeneralSecurityException | RuntimeException notThis) {
        if (notThis instanceof CliFailure f) {
          throw f;
        }
      }
    }
    throw new CliFailure(
        "--in is not a PKCS#8 EC, RSA, ML-DSA or ML-KEM private key (cut, damaged, or another format);"
            + " use --raw for raw secret-key bytes");
  }

  @Command(
      name = "import",
      mixinStandardHelpOptions = true,
      description =
          "Import a key wrapped by `ihsm key wrap-for-import`; it becomes an imported key of the partition.")
  static final class Import implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin PartitionOptions p = new PartitionOptions();

    @Option(
        names = "--label",
        required = true,
        description = "The key's label (LABEL#VERSION for an older version where that is allowed).")
    String label;

    @Option(
        names = "--kind",
        required = true,
        description = "The key's kind, as for `key generate`.")
    String kind;

    @Option(names = "--usage", required = true, description = "sign, encrypt, wrap or derive")
    String usage;

    @Option(
        names = "--wrapped",
        required = true,
        paramLabel = "FILE",
        description = "The wrapped key, as `key wrap-for-import` wrote it.")
    Path wrapped;

    @Option(names = "--extractable", description = "May leave the device again, wrapped.")
    boolean extractable;

    @Override
    public Integer call() throws Exception {
      KeyKind k = kind(kind);
      KeyUsage u = usage(usage);
      byte[] blob = readBounded(wrapped, Bytes.MAX_BLOB);
      IhsmCommand root = IhsmCommand.of(spec);
      try (IhsmClient hsm = root.connect();
          PartitionClient c = p.open(root, hsm)) {
        c.importKey(label, k, u, extractable, blob);
        spec.commandLine()
            .getOut()
            .printf(
                "imported %s key %s for %s into partition %s%n",
                CliNames.of(k), label, CliNames.of(u), p.partition);
      }
      return ExitCodes.OK;
    }
  }

  /** A file's bytes, at most {@code max}; {@code -} reads standard input. */
  static byte[] readBounded(Path file, int max) throws IOException {
    boolean stdin = file.toString().equals("-");
    try (var in =
        stdin
            ? new java.io.FilterInputStream(System.in) {
              @Override
              public void close() {} // standard input stays open for the process
            }
            : Files.newInputStream(file)) {
      byte[] b = in.readNBytes(max + 1);
      if (b.length > max) {
        throw new CliFailure(
            (stdin ? "standard input" : file.toString())
                + " is larger than "
                + max
                + " bytes, the most it may be");
      }
      return b;
    }
  }

  static byte[] hex(String s) {
    try {
      return s == null ? new byte[0] : HexFormat.of().parseHex(s);
    } catch (IllegalArgumentException e) {
      throw new CliFailure(
          "not hexadecimal: " + (s.length() > 16 ? s.substring(0, 16) + "..." : s));
    }
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
