package io.ihsm.ddi.key;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.message.Body;

/**
 * GenerateKey request: the new key's attributes, then its length in bytes (0: the kind's own size;
 * an HMAC key may have any length from 14 bytes, 112 bits, to 128), then when it becomes active
 * ({@link KeyActivation}: 0, the default, for at once).
 *
 * <pre>attributes, u32 length (optional; absent means 0), u64 activation (optional, after length;
 * absent means 0)</pre>
 */
public record GenerateKeyRequest(KeyAttributes attributes, int length, long activation)
    implements Body {
  public static final int MIN_HMAC_BYTES = 14;
  public static final int MAX_HMAC_BYTES = 128;

  public GenerateKeyRequest {
    if (length < 0) {
      throw new IllegalArgumentException("a key length is not negative, got " + length);
    }
    KeyActivation.check(activation);
  }

  public GenerateKeyRequest(KeyAttributes attributes, int length) {
    this(attributes, length, KeyActivation.NOW);
  }

  public GenerateKeyRequest(KeyAttributes attributes) {
    this(attributes, 0);
  }

  @Override
  public void writeTo(BodyWriter w) {
    attributes.writeTo(w);
    if (length != 0 || activation != KeyActivation.NOW) {
      w.u32(length);
    }
    if (activation != KeyActivation.NOW) {
      w.u64(activation);
    }
  }

  public static GenerateKeyRequest read(BodyReader r) throws DdiException {
    KeyAttributes a = KeyAttributes.readField(r);
    int length = r.remaining() > 0 ? r.u32("length") : 0;
    long activation = r.remaining() > 0 ? KeyActivation.read(r) : KeyActivation.NOW;
    r.end();
    if (length < 0) {
      throw new DdiException(Status.MALFORMED_BODY, "field 'length': negative");
    }
    return new GenerateKeyRequest(a, length, activation);
  }
}
