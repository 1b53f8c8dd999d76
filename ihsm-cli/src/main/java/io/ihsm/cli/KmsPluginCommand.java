package io.ihsm.cli;

import io.ihsm.kms.KmsKey;
import io.ihsm.kms.KmsPlugin;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.PartitionClient;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** `ihsm kms-plugin`: the Kubernetes KMS v2 plugin, until SIGTERM or SIGINT. */
@Command(
    name = "kms-plugin",
    mixinStandardHelpOptions = true,
    description = {
      "Serve the Kubernetes KMS v2 API (Status, Encrypt, Decrypt) on a Unix socket, encrypting the"
          + " API server's DEKs under an AES-256 key of a partition (docs/kubernetes.md).",
      "Rotating the key (`ihsm key rotate`) changes the key id the API server sees; DEKs"
          + " encrypted before still decrypt."
    })
final class KmsPluginCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--listen",
      required = true,
      paramLabel = "ENDPOINT",
      description = "unix:///PATH, e.g. unix:///run/ihsm/kms.sock (made owner-only).")
  String listen;

  @Option(
      names = "--key",
      required = true,
      paramLabel = "LABEL",
      description = "The partition's aes-256 key of usage encrypt.")
  String key;

  @CommandLine.Mixin KeyCommand.PartitionOptions p = new KeyCommand.PartitionOptions();

  @Override
  public Integer call() throws Exception {
    Path socket;
    try {
      socket = KmsPlugin.socketOf(listen);
    } catch (IllegalArgumentException e) {
      throw new CliFailure.Usage("--listen: " + e.getMessage());
    }
    IhsmCommand root = IhsmCommand.of(spec);
    PrintWriter out = spec.commandLine().getOut();
    try (IhsmClient hsm = root.connect();
        PartitionClient partition = p.open(root, hsm)) {
      KmsKey kmsKey;
      try {
        kmsKey = new KmsKey(hsm, partition, key);
      } catch (IllegalArgumentException e) {
        throw new CliFailure(e.getMessage());
      }
      try (KmsPlugin plugin = start(socket, kmsKey)) {
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), sig -> stop.countDown());
        Signal.handle(new Signal("INT"), sig -> stop.countDown());
        out.printf(
            "ihsm kms-plugin: serving unix://%s with key %s of partition %s (key id %s) on %s%n",
            plugin.socket(), key, p.partition, kmsKey.currentKeyId(), hsm.describeTransport());
        out.flush();
        stop.await();
      }
    }
    out.println("ihsm kms-plugin: stopped");
    out.flush();
    return ExitCodes.OK;
  }

  private static KmsPlugin start(Path socket, KmsKey key) {
    try {
      return KmsPlugin.start(socket, key);
    } catch (IllegalStateException | java.io.UncheckedIOException e) {
      throw new CliFailure(e.getMessage());
    }
  }
}
