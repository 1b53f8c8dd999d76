package io.ihsm.jca;

import io.ihsm.ddi.key.Algorithm;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.ddi.key.Operation;
import io.ihsm.sdk.IhsmException;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.spec.AlgorithmParameterSpec;
import java.util.Arrays;
import javax.crypto.MacSpi;

/**
 * HMAC with an HSM key of the matching kind, or AES-CMAC with an HSM AES key of usage sign; the
 * message (at most 128 KiB) goes to the HSM at doFinal.
 */
final class HsmMac extends MacSpi {
  private final Hsm hsm;
  private final KeyKind hmacKind;
  private final WipeableBuffer message = new WipeableBuffer();
  private KeyRef key;

  /**
   * @param hmacKind the HMAC kind this MAC takes, or null for AES-CMAC (any AES key)
   */
  HsmMac(Hsm hsm, KeyKind hmacKind) {
    this.hsm = hsm;
    this.hmacKind = hmacKind;
  }

  static HsmMac aesCmac(Hsm hsm) {
    return new HsmMac(hsm, null);
  }

  @Override
  protected int engineGetMacLength() {
    return hmacKind == null ? 16 : hmacKind.bytes();
  }

  @Override
  protected void engineInit(Key k, AlgorithmParameterSpec params)
      throws InvalidKeyException, InvalidAlgorithmParameterException {
    if (params != null) {
      throw new InvalidAlgorithmParameterException(
          (hmacKind == null ? "AES-CMAC" : "HMAC") + " takes no parameters");
    }
    KeyRef ref = hsm.own(k, hmacKind == null ? KeyKind.Family.AES : KeyKind.Family.HMAC);
    boolean kindFits = hmacKind == null || ref.kind == hmacKind;
    if (!kindFits || ref.usage != KeyUsage.SIGN) {
      String needed = hmacKind == null ? "an AES" : "a " + hmacKind.textName();
      throw new InvalidKeyException(
          "this MAC needs "
              + needed
              + " key for sign; '"
              + ref.label()
              + "' is a "
              + ref.kind.textName()
              + " key for "
              + ref.usage.textName());
    }
    key = ref;
    message.wipe();
  }

  @Override
  protected void engineUpdate(byte input) {
    engineUpdate(new byte[] {input}, 0, 1);
  }

  @Override
  protected void engineUpdate(byte[] input, int offset, int len) {
    if (message.size() + len > Operation.MAX_DATA) {
      throw new IllegalStateException("an IHSM MAC takes at most " + Operation.MAX_DATA + " bytes");
    }
    message.write(input, offset, len);
  }

  @Override
  protected byte[] engineDoFinal() {
    if (key == null) {
      throw new IllegalStateException("not initialized");
    }
    byte[] data = message.toByteArray();
    message.wipe();
    try {
      Algorithm a = hmacKind == null ? Algorithm.AES_CMAC : Algorithm.HMAC;
      return hsm.call(p -> p.sign(key.label(), Operation.of(0, a, data)));
    } catch (IhsmException e) {
      throw Failures.provider(e);
    } finally {
      Arrays.fill(data, (byte) 0);
    }
  }

  @Override
  protected void engineReset() {
    message.wipe();
  }
}
