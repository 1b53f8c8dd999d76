package io.ihsm.cli;

import io.ihsm.host.AtomicFile;
import io.ihsm.host.OwnerOnly;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;

/**
 * The partition owner's ECDSA P-384 key (the owner trust anchor). By default the CLI keeps one in
 * {@code <home>/owner/} (owner-only, made on first use: a development convenience); an owner with
 * its own key passes its public key with {@code --owner-anchor FILE} (SubjectPublicKeyInfo DER).
 */
final class OwnerKey {
  private OwnerKey() {}

  static byte[] anchor(Path home, Path anchorFile) {
    try {
      if (anchorFile != null) {
        return Files.readAllBytes(anchorFile);
      }
      Path dir = home.resolve("owner");
      Path pub = dir.resolve("owner-p384.spki");
      if (!Files.exists(pub)) {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp384r1"));
        KeyPair kp = g.generateKeyPair();
        OwnerOnly.createDirectories(home);
        OwnerOnly.createDirectories(dir);
        AtomicFile.write(dir.resolve("owner-p384.pk8"), kp.getPrivate().getEncoded());
        AtomicFile.write(pub, kp.getPublic().getEncoded());
      }
      return Files.readAllBytes(pub);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or make the owner key", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot make a P-384 owner key", e);
    }
  }
}
