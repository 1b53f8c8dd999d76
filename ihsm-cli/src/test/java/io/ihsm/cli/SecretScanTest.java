package io.ihsm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A working session through a daemon, with PINs and imported keys the test knows, then a search of
 * everything it left behind for them: every file of the device state and the host key store, the
 * daemon's log, every command's output and error (a wrong PIN and --verbose stack traces included),
 * the audit export and the compliance report, and the command lines of running processes. A PIN or
 * a key's bytes found anywhere (raw, hex or base64) is a leak.
 */
class SecretScanTest {
  @TempDir Path tmp;

  Process daemon;

  @AfterEach
  void stop() {
    if (daemon != null) {
      daemon.destroyForcibly();
    }
  }

  @Test
  void noPinAndNoImportedKeyByteIsLeftAnywhere() throws Exception {
    SecureRandom random = new SecureRandom();
    String pin = "pin-" + HexFormat.of().formatHex(random.generateSeed(12));
    String wrongPin = "wrong-" + HexFormat.of().formatHex(random.generateSeed(12));
    byte[] aes = new byte[32];
    random.nextBytes(aes);
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    var ec = g.generateKeyPair();
    byte[] scalar =
        Arrays.copyOfRange(((ECPrivateKey) ec.getPrivate()).getS().toByteArray(), 0, 20);

    Path sockets = tmp.resolve("sock");
    Path home = tmp.resolve("home");
    Path inputs =
        Files.createDirectories(
            tmp.resolve("inputs")); // the test's own plaintext keys: not scanned
    daemon = DaemonProcessTest.startDaemon(tmp, sockets);
    String[] c = {"--home", home.toString(), "--socket-dir", sockets.toString()};
    List<CliRun> runs = new ArrayList<>();
    runs.add(DaemonProcessTest.run(c, "device", "init"));
    runs.add(DaemonProcessTest.run(c, "device", "manufacture"));
    runs.add(
        DaemonProcessTest.run(c, "partition", "create", "app", "--pin-file", PinFiles.of(pin)));
    Path unwrap = tmp.resolve("unwrap.pem");
    runs.add(
        DaemonProcessTest.run(
            c,
            "key",
            "unwrapping-key",
            "--partition",
            "app",
            "--pem",
            "--out",
            unwrap.toString(),
            "--pin-file",
            PinFiles.of(pin)));
    Files.write(inputs.resolve("aes.bin"), aes);
    Files.writeString(
        inputs.resolve("ec.pem"), Pem.encode("PRIVATE KEY", ec.getPrivate().getEncoded()));
    runs.add(
        DaemonProcessTest.run(
            c,
            "key",
            "wrap-for-import",
            "--unwrapping-key",
            unwrap.toString(),
            "--in",
            inputs.resolve("aes.bin").toString(),
            "--out",
            tmp.resolve("aes.wrapped").toString(),
            "--raw"));
    runs.add(
        DaemonProcessTest.run(
            c,
            "key",
            "wrap-for-import",
            "--unwrapping-key",
            unwrap.toString(),
            "--in",
            inputs.resolve("ec.pem").toString(),
            "--out",
            tmp.resolve("ec.wrapped").toString()));
    runs.add(
        DaemonProcessTest.run(
            c,
            "key",
            "import",
            "--partition",
            "app",
            "--label",
            "aes",
            "--kind",
            "aes-256",
            "--usage",
            "encrypt",
            "--wrapped",
            tmp.resolve("aes.wrapped").toString(),
            "--pin-file",
            PinFiles.of(pin)));
    runs.add(
        DaemonProcessTest.run(
            c,
            "key",
            "import",
            "--partition",
            "app",
            "--label",
            "ec",
            "--kind",
            "ec-p256",
            "--usage",
            "sign",
            "--wrapped",
            tmp.resolve("ec.wrapped").toString(),
            "--pin-file",
            PinFiles.of(pin)));
    Path msg = tmp.resolve("msg");
    Files.writeString(msg, "scan me");
    runs.add(
        DaemonProcessTest.run(
            c,
            "sign",
            "--partition",
            "app",
            "--key",
            "ec",
            "--alg",
            "SHA256withECDSA",
            "--in",
            msg.toString(),
            "--out",
            tmp.resolve("sig").toString(),
            "--pin-file",
            PinFiles.of(pin)));
    runs.add(
        DaemonProcessTest.run(
            c,
            "encrypt",
            "--partition",
            "app",
            "--key",
            "aes",
            "--alg",
            "AES/GCM/NoPadding",
            "--in",
            msg.toString(),
            "--out",
            tmp.resolve("ct").toString(),
            "--pin-file",
            PinFiles.of(pin)));
    runs.add(
        DaemonProcessTest.run(
            c,
            "--verbose",
            "sign",
            "--partition",
            "app",
            "--key",
            "ec",
            "--alg",
            "SHA256withECDSA",
            "--in",
            msg.toString(),
            "--out",
            tmp.resolve("sig2").toString(),
            "--pin-file",
            PinFiles.of(wrongPin)));
    runs.add(DaemonProcessTest.run(c, "key", "list", "--partition", "app", "--json"));
    runs.add(
        DaemonProcessTest.run(c, "audit", "export", "--out", tmp.resolve("audit.log").toString()));
    runs.add(
        DaemonProcessTest.run(
            c, "compliance", "report", "--out", tmp.resolve("compliance").toString()));
    assertThat(runs.get(runs.size() - 1).exitCode()).as(runs.get(runs.size() - 1).err()).isZero();
    assertThat(runs.get(10).exitCode()).as("the wrong PIN was refused").isEqualTo(ExitCodes.FAILED);
    assertThat(DaemonProcessTest.commandLinesHolding(pin)).isEmpty();
    daemon.destroy();
    assertThat(daemon.waitFor(20, TimeUnit.SECONDS)).isTrue();

    List<byte[]> secrets = new ArrayList<>();
    for (String s : new String[] {pin, wrongPin}) {
      secrets.add(s.getBytes(StandardCharsets.UTF_8));
    }
    for (byte[] key : new byte[][] {aes, scalar}) {
      secrets.add(key);
      secrets.add(HexFormat.of().formatHex(key).getBytes(StandardCharsets.US_ASCII));
      secrets.add(
          Base64.getEncoder()
              .encodeToString(key)
              .substring(0, 24)
              .getBytes(StandardCharsets.US_ASCII));
    }
    List<Path> scanned = new ArrayList<>();
    for (Path root : new Path[] {home, tmp.resolve("state"), tmp.resolve("compliance")}) {
      try (Stream<Path> s = Files.walk(root)) {
        scanned.addAll(s.filter(Files::isRegularFile).toList());
      }
    }
    scanned.add(tmp.resolve("daemon.log"));
    scanned.add(tmp.resolve("audit.log"));
    for (Path f : scanned) {
      byte[] content = Files.readAllBytes(f);
      for (byte[] secret : secrets) {
        assertThat(indexOf(content, secret)).as("a secret in " + f).isNegative();
      }
    }
    for (CliRun r : runs) {
      for (byte[] secret : secrets) {
        String s = new String(secret, StandardCharsets.ISO_8859_1);
        assertThat(r.out() + r.err()).as("a secret in a command's output").doesNotContain(s);
      }
    }
    assertThat(scanned).as("files scanned").hasSizeGreaterThan(20);
  }

  static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
