package io.ihsm.jca;

import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import java.security.Key;

/**
 * A key that lives in the HSM: an opaque handle ({@code getEncoded()} is null). It names its entry
 * in the host key store by label and belongs to the provider instance that made or loaded it.
 */
public sealed interface IhsmKey extends Key permits IhsmPrivateKey, IhsmSecretKey {
  /** Its label (the KeyStore alias once stored). */
  String label();

  KeyKind kind();

  KeyUsage usage();

  @Override
  default String getFormat() {
    return null;
  }

  @Override
  default byte[] getEncoded() {
    return null;
  }
}
