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
import javax.crypto.MacSpi;

/** HMAC with an HSM key of the matching kind; the message (at most 128 KiB) goes to the HSM at doFinal. */
final class HsmMac extends MacSpi {
  private final Hsm hsm;
  private final KeyKind kind;
  private final WipeableBuffer message = new WipeableBuffer();
  private KeyRef key;

  HsmMac(Hsm hsm, KeyKind kind) {
    this.hsm = hsm;
    this.kind = kind;
  }

  @Override
  protected int engineGetMacLength() {
    return kind.bytes();
  }

  @Override
  protected void engineInit(Key k, AlgorithmParameterSpec params) throws InvalidKeyException, InvalidAlgorithmParameterException {
    if (params != null) {
      throw new InvalidAlgorithmParameterException("HMAC takes no parameters");
    }
    KeyRef ref = hsm.own(k, KeyKind.Family.HMAC);
    if (ref.kind != kind || ref.usage != KeyUsage.SIGN) {
      throw new InvalidKeyException("this MAC needs a " + kind.cliName() + " key for sign; '" + ref.label() + "' is a "
          + ref.kind.cliName() + " key for " + ref.usage.cliName());
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
      return hsm.call(p -> p.sign(key.label(), Operation.of(0, Algorithm.HMAC, data)));
    } catch (IhsmException e) {
      throw Failures.provider(e);
    } finally {
      java.util.Arrays.fill(data, (byte) 0);
    }
  }

  @Override
  protected void engineReset() {
    message.wipe();
  }
}
