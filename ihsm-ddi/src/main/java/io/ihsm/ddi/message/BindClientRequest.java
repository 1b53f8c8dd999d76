package io.ihsm.ddi.message;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Frames;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.spi.ClientBinding;
import java.util.Arrays;
import java.util.Optional;

/**
 * BIND_CLIENT:
 *
 * <pre>bytes token (exactly 16, not all zero)</pre>
 */
public record BindClientRequest(byte[] token) implements Body {
  public BindClientRequest {
    if (token.length != ClientBinding.TOKEN_BYTES) {
      throw new IllegalArgumentException(
          "a client token is " + ClientBinding.TOKEN_BYTES + " bytes, got " + token.length);
    }
    token = token.clone();
  }

  @Override
  public byte[] token() {
    return token.clone();
  }

  @Override
  public void writeTo(BodyWriter w) {
    w.bytes(token, ClientBinding.TOKEN_BYTES);
  }

  public static BindClientRequest read(BodyReader r) throws DdiException {
    byte[] token = r.bytes("token", ClientBinding.TOKEN_BYTES);
    r.end();
    if (token.length != ClientBinding.TOKEN_BYTES
        || Arrays.equals(token, new byte[ClientBinding.TOKEN_BYTES])) {
      throw new DdiException(Status.INVALID_PARAMETER, "a client token is 16 bytes, not all zero");
    }
    return new BindClientRequest(token);
  }

  /** The token of a BIND_CLIENT request frame, when it holds a valid one. */
  public static Optional<byte[]> tokenOf(byte[] frame) {
    try {
      return Optional.of(read(Frames.decodeRequest(frame).body()).token());
    } catch (DdiException e) {
      return Optional.empty();
    }
  }

  @Override
  public String toString() {
    return "BindClientRequest[token hidden]";
  }
}
