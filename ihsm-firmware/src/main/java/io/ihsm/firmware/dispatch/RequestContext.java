package io.ihsm.firmware.dispatch;

import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.RequestHeader;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.spi.ClientBinding;
import io.ihsm.ddi.spi.Port;
import io.ihsm.firmware.session.Session;
import java.util.Optional;

/**
 * What a handler knows about its request: the port and client it came from, its header and its
 * session.
 */
public record RequestContext(
    Port port, ClientBinding client, RequestHeader header, Optional<Session> session) {
  /** Refuses the request unless its session is the Crypto Officer's. */
  public void requireCryptoOfficer() throws DdiException {
    if (session.map(Session::role).orElse(null) != Session.Role.CRYPTO_OFFICER) {
      throw new DdiException(Status.PERMISSION_DENIED, "only the Crypto Officer may do this");
    }
  }

  /** The id of the request's user session (partition ports only have user sessions). */
  public int userSessionId() throws DdiException {
    Session s =
        session.orElseThrow(
            () -> new DdiException(Status.SESSION_REQUIRED, "a session is required"));
    if (s.role() != Session.Role.USER) {
      throw new DdiException(Status.PERMISSION_DENIED, "keys belong to partition users");
    }
    return s.id();
  }
}
