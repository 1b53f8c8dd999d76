package io.ihsm.cli;

import static io.ihsm.cli.CliRun.inHome;
import static io.ihsm.cli.CliRun.okInHome;
import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.jca.IhsmConfig;
import io.ihsm.jca.IhsmProvider;
import io.ihsm.store.testing.EtcdCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet through the command line, as docs/fleet.md walks it: three servers' homes (embedded
 * devices) share a store (a real etcd cluster where etcd is installed, else a file store), join
 * through it, use a key made on one from another with the usual commands, and after every device is
 * "lost" a fresh one comes back from a backup with two of three custodians.
 */
class DomainCliTest {
  static final String PIN = "fleet-pin-1234";
  static final Pattern TICKET = Pattern.compile("(?m)^([0-9a-f]{32}) ");

  @TempDir Path dir;

  @Test
  void threeServersJoinUseOneKeyAndAFreshDeviceRestoresTheDomainFromTwoCustodians()
      throws Exception {
    EtcdCluster etcd =
        EtcdCluster.unavailable() == null ? EtcdCluster.start(dir.resolve("etcd"), 3) : null;
    try {
      String store = etcd != null ? etcd.address() : "file:" + dir.resolve("store");
      walkThrough(store);
    } finally {
      if (etcd != null) {
        etcd.close();
      }
    }
  }

