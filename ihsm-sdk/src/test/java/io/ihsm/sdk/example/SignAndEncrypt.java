package io.ihsm.sdk.example;

import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.PartitionClient;
import io.ihsm.sdk.cipher.AesGcmParameters;
import io.ihsm.sdk.cipher.Ciphertext;
import io.ihsm.sdk.key.HashFunction;
import io.ihsm.sdk.key.KeyPurpose;
import io.ihsm.sdk.key.KeyType;
import io.ihsm.sdk.signature.EcdsaParameters;
import io.ihsm.sdk.store.HostKeyStore;
import java.nio.charset.StandardCharsets;

/**
 * An application of the SDK as docs/sdk.md shows it: it names SDK types only, never the device
 * protocol's ({@code ApplicationExampleTest} checks that this file names no DDI package).
 */
public final class SignAndEncrypt {
  /**
   * What the application got: a P1363 signature, its public key (SPKI DER), and a GCM round trip.
   */
  public record Result(
      byte[] message, byte[] signature, byte[] publicKey, boolean verified, byte[] decrypted) {}

  private SignAndEncrypt() {}

  public static Result run(IhsmClient device, HostKeyStore store, String partition, String pin) {
    byte[] message = "pay 100 EUR to Alice".getBytes(StandardCharsets.UTF_8);
    try (PartitionClient app = PartitionClient.open(device, store, partition, pin)) {
      var signer = app.generate("signer", KeyType.EC_P256, KeyPurpose.SIGN, false);
      app.generate("data-key", KeyType.AES_256, KeyPurpose.ENCRYPT, false);

      EcdsaParameters ecdsa =
          EcdsaParameters.of(HashFunction.SHA256, EcdsaParameters.Encoding.IEEE_P1363);
      byte[] signature = app.sign("signer", ecdsa, message);
      boolean verified = app.verify("signer", ecdsa, message, signature);

      AesGcmParameters gcm =
          AesGcmParameters.withAad("invoice 42".getBytes(StandardCharsets.UTF_8));
      Ciphertext sealed =
          app.encrypt("data-key", gcm, message); // the device chose the IV: sealed.iv()
      byte[] opened = app.decrypt("data-key", gcm, sealed);
      return new Result(message, signature, signer.publicKey(), verified, opened);
    }
  }
}
