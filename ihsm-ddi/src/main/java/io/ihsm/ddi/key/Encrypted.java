package io.ihsm.ddi.key;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.message.Body;
import io.ihsm.ddi.message.Bytes;

/**
 * Encrypt response: the IV used (chosen by the device when the request gave none) and the
 * ciphertext.
 */
public record Encrypted(byte[] iv, byte[] ciphertext) implements Body {
  public Encrypted {
    iv = iv.clone();
    ciphertext = ciphertext.clone();
  }

  @Override
  public byte[] iv() {
    return iv.clone();
  }

  @Override
  public byte[] ciphertext() {
    return ciphertext.clone();
  }

  @Override
  public void writeTo(BodyWriter w) {
    w.bytes(iv, 16).bytes(ciphertext, Bytes.MAX_DATA);
  }

  public static Encrypted read(BodyReader r) throws DdiException {
    Encrypted e = new Encrypted(r.bytes("iv", 16), r.bytes("ciphertext", Bytes.MAX_DATA));
    r.end();
    return e;
  }
}
