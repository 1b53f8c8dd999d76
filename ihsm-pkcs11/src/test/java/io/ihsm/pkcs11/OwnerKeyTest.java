package io.ihsm.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ihsm.ddi.testing.ExternalCommand;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SO's credential is the owner's P-384 key in an encrypted PKCS#8 file whose password is the SO
 * PIN.
 */
class OwnerKeyTest {
  static Path encrypted(Path dir, String curve, String password) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec(curve));
    Path plain = dir.resolve(curve + ".pk8");
    Files.write(plain, g.generateKeyPair().getPrivate().getEncoded());
    Path out = dir.resolve(curve + ".p8e");
    ExternalCommand.Result r =
        ExternalCommand.run(
            List.of(
                "openssl",
                "pkcs8",
                "-topk8",
                "-inform",
                "DER",
                "-in",
                plain.toString(),
                "-v2",
                "aes-256-cbc",
                "-v2prf",
                "hmacWithSHA256",
                "-passout",
                "pass:" + password,
                "-outform",
                "DER",
                "-out",
                out.toString()));
    assertThat(r.exitCode()).as(r.output()).isZero();
    return out;
  }

  static long rv(Runnable call) {
    try {
      call.run();
      return Ck.CKR_OK;
    } catch (CkException e) {
      return e.rv();
    }
  }

  @Test
  void theSoPinOpensTheOwnerKeyAndNothingElseDoes(@TempDir Path dir) throws Exception {
    Path p384 = encrypted(dir, "secp384r1", "so-pin-1357");
    assertThat(
            new OwnerKey(p384).open("so-pin-1357".getBytes(StandardCharsets.UTF_8)).getAlgorithm())
        .isEqualTo("EC");
    assertThat(rv(() -> new OwnerKey(p384).open("so-pin-1358".getBytes(StandardCharsets.UTF_8))))
        .isEqualTo(Ck.CKR_PIN_INCORRECT);
    assertThat(rv(() -> new OwnerKey(dir.resolve("missing.p8e")).open(new byte[8])))
        .isEqualTo(Ck.CKR_USER_TYPE_INVALID);
    Path p256 = encrypted(dir, "secp256r1", "so-pin-1357");
    assertThatThrownBy(
            () -> new OwnerKey(p256).open("so-pin-1357".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(CkException.class)
        .hasMessageContaining("not an EC P-384 key");
  }
}
