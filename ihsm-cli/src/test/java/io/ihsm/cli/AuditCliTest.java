package io.ihsm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * `ihsm audit export` and `ihsm audit verify`: a good export verifies; every kind of edit is
 * caught.
 */
class AuditCliTest extends InHomeCliTest {
  Path export;
  List<String> lines;

  @BeforeEach
  void aLogWithKeyLifecycleAndAFailedLogin() throws Exception {
    ok("partition", "create", "app", "--pin-file", PinFiles.of("pin-12345"));
    ok(
        "key",
        "generate",
        "--partition",
        "app",
        "--kind",
        "ec-p256",
        "--usage",
        "sign",
        "--label",
        "k",
        "--pin-file",
        PinFiles.of("pin-12345"));
    Path data = Files.writeString(home.resolve("data.txt"), "hello");
    assertThat(
            ihsm(
                    "sign",
                    "--partition",
                    "app",
                    "--key",
                    "k",
                    "--alg",
                    "SHA256withECDSA",
                    "--pin-file",
                    PinFiles.of("wrong-pin-9"),
                    "--in",
                    data.toString(),
                    "--out",
                    home.resolve("sig").toString())
                .exitCode())
        .isEqualTo(ExitCodes.FAILED);
    export = home.resolve("audit.log");
    assertThat(ok("audit", "export", "--out", export.toString()).out()).contains("wrote");
    lines = Files.readAllLines(export);
  }

  CliRun verifyEdited(List<String> edited) throws Exception {
    Path bad = home.resolve("edited.log");
    Files.write(bad, edited, StandardCharsets.UTF_8);
    return ihsm("audit", "verify", bad.toString());
  }

  void refused(List<String> edited, String why) throws Exception {
    CliRun r = verifyEdited(edited);
    assertThat(r.exitCode()).as(r.out()).isEqualTo(ExitCodes.FAILED);
    assertThat(r.err()).contains("NOT intact").contains(why);
    assertThat(r.err().strip().lines()).hasSize(1);
  }

