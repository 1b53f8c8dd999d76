package io.ihsm.jca;

import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import javax.crypto.SecretKey;

/** An HSM secret key (AES or HMAC): an opaque handle. */
public final class IhsmSecretKey implements SecretKey, IhsmKey {
  private static final long serialVersionUID = 1L;
  final transient KeyRef ref;

  IhsmSecretKey(KeyRef ref) {
    this.ref = ref;
  }

  @Override
  public String label() {
    return ref.label();
  }

  @Override
  public KeyKind kind() {
    return ref.kind;
  }

  @Override
  public KeyUsage usage() {
    return ref.usage;
  }

  /**
   * "AES", the JCA name of its HMAC ("HmacSHA256", ...), or "Generic" for a secret to derive from.
   */
  @Override
  public String getAlgorithm() {
    return switch (ref.kind) {
      case HMAC_SHA256 -> "HmacSHA256";
      case HMAC_SHA384 -> "HmacSHA384";
      case HMAC_SHA512 -> "HmacSHA512";
      case SECRET -> "Generic";
      default -> "AES";
    };
  }

  @Override
  public String toString() {
    return "IHSM " + ref.kind.textName() + " secret key '" + label() + "'";
  }
}
