package io.ihsm.firmware.keys;

import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.key.KeyActivation;
import io.ihsm.ddi.key.KeyLifecycle;
import io.ihsm.ddi.key.KeyState;
import io.ihsm.ddi.key.KeyStateChange;

/**
 * The lifecycle transitions the device allows (after KMIP's state model), as a function of the
 * current lifecycle, the change asked for and the time: the next lifecycle, or a refusal saying
 * what the key is and what it may become.
 *
 * <pre>
 * pre-active  → active (now or at a date), deactivated, compromised, destroyed
 * active      → deactivated (now or at a date), compromised
 * deactivated → compromised, destroyed
 * compromised → destroyed
 * </pre>
 *
 * A date that has passed counts: a pre-active key past its activation date is active. Nothing goes
 * back to pre-active, and an active key is deactivated before it is destroyed.
 */
final class KeyTransitions {
  private KeyTransitions() {}

  /** A new key's lifecycle: active now, or pre-active until activated or until a date. */
  static KeyLifecycle initial(int version, byte[] id, long activation, long now) {
    if (activation == KeyActivation.NOW) {
      return new KeyLifecycle(version, id, KeyState.ACTIVE, now, 0);
    }
    if (activation == KeyActivation.WHEN_ACTIVATED) {
      return new KeyLifecycle(version, id, KeyState.PRE_ACTIVE, 0, 0);
    }
    return new KeyLifecycle(version, id, KeyState.PRE_ACTIVE, activation, 0);
  }

  static KeyLifecycle apply(KeyLifecycle current, KeyStateChange change, long now)
      throws DdiException {
    KeyState from = current.effectiveState(now);
    KeyLifecycle settled = settled(current, from);
    long date = change.date();
    boolean later = date > now;
    if (date != 0 && !later) {
      date = 0; // a date already past means now
    }
    KeyState to = change.state();
    return switch (to) {
      case ACTIVE -> {
        require(from, to, from == KeyState.PRE_ACTIVE);
        yield later
            ? settled.withDates(date, settled.deactivationDate())
            : settled.withState(KeyState.ACTIVE).withDates(now, settled.deactivationDate());
      }
      case DEACTIVATED -> {
        require(from, to, from == KeyState.ACTIVE || from == KeyState.PRE_ACTIVE);
        if (later && from != KeyState.ACTIVE) {
          throw refused(from, to, "only an active key takes a later deactivation date");
        }
        yield later
            ? settled.withDates(settled.activationDate(), date)
            : settled.withState(KeyState.DEACTIVATED).withDates(settled.activationDate(), now);
      }
      case COMPROMISED -> {
        require(
            from,
            to,
            from == KeyState.PRE_ACTIVE || from == KeyState.ACTIVE || from == KeyState.DEACTIVATED);
        noDate(from, to, later);
        yield settled.withState(KeyState.COMPROMISED);
      }
      case DESTROYED -> {
        if (from == KeyState.ACTIVE) {
          throw refused(from, to, "deactivate or revoke an active key before destroying it");
        }
        require(from, to, from != KeyState.DESTROYED);
        noDate(from, to, later);
        yield settled.withState(KeyState.DESTROYED);
      }
      case PRE_ACTIVE -> throw refused(from, to, "no key goes back to pre-active");
    };
  }

  /** The lifecycle with the dates that have passed made part of its state. */
  private static KeyLifecycle settled(KeyLifecycle l, KeyState effective) {
    return effective == l.state() ? l : l.withState(effective);
  }

  private static void require(KeyState from, KeyState to, boolean allowed) throws DdiException {
    if (!allowed) {
      throw refused(from, to, "see docs/key-lifecycle.md for the transitions");
    }
  }

  private static void noDate(KeyState from, KeyState to, boolean later) throws DdiException {
    if (later) {
      throw refused(from, to, "only activation and deactivation take a later date");
    }
  }

  private static DdiException refused(KeyState from, KeyState to, String why) {
    return new DdiException(
        Status.INVALID_STATE_TRANSITION,
        article(from) + " " + from.textName() + " key cannot become " + to.textName() + ": " + why);
  }

  private static String article(KeyState s) {
    return s == KeyState.ACTIVE ? "an" : "a";
  }
}
