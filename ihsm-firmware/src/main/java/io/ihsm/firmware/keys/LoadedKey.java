package io.ihsm.firmware.keys;

import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.key.KeyAttributes;
import io.ihsm.ddi.key.KeyLifecycle;
import io.ihsm.ddi.key.KeyOrigin;
import io.ihsm.ddi.key.KeyState;

/**
 * A key in the device's table: its handle, attributes, origin, version and lifecycle, the session
 * it belongs to (0 for an app key) and its material.
 */
record LoadedKey(
    int handle,
    KeyAttributes attributes,
    KeyOrigin origin,
    KeyLifecycle lifecycle,
    int sessionId,
    KeyMaterial material) {
  boolean isAppKey() {
    return sessionId == 0;
  }

  byte[] publicKeyDer() {
    return material.isAsymmetric() ? material.publicKey().getEncoded() : new byte[0];
  }

  LoadedKey withLifecycle(KeyLifecycle next) {
    return new LoadedKey(handle, attributes, origin, next, sessionId, material);
  }

  /** Refuses a use the key's state does not allow now, before any cryptography. */
  void requireState(KeyLifecycle.Use use) throws DdiException {
    long now = System.currentTimeMillis();
    if (lifecycle.permits(use, now)) {
      return;
    }
    KeyState state = lifecycle.effectiveState(now);
    throw new DdiException(
        Status.KEY_STATE_NOT_PERMITTED,
        "the key's version "
            + lifecycle.version()
            + " is "
            + state.textName()
            + (use == KeyLifecycle.Use.PROTECT
                ? ": only an active key encrypts, signs, wraps or derives"
                : ": a pre-active key does nothing until it is activated"));
  }
}
