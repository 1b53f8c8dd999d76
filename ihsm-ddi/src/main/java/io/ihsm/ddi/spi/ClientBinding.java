package io.ihsm.ddi.spi;

import java.nio.ByteBuffer;
import java.security.SecureRandom;

/**
 * Which client a request came from, as the transport knows it. A session is found only through the
 * binding that opened it, so a session id seen or guessed by another client of the same port is
 * worthless. A daemon connection starts with a binding of its own (random, known to nobody); a
 * client that spreads its calls over several connections sends each one the same 128-bit secret
 * token ({@code BIND_CLIENT}), and the device binds the connection to that token.
 */
public record ClientBinding(long high, long low) {
  public static final int TOKEN_BYTES = 16;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A fresh binding nobody else has: a new connection's, or a new client's token. */
  public static ClientBinding random() {
    return new ClientBinding(RANDOM.nextLong(), RANDOM.nextLong());
  }

  /** The binding named by a client's token (exactly {@value #TOKEN_BYTES} bytes). */
  public static ClientBinding ofToken(byte[] token) {
    if (token.length != TOKEN_BYTES) {
      throw new IllegalArgumentException(
          "a client token is " + TOKEN_BYTES + " bytes, got " + token.length);
    }
    return new ClientBinding(
        ByteBuffer.wrap(token, 0, 8).getLong(), ByteBuffer.wrap(token, 8, 8).getLong());
  }

  /** The token that names this binding, for a client to send. */
  public byte[] token() {
    return ByteBuffer.allocate(TOKEN_BYTES).putLong(high).putLong(low).array();
  }

  /** Compares the whole token whatever differs (a binding is a secret: no early exit). */
  @Override
  public boolean equals(Object o) {
    return o instanceof ClientBinding b && ((high ^ b.high) | (low ^ b.low)) == 0;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(high ^ low);
  }

  /** Never shows the token: it is a bearer secret for the client's sessions. */
  @Override
  public String toString() {
    return "ClientBinding[hidden]";
  }
}
