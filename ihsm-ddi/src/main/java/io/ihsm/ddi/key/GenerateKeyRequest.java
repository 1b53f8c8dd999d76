package io.ihsm.ddi.key;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.message.Body;

/** GenerateKey request: the new key's attributes. */
public record GenerateKeyRequest(KeyAttributes attributes) implements Body {
  @Override
  public void writeTo(BodyWriter w) {
    attributes.writeTo(w);
  }

  public static GenerateKeyRequest read(BodyReader r) throws DdiException {
    KeyAttributes a = KeyAttributes.readField(r);
    r.end();
    return new GenerateKeyRequest(a);
  }
}