  void walkThrough(String store) throws Exception {
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    Path c = dir.resolve("c");
    Path fresh = dir.resolve("fresh");
    okInHome(a, "device", "manufacture");
    String caKey = a.resolve("manufacturer/dev-ca.pk8").toString();
    String caCert = a.resolve("manufacturer/dev-ca.der").toString();
    for (Path h : new Path[] {b, c, fresh}) {
      okInHome(h, "device", "manufacture", "--ca-key", caKey, "--ca-cert", caCert);
    }
    assertThat(inHome(a, "domain", "create").exitCode())
        .as("no store named, none remembered")
        .isEqualTo(ExitCodes.USAGE);
    // Joins need one of two approvers' endorsement.
    Path approvers = dir.resolve("approvers");
    Files.createDirectories(approvers);
    for (String name : new String[] {"olga", "piet"}) {
      okInHome(a, "domain", "approver", "keygen", "--out", approvers.resolve(name).toString());
    }
    Path approverKey = approvers.resolve("piet.pk8");
    assertThat(
            okInHome(
                    a,
                    "domain",
                    "create",
                    "--store",
                    store,
                    "--approver",
                    approvers.resolve("olga.pub").toString(),
                    "--approver",
                    approvers.resolve("piet.pub").toString(),
                    "--approvals",
                    "1")
                .out())
        .contains("created security domain");
    join(args -> inHome(b, args), args -> inHome(a, args), store, approverKey);
    join(args -> inHome(c, args), args -> inHome(a, args), store, approverKey);
    assertThat(okInHome(b, "domain", "status").out())
        .contains("epoch 1")
        .contains("key store: the fleet store " + store);
    String members = okInHome(c, "domain", "members", "--json").out();
    assertThat(members.split("\"firmwareSvn\"", -1)).as(members).hasSize(4);

    // Made on A with the usual commands...
    okInHome(a, "partition", "create", "pay", "--pin-file", PinFiles.of(PIN));
    okInHome(
        a,
        "key",
        "generate",
        "--partition",
        "pay",
        "--kind",
        "ec-p256",
        "--usage",
        "sign",
        "--label",
        "signer",
        "--pin-file",
        PinFiles.of(PIN));
    Path data = Files.writeString(dir.resolve("data.txt"), "pay 10 to bob");
    Path pub = dir.resolve("signer.pub");
    okInHome(
        a,
        "key",
        "public",
        "--partition",
        "pay",
        "--label",
        "signer",
        "--pem",
        "--out",
        pub.toString());
    // ...used on C, unchanged.
    Path sig = dir.resolve("sig-c");
    okInHome(
        c,
        "sign",
        "--partition",
        "pay",
        "--key",
        "signer",
        "--alg",
        "SHA256withECDSA",
        "--pin-file",
        PinFiles.of(PIN),
        "--in",
        data.toString(),
        "--out",
        sig.toString());
    assertThat(verifies(pub, data, sig)).isTrue();

    // The JCA provider, unchanged, on B's home: its key store is the fleet's.
    IhsmProvider jca = new IhsmProvider(IhsmConfig.embedded(b, "pay"));
    KeyStore keys = KeyStore.getInstance("IHSM", jca);
    keys.load(null, PIN.toCharArray());
    Signature viaJca = Signature.getInstance("SHA256withECDSA", jca);
    viaJca.initSign((PrivateKey) keys.getKey("signer", null));
    viaJca.update(Files.readAllBytes(data));
    Path sigJca = Files.write(dir.resolve("sig-jca"), viaJca.sign());
    assertThat(verifies(pub, data, sigJca)).as("signed on B through the JCA provider").isTrue();

    // Every device is lost; a fresh one comes back from the backup with 2 of 3 custodians.
    Path k = dir.resolve("custodians");
    Files.createDirectories(k);
    for (String name : new String[] {"ann", "ben", "cat", "outsider"}) {
      okInHome(a, "domain", "custodian", "keygen", "--out", k.resolve(name).toString());
    }
    Path backup = dir.resolve("backup.bin");
    okInHome(
        a,
        "domain",
        "backup",
        "--threshold",
        "2",
        "--custodian",
        k.resolve("ann.pub").toString(),
        "--custodian",
        k.resolve("ben.pub").toString(),
        "--custodian",
        k.resolve("cat.pub").toString(),
        "--out",
        backup.toString());
    Path shares = dir.resolve("shares");
    CompletableFuture<CliRun> restoring =
        CompletableFuture.supplyAsync(
            () ->
                inHome(
                    fresh,
                    "domain",
                    "restore",
                    "--backup",
                    backup.toString(),
                    "--shares",
                    shares.toString(),
                    "--store",
                    store,
                    "--wait",
                    "60"));
    Path request = shares.resolve("request.bin");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!Files.exists(request) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    CliRun notACustodian =
        inHome(
            a,
            "domain",
            "custodian",
            "release",
            "--key",
            k.resolve("outsider.pk8").toString(),
            "--backup",
            backup.toString(),
            "--request",
            request.toString(),
            "--out",
            dir.resolve("x.share").toString());
    assertThat(notACustodian.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(notACustodian.err()).contains("not one of the backup's custodians");
    for (String name : new String[] {"ann", "cat"}) {
      okInHome(
          a,
          "domain",
          "custodian",
          "release",
          "--key",
          k.resolve(name + ".pk8").toString(),
          "--backup",
          backup.toString(),
          "--request",
          request.toString(),
          "--out",
          shares.resolve(name + ".share").toString());
    }
    CliRun restored = restoring.get(90, TimeUnit.SECONDS);
    assertThat(restored.exitCode()).as(restored.err()).isEqualTo(ExitCodes.OK);
    assertThat(restored.out()).contains("restored security domain");
    Path sigFresh = dir.resolve("sig-fresh");
    okInHome(
        fresh,
        "sign",
        "--partition",
        "pay",
        "--key",
        "signer",
        "--alg",
        "SHA256withECDSA",
        "--pin-file",
        PinFiles.of(PIN),
        "--in",
        data.toString(),
        "--out",
        sigFresh.toString());
    assertThat(verifies(pub, data, sigFresh)).as("no key was lost").isTrue();
  }

  /** B asks to join; A lists the waiting ticket and approves it. */
  /**
   * The joiner asks to join (in the background, as it waits); the member lists the waiting ticket,
   * has {@code approverKey} endorse it when the domain asks for approvals, and approves it.
   *
   * @param joiner runs `ihsm` as the joining server
   * @param member runs `ihsm` as a member
   */
  static void join(
      Function<String[], CliRun> joiner,
      Function<String[], CliRun> member,
      String store,
      Path approverKey)
      throws Exception {
    CompletableFuture<CliRun> joining =
        CompletableFuture.supplyAsync(
            () -> joiner.apply(new String[] {"domain", "join", "--store", store, "--wait", "60"}));
    String ticket = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (ticket == null && System.nanoTime() < deadline) {
      Matcher m = TICKET.matcher(ok(member, "domain", "approve").out());
      if (m.find()) {
        ticket = m.group(1);
      } else {
        Thread.sleep(50);
      }
    }
    assertThat(ticket).as("a waiting join ticket").isNotNull();
    assertThat(member.apply(new String[] {"domain", "approve", "not-a-ticket"}).exitCode())
        .isEqualTo(ExitCodes.USAGE);
    if (approverKey != null) {
      assertThat(
              ok(member, "domain", "approver", "endorse", ticket, "--key", approverKey.toString())
                  .out())
          .contains("endorsed");
    }
    assertThat(ok(member, "domain", "approve", ticket).out()).contains("admitted");
    CliRun joined = joining.get(60, TimeUnit.SECONDS);
    assertThat(joined.exitCode()).as(joined.err()).isEqualTo(ExitCodes.OK);
    assertThat(joined.out()).contains("join ticket " + ticket).contains("joined security domain");
  }

  static CliRun ok(Function<String[], CliRun> as, String... args) {
    CliRun r = as.apply(args);
    assertThat(r.exitCode()).as(String.join(" ", args) + "\n" + r.err()).isEqualTo(ExitCodes.OK);
    return r;
  }

  static boolean verifies(Path spkiFile, Path data, Path signature) throws Exception {
    byte[] spki = Pem.derOrPem(Files.readAllBytes(spkiFile), "PUBLIC KEY");
    PublicKey key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(spki));
    Signature s = Signature.getInstance("SHA256withECDSA");
    s.initVerify(key);
    s.update(Files.readAllBytes(data));
    return s.verify(Files.readAllBytes(signature));
  }
}
