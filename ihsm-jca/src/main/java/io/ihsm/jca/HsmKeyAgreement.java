package io.ihsm.jca;

import io.ihsm.ddi.key.DeriveKeyRequest;
import io.ihsm.ddi.key.HashAlgorithm;
import io.ihsm.ddi.key.KeyAttributes;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.sdk.IhsmException;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.spec.AlgorithmParameterSpec;
import javax.crypto.KeyAgreementSpi;
import javax.crypto.SecretKey;

/**
 * ECDH with an HSM EC key of usage derive and any peer public key on its curve. The shared secret
 * stays in the HSM: {@code generateSecret("Generic")} gives it as an HSM secret key (kind secret,
 * usage derive) to derive keys from with the {@code HKDF-SHA256/384/512} KDFs; the byte-array forms
 * of {@code generateSecret} refuse, saying so.
 */
final class HsmKeyAgreement extends KeyAgreementSpi {
  private static final String STAYS =
      "the ECDH secret stays in the HSM: use generateSecret(\"Generic\") and derive keys"
          + " from it with the IHSM HKDF";
  private final Hsm hsm;
  private KeyRef key;
  private byte[] peer;

  HsmKeyAgreement(Hsm hsm) {
    this.hsm = hsm;
  }

  @Override
  protected void engineInit(Key k, SecureRandom random) throws InvalidKeyException {
    KeyRef ref = hsm.own(k, KeyKind.Family.EC);
    ref.requireUsage(KeyUsage.DERIVE);
    key = ref;
    peer = null;
  }

  @Override
  protected void engineInit(Key k, AlgorithmParameterSpec params, SecureRandom random)
      throws InvalidKeyException, InvalidAlgorithmParameterException {
    if (params != null) {
      throw new InvalidAlgorithmParameterException("ECDH takes no parameters");
    }
    engineInit(k, random);
  }

  @Override
  protected Key engineDoPhase(Key k, boolean lastPhase) throws InvalidKeyException {
    if (key == null) {
      throw new IllegalStateException("not initialized");
    }
    if (!lastPhase) {
      throw new IllegalStateException("ECDH has one phase");
    }
    if (!(k instanceof ECPublicKey ec) || ec.getEncoded() == null) {
      throw new InvalidKeyException("ECDH's peer is an EC public key");
    }
    if (HsmSignature.ecKind(ec.getParams()) != key.kind) {
      throw new InvalidKeyException("the peer key is on another curve than '" + key.label() + "'");
    }
    peer = ec.getEncoded();
    return null;
  }

  @Override
  protected byte[] engineGenerateSecret() {
    throw new IllegalStateException(STAYS);
  }

  @Override
  protected int engineGenerateSecret(byte[] sharedSecret, int offset) {
    throw new IllegalStateException(STAYS);
  }

  @Override
  protected SecretKey engineGenerateSecret(String algorithm)
      throws NoSuchAlgorithmException, InvalidKeyException {
    if (peer == null) {
      throw new IllegalStateException("doPhase(peer, true) first");
    }
    if (!algorithm.equalsIgnoreCase("Generic")) {
      throw new NoSuchAlgorithmException(STAYS + " (asked for " + algorithm + ")");
    }
    KeyAttributes attrs =
        new KeyAttributes(KeyKind.SECRET, KeyUsage.DERIVE, false, false, hsm.provisionalLabel());
    try {
      byte[] p = peer;
      peer = null;
      return (SecretKey)
          hsm.key(
              hsm.partition()
                  .derive(
                      key.label(),
                      new DeriveKeyRequest(
                          0,
                          DeriveKeyRequest.Method.ECDH,
                          HashAlgorithm.NONE,
                          p,
                          new byte[0],
                          new byte[0],
                          0,
                          attrs)));
    } catch (IhsmException e) {
      throw new InvalidKeyException(
          "IHSM refused ECDH: " + e.getMessage() + " [" + e.status() + "]");
    }
  }
}
