package io.ihsm.firmware.session;

import io.ihsm.ddi.ApiRevision;
import io.ihsm.ddi.spi.ClientBinding;
import io.ihsm.ddi.spi.Port;

/**
 * An open session: the port and client it belongs to, the API revision agreed when it opened, and
 * the role its credential proved (the Crypto Officer's on the management port, the application
 * user's on a partition port).
 */
public record Session(int id, Port port, ClientBinding client, ApiRevision revision, Role role) {
  /** Who opened the session. */
  public enum Role {
    CRYPTO_OFFICER,
    USER
  }
}
