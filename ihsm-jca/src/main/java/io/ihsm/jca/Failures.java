package io.ihsm.jca;

import io.ihsm.ddi.Status;
import io.ihsm.sdk.IhsmException;
import java.security.KeyStoreException;
import java.security.ProviderException;
import java.util.Set;

/** The one place where device statuses become the exceptions a Java developer expects. */
final class Failures {
  private static final Set<Status> UNREACHABLE =
      Set.of(Status.TRANSPORT_UNAVAILABLE, Status.TIMEOUT, Status.CONNECTION_LOST);
  private static final Set<Status> CREDENTIAL =
      Set.of(Status.AUTHENTICATION_FAILED, Status.CREDENTIAL_LOCKED, Status.PIN_THROTTLED);

  private Failures() {}

  /** Opening the KeyStore failed: a wrong PIN, an unreachable daemon, a missing partition. */
  static KeyStoreException keyStore(Hsm hsm, IhsmException e) {
    String what;
    if (CREDENTIAL.contains(e.status())) {
      what = "wrong PIN (or a locked credential) for IHSM partition " + hsm.config().partition();
    } else if (UNREACHABLE.contains(e.status())) {
      what = "cannot reach the IHSM device for " + hsm.config();
    } else {
      what = "IHSM " + hsm.config() + ": " + e.getMessage();
    }
    return new KeyStoreException(what + " [" + e.status() + "]", e);
  }

  /** A device failure in the middle of an operation that has no checked exception for it. */
  static ProviderException provider(IhsmException e) {
    return new ProviderException("IHSM: " + e.getMessage() + " [" + e.status() + "]", e);
  }
}
