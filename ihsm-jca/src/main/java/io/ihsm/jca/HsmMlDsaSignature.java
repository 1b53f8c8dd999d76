package io.ihsm.jca;

import io.ihsm.ddi.key.Algorithm;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.ddi.key.Operation;
import io.ihsm.sdk.IhsmException;
import java.security.InvalidKeyException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SignatureException;
import java.security.SignatureSpi;
import java.security.spec.NamedParameterSpec;

/**
 * ML-DSA (FIPS 204), pure, empty context: signing runs in the HSM with one of its ML-DSA keys;
 * verifying takes any ML-DSA public key, which the HSM imports for the one call. The message goes
 * to the HSM whole (ML-DSA hashes it itself), so it is at most 128 KiB. The JDK's {@code Signature
 * "ML-DSA"} verifies what this signs, and this verifies what it signs. As {@code "ML-DSA-65"} (or
 * -44, -87) it takes only keys of that parameter set, as the JDK's does.
 */
final class HsmMlDsaSignature extends SignatureSpi {
  private final Hsm hsm;
  private final WipeableBuffer message = new WipeableBuffer();
  private KeyRef signer;
  private PublicKey verifier;
  private KeyKind verifierKind;

  /** The one parameter set this instance takes, or null for any. */
  private final KeyKind only;

  HsmMlDsaSignature(Hsm hsm, KeyKind only) {
    this.hsm = hsm;
    this.only = only;
  }

  @Override
  protected void engineInitSign(PrivateKey key) throws InvalidKeyException {
    KeyRef ref = hsm.own(key, KeyKind.Family.ML_DSA);
    ref.requireUsage(KeyUsage.SIGN);
    KeyRef.requireParameterSet(only, ref.kind);
    message.wipe();
    signer = ref;
    verifier = null;
  }

  @Override
  protected void engineInitVerify(PublicKey key) throws InvalidKeyException {
    if (key == null
        || !(key.getParams() instanceof NamedParameterSpec named)
        || key.getEncoded() == null) {
      throw new InvalidKeyException("ML-DSA verifies with an ML-DSA public key");
    }
    verifierKind =
        KeyKind.ofParameterSet(named.getName())
            .filter(k -> k.family() == KeyKind.Family.ML_DSA)
            .orElseThrow(
                () -> new InvalidKeyException("not an ML-DSA parameter set: " + named.getName()));
    KeyRef.requireParameterSet(only, verifierKind);
    message.wipe();
    verifier = key;
    signer = null;
  }

  @Override
  protected void engineUpdate(byte b) throws SignatureException {
    engineUpdate(new byte[] {b}, 0, 1);
  }

  @Override
  protected void engineUpdate(byte[] b, int off, int len) throws SignatureException {
    if (signer == null && verifier == null) {
      throw new SignatureException("not initialized");
    }
    if (message.size() + len > Operation.MAX_DATA) {
      message.wipe();
      throw new SignatureException(
          "ML-DSA through IHSM takes at most " + Operation.MAX_DATA + " bytes");
    }
    message.write(b, off, len);
  }

  private Operation operation() {
    byte[] data = message.toByteArray();
    message.wipe();
    return Operation.of(0, Algorithm.ML_DSA, data);
  }

  @Override
  protected byte[] engineSign() throws SignatureException {
    if (signer == null) {
      throw new SignatureException("not initialized for signing");
    }
    Operation op = operation();
    try {
      return hsm.call(p -> p.sign(signer.label(), op));
    } catch (IhsmException e) {
      throw new SignatureException(
          "IHSM refused to sign: " + e.getMessage() + " [" + e.status() + "]", e);
    }
  }

  @Override
  protected boolean engineVerify(byte[] signature) throws SignatureException {
    if (verifier == null) {
      throw new SignatureException("not initialized for verification");
    }
    Operation op = operation().withSignature(signature);
    try {
      return hsm.call(p -> p.verifyWith(verifierKind, verifier.getEncoded(), op));
    } catch (IhsmException e) {
      return switch (e.status()) {
        case INVALID_PARAMETER, INVALID_INPUT_LENGTH, INVALID_PUBLIC_KEY, MALFORMED_BODY -> false;
        default ->
            throw new SignatureException(
                "IHSM could not verify: " + e.getMessage() + " [" + e.status() + "]", e);
      };
    }
  }

  @Override
  @Deprecated
  protected void engineSetParameter(String param, Object value) {
    throw new UnsupportedOperationException("ML-DSA takes no parameters");
  }

  @Override
  @Deprecated
  protected Object engineGetParameter(String param) {
    throw new UnsupportedOperationException("ML-DSA takes no parameters");
  }
}
