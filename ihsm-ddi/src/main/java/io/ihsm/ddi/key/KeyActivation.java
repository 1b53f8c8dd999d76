package io.ihsm.ddi.key;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;

/**
 * When a new key becomes active, as a creating request says it: {@link #NOW} (active at once),
 * {@link #WHEN_ACTIVATED} (pre-active until an explicit activation), or a date (milliseconds since
 * the epoch on the device's clock; pre-active until then).
 */
public final class KeyActivation {
  /** Active at once: the default. */
  public static final long NOW = 0;

  /** Pre-active, with no date, until the key is activated. */
  public static final long WHEN_ACTIVATED = Long.MAX_VALUE;

  private KeyActivation() {}

  static void check(long activation) {
    if (activation < 0) {
      throw new IllegalArgumentException("an activation date is not negative, got " + activation);
    }
  }

  static long read(BodyReader r) throws DdiException {
    long activation = r.u64("activation");
    if (activation < 0) {
      throw new DdiException(Status.MALFORMED_BODY, "field 'activation': beyond the last date");
    }
    return activation;
  }
}
