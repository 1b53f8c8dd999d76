package io.ihsm.pkcs11;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.util.Arrays;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * The security officer's credential: the partition owner's ECDSA P-384 key, kept as an encrypted
 * PKCS#8 file (PBES2, e.g. {@code openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256})
 * whose password is the SO PIN. Logging in as CKU_SO decrypts it; the device checks it against the
 * partition's owner anchor when it is used (C_InitPIN).
 */
final class OwnerKey {
  private final Path file;

  OwnerKey(Path file) {
    this.file = file;
  }

  /** The owner key, decrypted with the SO PIN; a wrong PIN is CKR_PIN_INCORRECT. */
  PrivateKey open(byte[] soPin) {
    byte[] der;
    try {
      der = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new CkException(
          Ck.CKR_USER_TYPE_INVALID, "no security officer here: no owner key at " + file);
    }
    char[] password = new char[soPin.length];
    for (int i = 0; i < soPin.length; i++) {
      password[i] = (char) (soPin[i] & 0xff);
    }
    try {
      EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(der);
      SecretKey key =
          SecretKeyFactory.getInstance(info.getAlgName()).generateSecret(new PBEKeySpec(password));
      PrivateKey owner = KeyFactory.getInstance("EC").generatePrivate(info.getKeySpec(key));
      if (!(owner instanceof ECPrivateKey ec)
          || ec.getParams().getCurve().getField().getFieldSize() != 384) {
        throw new CkException(
            Ck.CKR_GENERAL_ERROR, "the owner key at " + file + " is not an EC P-384 key");
      }
      return owner;
    } catch (IOException | GeneralSecurityException e) {
      // A wrong password and a damaged file look alike: both fail to decrypt.
      throw new CkException(
          Ck.CKR_PIN_INCORRECT, "the SO PIN does not open the owner key at " + file);
    } finally {
      Arrays.fill(password, '\0');
      Arrays.fill(der, (byte) 0);
    }
  }
}