  int indexOf(String event) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains("|" + event + "|")) {
        return i;
      }
    }
    throw new AssertionError(event + " not in the log:\n" + String.join("\n", lines));
  }

  @Test
  void aFreshExportVerifiesAndRecordsWhatHappenedWithoutSecrets() throws Exception {
    assertThat(ok("audit", "verify", export.toString()).out()).contains("good:");
    String log = String.join("\n", lines);
    assertThat(log)
        .contains(
            "|CREATE_PARTITION|management",
            "|PROVISION_PARTITION|partition-",
            "|GENERATE_KEY|partition-",
            "status=AUTHENTICATION_FAILED",
            "|AUDIT_EXPORT|",
            "|SELF_TESTS|power-on");
    assertThat(log).doesNotContain("pin-12345").doesNotContain("wrong-pin-9");
    // Offline, against the key saved beforehand.
    Path key = home.resolve("audit-key.der");
    ok("audit", "key", "--out", key.toString());
    assertThat(ok("audit", "verify", export.toString(), "--public-key", key.toString()).out())
        .contains("good:");
  }

  @Test
  void theLogSurvivesRestartsAndALaterExportExtendsTheEarlierOne() throws Exception {
    Path second = home.resolve("second.log");
    ok("audit", "export", "--out", second.toString());
    List<String> later = Files.readAllLines(second);
    assertThat(later.subList(0, lines.size() - 1)).isEqualTo(lines.subList(0, lines.size() - 1));
    assertThat(later.size()).isGreaterThan(lines.size());
  }

  @Test
  void anEditedEntryIsCaught() throws Exception {
    List<String> edited = new ArrayList<>(lines);
    int i = indexOf("GENERATE_KEY");
    edited.set(i, edited.get(i).replace("status=SUCCESS", "status=PERMISSION_DENIED"));
    refused(edited, "line " + (i + 1) + ": the hash does not chain");
  }

  @Test
  void aDeletedEntryIsCaught() throws Exception {
    List<String> edited = new ArrayList<>(lines);
    edited.remove(indexOf("GENERATE_KEY"));
    refused(edited, "was due");
  }

  @Test
  void reorderedEntriesAreCaught() throws Exception {
    List<String> edited = new ArrayList<>(lines);
    int i = indexOf("GENERATE_KEY");
    edited.set(i, lines.get(i + 1));
    edited.set(i + 1, lines.get(i));
    refused(edited, "line " + (i + 1) + ": sequence");
  }

  @Test
  void anEntryAppendedByHandIsCaughtEvenWithAProperlyChainedHash() throws Exception {
    List<String> edited = new ArrayList<>(lines);
    String last = lines.get(lines.size() - 2);
    String[] f = last.split("\\|");
    String body =
        (Long.parseLong(f[0]) + 1)
            + "|"
            + f[1]
            + "|DELETE_PARTITION|management session=1 status=SUCCESS";
    MessageDigest d = MessageDigest.getInstance("SHA-384");
    d.update(HexFormat.of().parseHex(f[4]));
    d.update(body.getBytes(StandardCharsets.UTF_8));
    edited.add(lines.size() - 1, body + "|" + HexFormat.of().formatHex(d.digest()));
    refused(edited, "the signed head does not match");
    // After the head, too: the export must end with its signed head.
    List<String> after = new ArrayList<>(lines);
    after.add(body + "|00");
    refused(after, "no signed head");
  }

  @Test
  void aLogRewrittenAndResignedWithTheForgersOwnKeyIsCaught() throws Exception {
    // The strongest forgery without the device: drop an entry, renumber and re-chain everything
    // after it, and sign a new head with one's own key, embedding that key.
    List<String> forged = new ArrayList<>();
    byte[] prev = new byte[48];
    long seq = 0;
    int dropped = indexOf("GENERATE_KEY");
    for (int i = 0; i < lines.size() - 1; i++) {
      if (i == dropped) {
        continue;
      }
      String[] f = lines.get(i).split("\\|");
      String body = seq + "|" + f[1] + "|" + f[2] + "|" + f[3];
      MessageDigest d = MessageDigest.getInstance("SHA-384");
      d.update(prev);
      d.update(body.getBytes(StandardCharsets.UTF_8));
      prev = d.digest();
      forged.add(body + "|" + HexFormat.of().formatHex(prev));
      seq++;
    }
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp384r1"));
    KeyPair mine = g.generateKeyPair();
    Signature signer = Signature.getInstance("SHA384withECDSA");
    signer.initSign(mine.getPrivate());
    String hash = HexFormat.of().formatHex(prev);
    signer.update(("ihsm audit head|" + (seq - 1) + "|" + hash).getBytes(StandardCharsets.UTF_8));
    forged.add(
        "head|"
            + (seq - 1)
            + "|"
            + hash
            + "|"
            + HexFormat.of().formatHex(signer.sign())
            + "|"
            + HexFormat.of().formatHex(mine.getPublic().getEncoded()));
    refused(forged, "not signed by this device's audit key");
  }

  @Test
  void aHeadForgedWithAnotherKeyIsCaught() throws Exception {
    List<String> edited = new ArrayList<>(lines);
    String[] head = lines.get(lines.size() - 1).split("\\|");
    byte[] sig = HexFormat.of().parseHex(head[3]);
    sig[sig.length - 1] ^= 1;
    head[3] = HexFormat.of().formatHex(sig);
    edited.set(lines.size() - 1, String.join("|", head));
    refused(edited, "signature does not verify");
    Path other = home.resolve("other.der");
    Files.write(
        other, KeyPairGenerator.getInstance("EC").generateKeyPair().getPublic().getEncoded());
    CliRun r = ihsm("audit", "verify", export.toString(), "--public-key", other.toString());
    assertThat(r.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(r.err()).contains("not signed by this device's audit key");
  }
}
