package io.ihsm.ddi.key;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A key version's identity and lifecycle: its version under its label (from 1), a stable id the
 * device chose at random when it made the version, its state and its activation and deactivation
 * dates (milliseconds since the epoch on the device's clock; 0 for none). The device keeps this in
 * the key's masked blob, under its tag, and changes it only through its own transitions.
 *
 * <p>A date takes effect when it passes: a pre-active key with an activation date is active from
 * then on, an active key with a deactivation date deactivated ({@link #effectiveState}).
 *
 * <pre>u32 version, bytes id (16), u8 state, u64 activation date, u64 deactivation date</pre>
 */
public record KeyLifecycle(
    int version, byte[] id, KeyState state, long activationDate, long deactivationDate) {
  public static final int ID_BYTES = 16;

  /** What an operation does to data, which is what a state allows or refuses. */
  public enum Use {
    /** Encrypt, sign, MAC, wrap another key, derive: allowed only while active. */
    PROTECT,
    /** Decrypt, verify, unwrap: allowed while active, deactivated or compromised. */
    PROCESS
  }

  public KeyLifecycle {
    if (version < 1) {
      throw new IllegalArgumentException("versions count from 1, got " + version);
    }
    if (id.length != ID_BYTES) {
      throw new IllegalArgumentException("a key id is " + ID_BYTES + " bytes, got " + id.length);
    }
    if (activationDate < 0 || deactivationDate < 0) {
      throw new IllegalArgumentException("dates are not negative");
    }
    id = id.clone();
  }

  @Override
  public byte[] id() {
    return id.clone();
  }

  /** The id as 32 lower-case hex digits: what the host, KMIP and the KMS plugin show. */
  public String idText() {
    return HexFormat.of().formatHex(id);
  }

  /** The state at {@code now}, once the dates that have passed took effect. */
  public KeyState effectiveState(long now) {
    KeyState s = state;
    if (s == KeyState.PRE_ACTIVE && activationDate != 0 && now >= activationDate) {
      s = KeyState.ACTIVE;
    }
    if (s == KeyState.ACTIVE && deactivationDate != 0 && now >= deactivationDate) {
      s = KeyState.DEACTIVATED;
    }
    return s;
  }

  /** Whether the key may be used this way at {@code now}. */
  public boolean permits(Use use, long now) {
    KeyState s = effectiveState(now);
    return switch (use) {
      case PROTECT -> s == KeyState.ACTIVE;
      case PROCESS ->
          s == KeyState.ACTIVE || s == KeyState.DEACTIVATED || s == KeyState.COMPROMISED;
    };
  }

  /** This version in another state, its dates unchanged. */
  public KeyLifecycle withState(KeyState next) {
    return new KeyLifecycle(version, id, next, activationDate, deactivationDate);
  }

  /** This version with other dates. */
  public KeyLifecycle withDates(long activation, long deactivation) {
    return new KeyLifecycle(version, id, state, activation, deactivation);
  }

  public void writeTo(BodyWriter w) {
    w.u32(version).bytes(id, ID_BYTES).u8(state.code()).u64(activationDate).u64(deactivationDate);
  }

  public static KeyLifecycle readField(BodyReader r) throws DdiException {
    int version = r.u32("version");
    byte[] id = r.bytes("keyId", ID_BYTES);
    KeyState state = KeyState.fromCode(r.u8("state"));
    long activation = r.u64("activationDate");
    long deactivation = r.u64("deactivationDate");
    if (version < 1
        || id.length != ID_BYTES
        || state == null
        || activation < 0
        || deactivation < 0) {
      throw new DdiException(
          Status.MALFORMED_BODY,
          "a key lifecycle is a version from 1, a 16-byte id, a known state and two dates");
    }
    return new KeyLifecycle(version, id, state, activation, deactivation);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyLifecycle k
        && version == k.version
        && Arrays.equals(id, k.id)
        && state == k.state
        && activationDate == k.activationDate
        && deactivationDate == k.deactivationDate;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(id) * 31 + version;
  }

  @Override
  public String toString() {
    return "v" + version + " " + idText() + " " + state.textName();
  }
}
