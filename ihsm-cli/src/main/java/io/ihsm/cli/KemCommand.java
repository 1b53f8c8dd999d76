package io.ihsm.cli;

import io.ihsm.ddi.key.KeyAttributes;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.PartitionClient;
import io.ihsm.sdk.store.HostKeyStore;
import io.ihsm.sdk.store.HostKeyStore.StoredKey;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.concurrent.Callable;
import javax.crypto.KEM;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `ihsm kem encapsulate|decapsulate`: ML-KEM (FIPS 203). Encapsulating needs only the public key,
 * so it runs here, on the host, with the JDK; decapsulating runs in the device and leaves the
 * shared secret there, as a new key.
 */
@Command(
    name = "kem",
    mixinStandardHelpOptions = true,
    description = "ML-KEM key encapsulation: encapsulate to a partition's key, decapsulate inside.",
    subcommands = {KemCommand.Encapsulate.class, KemCommand.Decapsulate.class})
final class KemCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "encapsulate",
      mixinStandardHelpOptions = true,
      description = {
        "Encapsulate a fresh shared secret to an ML-KEM public key (a partition key's, from the key",
        "store, or any SPKI file), with the JDK: writes the ciphertext and the sender's copy of the",
        "32-byte secret (owner-only; it is the sender's, outside the device by nature)."
      },
      footer = {
        "",
        "Example:",
        "  ihsm kem encapsulate --partition app --key kem --out ct.bin --secret-out shared.bin"
      })
  static final class Encapsulate implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--partition", paramLabel = "P", description = "The partition whose key it is.")
    String partition;

    @Option(names = "--key", paramLabel = "LABEL", description = "The partition's ML-KEM key.")
    String key;

    @Option(
        names = "--public-key",
        paramLabel = "FILE",
        description = "Or any ML-KEM public key, SPKI DER or PEM.")
    Path publicKey;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "FILE",
        description = "Where the ciphertext goes; - is standard output.")
    Path out;

    @Option(
        names = "--secret-out",
        required = true,
        paramLabel = "FILE",
        description = "Where the sender's shared secret goes (written owner-only).")
    Path secretOut;

    @Override
    public Integer call() throws Exception {
      if (Output.isStdout(secretOut)) {
        throw new CliFailure.Usage(
            "--secret-out takes a file: the shared secret is written owner-only, never to standard output");
      }
      byte[] spki;
      if (publicKey != null) {
        spki = Pem.derOrPem(KeyCommand.readBounded(publicKey, 16384), "PUBLIC KEY");
      } else if (partition != null && key != null) {
        StoredKey k =
            HostKeyStore.at(IhsmCommand.of(spec).home())
                .key(partition, key)
                .orElseThrow(() -> new CliFailure("partition " + partition + " has no key " + key));
        spki = k.publicKey();
      } else {
        throw new CliFailure.Usage("give --public-key FILE, or --partition P and --key LABEL");
      }
      PublicKey pub;
      try {
        pub = KeyFactory.getInstance("ML-KEM").generatePublic(new X509EncodedKeySpec(spki));
      } catch (java.security.GeneralSecurityException e) {
        throw new CliFailure("not an ML-KEM public key");
      }
      KEM.Encapsulated e = KEM.getInstance("ML-KEM").newEncapsulator(pub).encapsulate();
      byte[] secret = e.key().getEncoded();
      try {
        io.ihsm.host.AtomicFile.write(secretOut, secret);
      } finally {
        java.util.Arrays.fill(secret, (byte) 0);
      }
      Output.write(out, e.encapsulation());
      Output.wrote(spec, out);
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "decapsulate",
      mixinStandardHelpOptions = true,
      description = {
        "Decapsulate an ML-KEM ciphertext with a partition's ML-KEM key, inside the device: the",
        "shared secret becomes a new key there (secret, aes-256 or hmac-sha256), not output."
      },
      footer = {
        "",
        "Example:",
        "  ihsm kem decapsulate --partition app --key kem --in ct.bin --label shared --kind aes-256 --usage encrypt"
      })
  static final class Decapsulate implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin KeyCommand.PartitionOptions p = new KeyCommand.PartitionOptions();

    @Option(names = "--key", required = true, paramLabel = "LABEL", description = "The ML-KEM key.")
    String key;

    @Option(
        names = "--in",
        required = true,
        paramLabel = "FILE",
        description = "The ciphertext; - is standard input.")
    Path in;

    @CommandLine.Mixin
    KeyTransferCommands.NewKeyOptions made = new KeyTransferCommands.NewKeyOptions();

    @Override
    public Integer call() throws Exception {
      KeyAttributes attrs = made.attributes(true);
      byte[] ciphertext = KeyCommand.readBounded(in, 4096);
      IhsmCommand root = IhsmCommand.of(spec);
      try (IhsmClient hsm = root.connect();
          PartitionClient c = p.open(root, hsm)) {
        StoredKey k =
            c.decapsulate(
                key, ciphertext, attrs.label(), attrs.kind(), attrs.usage(), attrs.extractable());
        KeyTransferCommands.print(
            spec,
            made.json,
            k,
            "decapsulated into key " + attrs.label() + " in partition " + p.partition);
      }
      return ExitCodes.OK;
    }
  }
}
