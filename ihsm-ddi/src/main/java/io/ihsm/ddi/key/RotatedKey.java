package io.ihsm.ddi.key;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.message.Body;

/**
 * RotateKey response: the new version (loaded, active, with its blob) and the version it replaces,
 * masked anew in its new state (deactivated if it was active).
 *
 * <pre>key info next, key info previous</pre>
 */
public record RotatedKey(KeyInfo next, KeyInfo previous) implements Body {
  @Override
  public void writeTo(BodyWriter w) {
    next.writeTo(w);
    previous.writeTo(w);
  }

  public static RotatedKey read(BodyReader r) throws DdiException {
    RotatedKey k = new RotatedKey(KeyInfo.readField(r), KeyInfo.readField(r));
    r.end();
    return k;
  }
}
