package io.ihsm.cli;

import io.ihsm.ddi.Status;
import io.ihsm.ddi.credential.Credential;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.ddi.message.PartitionLimits;
import io.ihsm.sdk.CryptoOfficerSession;
import io.ihsm.sdk.DeviceAddress;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.IhsmException;
import io.ihsm.sdk.PartitionClient;
import io.ihsm.sdk.store.HostKeyStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * What {@link CrashConsistencyTest} kills: a process that changes the device's durable state as
 * fast as it can (key creation, PIN failures, partition creation, firmware SVN commits, and the
 * audit appends each makes) and writes an acknowledgement line, synced, after each change the
 * device confirmed. Whatever is acknowledged must survive the kill. Arguments: home socketDir
 * ackFile round.
 */
final class CrashWorkload {
  static final String PIN = "crash-pin-1234";

  /** A partition only ever given wrong PINs: its failure count may only grow. */
  static final String PIN_WALL = "pinwall";

  static final PartitionLimits WALL = new PartitionLimits(0, 0, 0, 100, 1);

  private CrashWorkload() {}

  public static void main(String[] args) throws Exception {
    Path home = Path.of(args[0]);
    Path sockets = Path.of(args[1]);
    Path acks = Path.of(args[2]);
    String round = args[3];
    HostKeyStore store = HostKeyStore.at(home);
    try (FileChannel ack =
            FileChannel.open(
                acks,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        IhsmClient hsm = IhsmClient.connect(DeviceAddress.daemon(sockets));
        PartitionClient app = PartitionClient.open(hsm, store, "crash", PIN)) {
      for (int i = 0; ; i++) {
        String label = "k" + round + "-" + i;
        app.generate(label, KeyKind.EC_P256, KeyUsage.SIGN, false);
        acknowledge(ack, "key " + label);
        if (i % 3 == 1) {
          try (PartitionClient wrong =
              PartitionClient.open(hsm, store, PIN_WALL, "not-the-pin-" + i)) {
            throw new IllegalStateException("a wrong PIN opened " + wrong);
          } catch (IhsmException e) {
            if (e.status() == Status.AUTHENTICATION_FAILED) {
              acknowledge(ack, "pinfail");
            }
          }
        }
        if (i == 2) {
          try (CryptoOfficerSession co = hsm.loginCryptoOfficer(officer())) {
            String name = "p" + round;
            try {
              PartitionClient.create(
                  hsm,
                  co,
                  store,
                  name,
                  PartitionLimits.DEFAULTS,
                  CrashConsistencyTest.ownerAnchor(),
                  PIN);
              acknowledge(ack, "partition " + name);
            } catch (IhsmException full) {
              if (full.status() != Status.PARTITION_LIMIT) {
                throw full;
              }
            }
            co.commitFirmwareSvn();
            acknowledge(ack, "svn");
          }
        }
      }
    }
  }

  static Credential officer() {
    byte[] id = new byte[16];
    Arrays.fill(id, (byte) 9);
    return Credential.of(id, "crash-officer-pin");
  }

  private static void acknowledge(FileChannel ack, String line) throws IOException {
    ByteBuffer b = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
    while (b.hasRemaining()) {
      ack.write(b);
    }
    ack.force(false);
  }
}
