package io.ihsm.cli;

import io.ihsm.ddi.key.Algorithm;
import io.ihsm.ddi.key.Encrypted;
import io.ihsm.ddi.key.Operation;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.PartitionClient;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `ihsm sign|verify|mac|encrypt|decrypt`: one operation with a key of a partition, files in and
 * out. Encryption with AES-GCM, AES-CBC or AES-CTR writes the IV (CTR: the counter block) first,
 * then the ciphertext (with the GCM tag at its end); decryption reads that layout unless --iv-hex
 * gives the IV.
 */
final class CryptoCommands {
  private CryptoCommands() {}

  /** The options all five share. */
  static class Common {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin KeyCommand.PartitionOptions p = new KeyCommand.PartitionOptions();

    @Option(
        names = "--key",
        required = true,
        paramLabel = "LABEL",
        description = "The key's label (LABEL#VERSION for an older version).")
    String key;

    @Option(
        names = "--alg",
        required = true,
        paramLabel = "ALG",
        description = "A JCA algorithm name.")
    String alg;

    @Option(
        names = "--in",
        required = true,
        paramLabel = "FILE",
        description = "The input file; - is standard input.")
    Path in;

    byte[] input() throws IOException {
      return KeyCommand.readBounded(in, Operation.MAX_DATA);
    }

    PartitionClient open(IhsmClient hsm) {
      return p.open(IhsmCommand.of(spec), hsm);
    }
  }

  /** Options of signature algorithms. */
  static class SignatureOptions extends Common {
    @Option(
        names = "--pss-hash",
        defaultValue = "SHA-256",
        description = "RSASSA-PSS hash (default SHA-256).")
    String pssHash;

    @Option(names = "--mgf1-hash", description = "MGF1 hash (default: the signature hash).")
    String mgf1;

    @Option(
        names = "--salt-length",
        description = "RSASSA-PSS salt length (default: the hash length).")
    Integer saltLength;

    Operation operation(byte[] data) {
      return withData(JcaNames.signature(alg, pssHash, mgf1, saltLength), data);
    }
  }

  @Command(
      name = "sign",
      mixinStandardHelpOptions = true,
      description = "Sign a file (ECDSA, RSA, RSASSA-PSS).")
  static final class Sign extends SignatureOptions implements Callable<Integer> {
    @Option(
        names = "--out",
        required = true,
        paramLabel = "FILE",
        description = "The signature (DER for ECDSA).")
    Path out;

