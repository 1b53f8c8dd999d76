package io.ihsm.bench;

import io.ihsm.ddi.credential.Credential;
import io.ihsm.ddi.message.PartitionLimits;
import io.ihsm.sdk.CryptoOfficerSession;
import io.ihsm.sdk.DeviceAddress;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.PartitionClient;
import io.ihsm.sdk.cipher.AesGcmParameters;
import io.ihsm.sdk.key.HashFunction;
import io.ihsm.sdk.key.KeyPurpose;
import io.ihsm.sdk.key.KeyType;
import io.ihsm.sdk.signature.EcdsaParameters;
import io.ihsm.sdk.signature.HmacParameters;
import io.ihsm.sdk.signature.RsaPssParameters;
import io.ihsm.sdk.signature.SignatureParameters;
import io.ihsm.sdk.store.HostKeyStore;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * ihsm through the SDK's own API with the device embedded: every thread shares one {@link
 * PartitionClient}, so running it at 1 and 2 threads shows whether the client lets calls proceed
 * side by side.
 */
final class SdkPath implements BenchPath {
  static final String PIN = "bench-pin-0001";
  private final IhsmClient device;
  private final PartitionClient client;

  private SdkPath(IhsmClient device, PartitionClient client) {
    this.device = device;
    this.client = client;
  }

  static SdkPath open(Path home) throws Exception {
    IhsmClient device = IhsmClient.connect(DeviceAddress.embedded(home));
    try {
      Credential officer =
          Credential.of(
              device.randomBytes(Credential.ID_BYTES),
              HexFormat.of().formatHex(device.randomBytes(12)));
      device.initCryptoOfficer(officer);
      HostKeyStore store = HostKeyStore.at(home);
      KeyPairGenerator anchor = KeyPairGenerator.getInstance("EC");
      anchor.initialize(new ECGenParameterSpec("secp384r1"));
      try (CryptoOfficerSession co = device.loginCryptoOfficer(officer)) {
        PartitionClient.create(
            device,
            co,
            store,
            "bench",
            PartitionLimits.DEFAULTS,
            anchor.generateKeyPair().getPublic().getEncoded(),
            PIN);
      }
      return new SdkPath(device, PartitionClient.open(device, store, "bench", PIN));
    } catch (Exception e) {
      device.close();
      throw e;
    }
  }

  @Override
  public String name() {
    return "ihsm-sdk";
  }

  @Override
  public Optional<Supplier<Operation>> prepare(Workload w) {
    return switch (w) {
      case ECDSA_P256_SIGN ->
          signing(
              w,
              KeyType.EC_P256,
              EcdsaParameters.of(HashFunction.SHA256, EcdsaParameters.Encoding.DER),
              32);
      case ECDSA_P384_SIGN ->
          signing(
              w,
              KeyType.EC_P384,
              EcdsaParameters.of(HashFunction.SHA384, EcdsaParameters.Encoding.DER),
              32);
      case RSA2048_PSS_SIGN ->
          signing(w, KeyType.RSA_2048, RsaPssParameters.of(HashFunction.SHA256), 32);
      case RSA3072_PSS_SIGN ->
          signing(w, KeyType.RSA_3072, RsaPssParameters.of(HashFunction.SHA256), 32);
      case HMAC_SHA256_64 -> signing(w, KeyType.HMAC_SHA256, HmacParameters.create(), 64);
      case AES256_GCM_64 -> sealing(w, 64);
      case AES256_GCM_4K -> sealing(w, 4096);
      case AES256_GCM_64K -> sealing(w, 65536);
      default -> Optional.empty();
    };
  }

  private Optional<Supplier<Operation>> signing(
      Workload w, KeyType type, SignatureParameters p, int size) {
    String label = w.id();
    client.generate(label, type, KeyPurpose.SIGN, false);
    byte[] message = new byte[size];
    return Optional.of(() -> () -> client.sign(label, p, message));
  }

  private Optional<Supplier<Operation>> sealing(Workload w, int size) {
    String label = w.id();
    client.generate(label, KeyType.AES_256, KeyPurpose.ENCRYPT, false);
    byte[] message = new byte[size];
    return Optional.of(() -> () -> client.encrypt(label, AesGcmParameters.create(), message));
  }

  @Override
  public void close() {
    client.close();
    device.close();
  }
}
