package io.ihsm.device.daemon;

import java.time.Duration;

/**
 * What one port's socket allows its clients, so that idle, half-sent or flooding connections cannot
 * shut the port to everyone else.
 *
 * @param maxConnections connections open at once on one port; when full, a new connection evicts
 *     the untrusted one idle longest (trusted: one that has used a session), else the trusted one
 *     idle longest, else it is refused
 * @param frameTimeout a frame must arrive whole within this time of its first byte
 * @param untrustedIdle a connection that never used a session is closed when idle this long
 * @param trustedIdle a connection that used a session is closed when idle this long
 */
public record ConnectionLimits(
    int maxConnections, Duration frameTimeout, Duration untrustedIdle, Duration trustedIdle) {
  public static final ConnectionLimits DEFAULTS =
      new ConnectionLimits(
          256, Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(15));

  public ConnectionLimits {
    if (maxConnections < 1 || maxConnections > 65_536) {
      throw new IllegalArgumentException("maxConnections must be 1..65536, got " + maxConnections);
    }
    for (Duration d : new Duration[] {frameTimeout, untrustedIdle, trustedIdle}) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("timeouts must be positive, got " + d);
      }
    }
  }
}
