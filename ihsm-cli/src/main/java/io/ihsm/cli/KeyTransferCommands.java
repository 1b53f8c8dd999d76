package io.ihsm.cli;

import io.ihsm.ddi.key.Algorithm;
import io.ihsm.ddi.key.DeriveKeyRequest;
import io.ihsm.ddi.key.HashAlgorithm;
import io.ihsm.ddi.key.KeyAttributes;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.PartitionClient;
import io.ihsm.sdk.store.HostKeyStore.StoredKey;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `ihsm key wrap|unwrap|derive|rename`: the device's key transport and derivation, and a label
 * change in the host key store. Key material stays in the device: a wrap gives the target key
 * encrypted under the wrapping key, never in clear.
 */
final class KeyTransferCommands {
  private KeyTransferCommands() {}

  static final Map<String, Algorithm> WRAPS =
      Map.of(
          "aes-kw",
          Algorithm.AES_KW,
          "aes-kwp",
          Algorithm.AES_KWP,
          "rsa-aes-kw",
          Algorithm.RSA_AES_KW);

  static Algorithm wrapAlgorithm(String name) {
    Algorithm a = WRAPS.get(name.toLowerCase(Locale.ROOT));
    if (a == null) {
      throw new CliFailure.Usage(
          "unknown wrap algorithm " + name + "; one of aes-kw, aes-kwp, rsa-aes-kw");
    }
    return a;
  }

  static PrintWriter print(
      CommandLine.Model.CommandSpec spec, boolean json, StoredKey k, String text) {
    PrintWriter out = spec.commandLine().getOut();
    out.println(json ? KeyCommand.describe(k).toString() : text);
    out.flush();
    return out;
  }

  /** What a key made here is: its label, kind, usage and whether it may be wrapped later. */
  static final class NewKeyOptions {
    @Option(
        names = "--label",
        required = true,
        paramLabel = "LABEL",
        description = "The new key's label.")
    String label;

    @Option(
        names = "--kind",
        required = true,
        paramLabel = "KIND",
        description =
            "The new key's kind (aes-256, hmac-sha256, ec-p256, secret for a derived secret, ...).")
    String kind;

    @Option(
        names = "--usage",
        required = true,
        paramLabel = "USAGE",
        description = "sign, encrypt, wrap or derive.")
    String usage;

    @Option(names = "--extractable", description = "The new key may be wrapped later.")
    boolean extractable;

    @Option(names = "--json", description = "Print the new key as JSON.")
    boolean json;

    /** Its attributes; a wrong kind, usage or label exits 2. A secret is only ever derived. */
    KeyAttributes attributes(boolean derived) {
      KeyKind k = derived && kind.equals("secret") ? KeyKind.SECRET : CliNames.kind(kind);
      KeyUsage u = CliNames.usage(usage);
      if (!KeyAttributes.validLabel(label) || label.isEmpty()) {
        throw new CliFailure.Usage(
            "--label: 1-64 of [A-Za-z0-9._-], starting with a letter or digit");
      }
      return new KeyAttributes(k, u, false, extractable, label);
    }
  }

  @Command(
      name = "wrap",
      mixinStandardHelpOptions = true,
      description = {
        "Wrap an extractable key under another key of usage wrap: AES key wrap (RFC 3394),",
        "with padding (RFC 5649), or RSA-OAEP + AES-KWP under an RSA key. The output is the wrapped key."
      },
      footer = {
        "",
        "Example:",
        "  ihsm key wrap --partition app --key kek --target data-key --alg aes-kwp --out data-key.wrapped"
      })
  static final class Wrap implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin KeyCommand.PartitionOptions p = new KeyCommand.PartitionOptions();

    @Option(
        names = "--key",
        required = true,
        paramLabel = "LABEL",
        description = "The wrapping key.")
    String key;

    @Option(
        names = "--target",
        required = true,
        paramLabel = "LABEL",
        description = "The extractable key to wrap.")
    String target;

