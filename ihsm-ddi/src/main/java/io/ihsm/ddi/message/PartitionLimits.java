package io.ihsm.ddi.message;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;

/**
 * A partition's bounds, set by the Crypto Officer at creation. On the wire each is a u32 and 0
 * means "the default" ({@link #DEFAULTS}).
 *
 * @param maxSessions sessions open at once (default 8, at most 64)
 * @param maxKeys keys loaded at once (default 256, at most 4096)
 * @param maxKeyBytes bytes of key material loaded at once (default 16384, at most 1 MiB)
 * @param maxPinFailures consecutive PIN failures before the credential locks (default 10, at most
 *     100)
 * @param throttleMillis base delay after the third consecutive failure, doubling each time (default
 *     100, at most 5000)
 * @param idleTimeoutSeconds a session unused this long is closed (default 900, at most 86400)
 */
public record PartitionLimits(
    int maxSessions,
    int maxKeys,
    int maxKeyBytes,
    int maxPinFailures,
    int throttleMillis,
    int idleTimeoutSeconds)
    implements Body {
  public static final PartitionLimits DEFAULTS = new PartitionLimits(8, 256, 16384, 10, 100, 900);
  private static final PartitionLimits MAXIMA =
      new PartitionLimits(64, 4096, 1 << 20, 100, 5000, 86400);

  /** Limits with the default idle timeout. */
  public PartitionLimits(
      int maxSessions, int maxKeys, int maxKeyBytes, int maxPinFailures, int throttleMillis) {
    this(maxSessions, maxKeys, maxKeyBytes, maxPinFailures, throttleMillis, 0);
  }

  /** Replaces zeros by defaults; refuses values above the maxima. */
  public PartitionLimits resolved() throws DdiException {
    return new PartitionLimits(
        pick(maxSessions, DEFAULTS.maxSessions, MAXIMA.maxSessions, "maxSessions"),
        pick(maxKeys, DEFAULTS.maxKeys, MAXIMA.maxKeys, "maxKeys"),
        pick(maxKeyBytes, DEFAULTS.maxKeyBytes, MAXIMA.maxKeyBytes, "maxKeyBytes"),
        pick(maxPinFailures, DEFAULTS.maxPinFailures, MAXIMA.maxPinFailures, "maxPinFailures"),
        pick(throttleMillis, DEFAULTS.throttleMillis, MAXIMA.throttleMillis, "throttleMillis"),
        pick(
            idleTimeoutSeconds,
            DEFAULTS.idleTimeoutSeconds,
            MAXIMA.idleTimeoutSeconds,
            "idleTimeoutSeconds"));
  }

  private static int pick(int v, int def, int max, String field) throws DdiException {
    if (v == 0) {
      return def;
    }
    if (v < 0 || v > max) {
      throw new DdiException(
          Status.INVALID_PARAMETER, field + " must be 1.." + max + " (0 for the default)");
    }
    return v;
  }

  @Override
  public void writeTo(BodyWriter w) {
    w.u32(maxSessions)
        .u32(maxKeys)
        .u32(maxKeyBytes)
        .u32(maxPinFailures)
        .u32(throttleMillis)
        .u32(idleTimeoutSeconds);
  }

  public static PartitionLimits readField(BodyReader r) throws DdiException {
    return new PartitionLimits(
        r.u32("maxSessions"),
        r.u32("maxKeys"),
        r.u32("maxKeyBytes"),
        r.u32("maxPinFailures"),
        r.u32("throttleMillis"),
        r.u32("idleTimeoutSeconds"));
  }
}