    @Override
    public Integer call() throws Exception {
      try (IhsmClient hsm = IhsmCommand.of(spec).connect();
          PartitionClient c = open(hsm)) {
        Output.write(out, c.sign(key, operation(input())));
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "mac",
      mixinStandardHelpOptions = true,
      description = "Compute an HMAC or AES-CMAC tag of a file.")
  static final class Mac extends SignatureOptions implements Callable<Integer> {
    @Option(
        names = "--out",
        required = true,
        paramLabel = "FILE",
        description = "Where to write it; - is standard output.")
    Path out;

    @Override
    public Integer call() throws Exception {
      Operation op = operation(input());
      if (op.algorithm() != Algorithm.HMAC && op.algorithm() != Algorithm.AES_CMAC) {
        throw new CliFailure.Usage("mac takes HmacSHA256, HmacSHA384, HmacSHA512 or AESCMAC");
      }
      try (IhsmClient hsm = IhsmCommand.of(spec).connect();
          PartitionClient c = open(hsm)) {
        Output.write(out, c.sign(key, op));
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description = "Verify a signature or HMAC tag; exit 0 when valid, 1 when not.")
  static final class Verify extends SignatureOptions implements Callable<Integer> {
    @Option(
        names = "--signature",
        required = true,
        paramLabel = "FILE",
        description = "The signature (or MAC tag) to check.")
    Path signature;

    @Override
    public Integer call() throws Exception {
      byte[] sig = KeyCommand.readBounded(signature, Operation.MAX_SIGNATURE);
      try (IhsmClient hsm = IhsmCommand.of(spec).connect();
          PartitionClient c = open(hsm)) {
        if (!c.verify(key, operation(input()).withSignature(sig))) {
          throw new CliFailure("the signature does not verify");
        }
      }
      spec.commandLine().getOut().println("signature valid");
      spec.commandLine().getOut().flush();
      return ExitCodes.OK;
    }
  }

  /** Options of ciphers. */
  static class CipherOptions extends Common {
    @Option(
        names = "--out",
        required = true,
        paramLabel = "FILE",
        description = "Where to write it; - is standard output.")
    Path out;

    @Option(names = "--aad-hex", description = "AES-GCM additional data, hex.")
    String aadHex;

    @Option(names = "--oaep-label-hex", description = "RSA-OAEP label, hex.")
    String oaepLabelHex;

    @Option(
        names = "--mgf1-hash",
        description = "RSA-OAEP MGF1 hash (default: the OAEP hash; see docs).")
    String mgf1;

    @Option(
        names = "--tweak-hex",
        description = "AES-XTS tweak of the first data unit, 16 bytes hex (default zeros).")
    String tweakHex;

    @Option(
        names = "--data-unit-size",
        defaultValue = "512",
        description = "AES-XTS data unit size (default 512).")
    int dataUnitSize;

    Operation operation(byte[] data) {
      Operation op = JcaNames.cipher(alg, mgf1);
      op =
          switch (op.algorithm()) {
            case AES_GCM -> op.withAad(KeyCommand.hex(aadHex));
            case RSA_OAEP -> op.withOaep(op.hash(), op.mgf1Hash(), KeyCommand.hex(oaepLabelHex));
            case AES_XTS ->
                op.withIv(tweakHex == null ? new byte[16] : KeyCommand.hex(tweakHex))
                    .withDataUnitSize(dataUnitSize);
            default -> op;
          };
      if (op.algorithm() != Algorithm.AES_GCM && aadHex != null) {
        throw new CliFailure("--aad-hex is for AES/GCM/NoPadding");
      }
      if (op.algorithm() != Algorithm.RSA_OAEP && oaepLabelHex != null) {
        throw new CliFailure("--oaep-label-hex is for RSA-OAEP");
      }
      return withData(op, data);
    }

    /** How many leading bytes of a ciphertext file are its IV. */
    int ivBytes(Algorithm a) {
      return switch (a) {
        case AES_GCM -> 12;
        case AES_CBC, AES_CBC_PAD, AES_CTR -> 16;
        default -> 0;
      };
    }
  }

  @Command(
      name = "encrypt",
      mixinStandardHelpOptions = true,
      description =
          "Encrypt a file (AES-GCM, AES-CBC, AES-CTR, AES-ECB, AES-XTS, RSA-OAEP); IV or counter block"
              + " first, then the ciphertext.")
  static final class Encrypt extends CipherOptions implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      Operation op = operation(input());
      try (IhsmClient hsm = IhsmCommand.of(spec).connect();
          PartitionClient c = open(hsm)) {
        Encrypted e = c.encrypt(key, op);
        byte[] iv = ivBytes(op.algorithm()) > 0 ? e.iv() : new byte[0];
        Output.write(out, KeyCommand.concat(iv, e.ciphertext()));
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "decrypt",
      mixinStandardHelpOptions = true,
      description =
          "Decrypt a file made by `ihsm encrypt` (or an IV given with --iv-hex), or RSA-OAEP ciphertext.")
  static final class Decrypt extends CipherOptions implements Callable<Integer> {
    @Option(names = "--iv-hex", description = "The IV, when the input does not start with it.")
    String ivHex;

    @Override
    public Integer call() throws Exception {
      byte[] data = input();
      Operation op = operation(new byte[0]);
      int n = ivBytes(op.algorithm());
      if (n > 0) {
        byte[] iv;
        if (ivHex != null) {
          iv = KeyCommand.hex(ivHex);
        } else {
          if (data.length < n) {
            throw new CliFailure(in + " is shorter than its " + n + "-byte IV");
          }
          iv = Arrays.copyOf(data, n);
          data = Arrays.copyOfRange(data, n, data.length);
        }
        op = op.withIv(iv);
      }
      try (IhsmClient hsm = IhsmCommand.of(spec).connect();
          PartitionClient c = open(hsm)) {
        Output.write(out, c.decrypt(key, withData(op, data)));
      }
      return ExitCodes.OK;
    }
  }

  static Operation withData(Operation t, byte[] data) {
    return new Operation(
        t.handle(),
        t.algorithm(),
        t.hash(),
        t.mgf1Hash(),
        t.saltLength(),
        t.iv(),
        t.aad(),
        t.dataUnitSize(),
        data,
        t.signature());
  }
}