    @Option(
        names = "--alg",
        required = true,
        paramLabel = "ALG",
        description = "aes-kw, aes-kwp or rsa-aes-kw.")
    String alg;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "FILE",
        description = "Where the wrapped key goes; - is standard output.")
    Path out;

    @Override
    public Integer call() throws Exception {
      Algorithm a = wrapAlgorithm(alg);
      IhsmCommand root = IhsmCommand.of(spec);
      byte[] wrapped;
      try (IhsmClient hsm = root.connect();
          PartitionClient c = p.open(root, hsm)) {
        wrapped = c.wrap(key, target, a);
      }
      Output.write(out, wrapped);
      Output.wrote(spec, out);
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "unwrap",
      mixinStandardHelpOptions = true,
      description =
          "Unwrap a wrapped key under a key of usage wrap into a new key of this partition.",
      footer = {
        "",
        "Example:",
        "  ihsm key unwrap --partition app --key kek --alg aes-kwp --in data-key.wrapped"
            + " --label data-key-2 --kind aes-256 --usage encrypt"
      })
  static final class Unwrap implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin KeyCommand.PartitionOptions p = new KeyCommand.PartitionOptions();

    @Option(
        names = "--key",
        required = true,
        paramLabel = "LABEL",
        description = "The unwrapping key.")
    String key;

    @Option(
        names = "--alg",
        required = true,
        paramLabel = "ALG",
        description = "aes-kw, aes-kwp or rsa-aes-kw.")
    String alg;

    @Option(
        names = "--in",
        required = true,
        paramLabel = "FILE",
        description = "The wrapped key; - is standard input.")
    Path in;

    @CommandLine.Mixin NewKeyOptions made = new NewKeyOptions();

    @Override
    public Integer call() throws Exception {
      Algorithm a = wrapAlgorithm(alg);
      KeyAttributes attrs = made.attributes(false);
      byte[] wrapped = KeyCommand.readBounded(in, io.ihsm.ddi.message.Bytes.MAX_BLOB);
      IhsmCommand root = IhsmCommand.of(spec);
      try (IhsmClient hsm = root.connect();
          PartitionClient c = p.open(root, hsm)) {
        StoredKey k =
            c.unwrap(
                key, a, attrs.label(), attrs.kind(), attrs.usage(), attrs.extractable(), wrapped);
        print(
            spec,
            made.json,
            k,
            "unwrapped key " + attrs.label() + " into partition " + p.partition);
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "derive",
      mixinStandardHelpOptions = true,
      description = {
        "Derive a new key inside the device: ecdh (an EC key of usage derive and the peer's public",
        "key make a secret), hkdf (RFC 5869) or kbkdf (SP 800-108 counter mode) from a secret or HMAC",
        "key into an AES, HMAC or secret key."
      },
      footer = {
        "",
        "Examples:",
        "  ihsm key derive --partition app --key ecdh-key --method ecdh --peer peer.pem --label shared --kind secret --usage derive",
        "  ihsm key derive --partition app --key shared --method hkdf --hash sha256 --info-hex 6170 --label k --kind aes-256 --usage encrypt"
      })
  static final class Derive implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin KeyCommand.PartitionOptions p = new KeyCommand.PartitionOptions();

    @Option(
        names = "--key",
        required = true,
        paramLabel = "LABEL",
        description = "The base key (usage derive).")
    String key;

    @Option(
        names = "--method",
        required = true,
        paramLabel = "M",
        description = "ecdh, hkdf or kbkdf.")
    String method;

    @Option(
        names = "--hash",
        defaultValue = "sha256",
        paramLabel = "H",
        description = "hkdf and kbkdf: sha256, sha384 or sha512 (default sha256).")
    String hash;

    @Option(
        names = "--peer",
        paramLabel = "FILE",
        description = "ecdh: the peer's EC public key, SPKI DER or PEM.")
    Path peer;

    @Option(
        names = "--salt-hex",
        paramLabel = "HEX",
        description = "hkdf: the salt; kbkdf: the label (default empty).")
    String saltHex;

    @Option(
        names = "--info-hex",
        paramLabel = "HEX",
        description = "hkdf: the info; kbkdf: the context (default empty).")
    String infoHex;

    @Option(
        names = "--length",
        defaultValue = "0",
        paramLabel = "BYTES",
        description = "A secret's length in bytes (other kinds have their own).")
    int length;

    @CommandLine.Mixin NewKeyOptions made = new NewKeyOptions();

    @Override
    public Integer call() throws Exception {
      DeriveKeyRequest.Method m =
          switch (method.toLowerCase(Locale.ROOT)) {
            case "ecdh" -> DeriveKeyRequest.Method.ECDH;
            case "hkdf" -> DeriveKeyRequest.Method.HKDF;
            case "kbkdf" -> DeriveKeyRequest.Method.KBKDF;
            default ->
                throw new CliFailure.Usage(
                    "unknown method " + method + "; one of ecdh, hkdf, kbkdf");
          };
      if (m == DeriveKeyRequest.Method.ECDH && peer == null) {
        throw new CliFailure.Usage("ecdh needs --peer FILE, the peer's public key");
      }
      HashAlgorithm h =
          m == DeriveKeyRequest.Method.ECDH ? HashAlgorithm.NONE : JcaNames.hash(hash);
      if (h == HashAlgorithm.SHA1) {
        throw new CliFailure.Usage("hkdf and kbkdf use sha256, sha384 or sha512, not " + hash);
      }
      if (length < 0 || length > DeriveKeyRequest.MAX_SECRET) {
        throw new CliFailure.Usage("--length is 0 to " + DeriveKeyRequest.MAX_SECRET + " bytes");
      }
      KeyAttributes attrs = made.attributes(true);
      byte[] peerKey =
          peer == null
              ? new byte[0]
              : Pem.derOrPem(KeyCommand.readBounded(peer, 16384), "PUBLIC KEY");
      DeriveKeyRequest request =
          new DeriveKeyRequest(
              0, m, h, peerKey, KeyCommand.hex(saltHex), KeyCommand.hex(infoHex), length, attrs);
      IhsmCommand root = IhsmCommand.of(spec);
      try (IhsmClient hsm = root.connect();
          PartitionClient c = p.open(root, hsm)) {
        StoredKey k = c.derive(key, request);
        print(spec, made.json, k, "derived key " + attrs.label() + " in partition " + p.partition);
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "rename",
      mixinStandardHelpOptions = true,
      description = "Give a key (every version of it) a new label; the device's key is unchanged.",
      footer = {
        "",
        "Example:",
        "  ihsm key rename --partition app --label signer --to signer-2026"
      })
  static final class Rename implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin KeyCommand.PartitionOptions p = new KeyCommand.PartitionOptions();

    @Option(
        names = "--label",
        required = true,
        paramLabel = "LABEL",
        description = "The key's label now.")
    String label;

    @Option(names = "--to", required = true, paramLabel = "LABEL", description = "Its new label.")
    String to;

    @Override
    public Integer call() {
      if (!KeyAttributes.validLabel(to) || to.isEmpty()) {
        throw new CliFailure.Usage("--to: 1-64 of [A-Za-z0-9._-], starting with a letter or digit");
      }
      IhsmCommand root = IhsmCommand.of(spec);
      try (IhsmClient hsm = root.connect();
          PartitionClient c = p.open(root, hsm)) {
        c.renameKey(label, to);
      }
      spec.commandLine()
          .getOut()
          .printf("renamed key %s to %s in partition %s%n", label, to, p.partition);
      spec.commandLine().getOut().flush();
      return ExitCodes.OK;
    }
  }
}
