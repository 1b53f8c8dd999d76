package io.ihsm.ddi.key;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.message.Body;

/**
 * WrapKey request: wrap an extractable key under a wrapping key with AES-KW or AES-KWP.
 *
 * <pre>u32 wrapping key handle, u32 target key handle, u8 algorithm (AES_KW, AES_KWP or RSA_AES_KW)
 * </pre>
 */
public record WrapKeyRequest(int wrappingHandle, int targetHandle, Algorithm algorithm)
    implements Body {
  @Override
  public void writeTo(BodyWriter w) {
    w.u32(wrappingHandle).u32(targetHandle).u8(algorithm.code());
  }

  public static WrapKeyRequest read(BodyReader r) throws DdiException {
    WrapKeyRequest w =
        new WrapKeyRequest(
            r.u32("wrappingHandle"), r.u32("targetHandle"), wrapAlgorithm(r.u8("algorithm")));
    r.end();
    return w;
  }

  static Algorithm wrapAlgorithm(int code) throws DdiException {
    Algorithm a = Algorithm.fromCode(code);
    if (a != Algorithm.AES_KW && a != Algorithm.AES_KWP && a != Algorithm.RSA_AES_KW) {
      throw new DdiException(
          Status.INVALID_PARAMETER, "keys are wrapped with AES_KW, AES_KWP or RSA_AES_KW");
    }
    return a;
  }
}
