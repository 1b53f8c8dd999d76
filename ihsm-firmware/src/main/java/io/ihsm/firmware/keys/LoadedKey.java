package io.ihsm.firmware.keys;

import io.ihsm.ddi.key.KeyAttributes;
import io.ihsm.ddi.key.KeyOrigin;

/**
 * A key in the device's table: its handle, attributes, origin, the session it belongs to (0 for an
 * app key) and its material.
 */
record LoadedKey(
    int handle, KeyAttributes attributes, KeyOrigin origin, int sessionId, KeyMaterial material) {
  boolean isAppKey() {
    return sessionId == 0;
  }

  byte[] publicKeyDer() {
    return material.isAsymmetric() ? material.publicKey().getEncoded() : new byte[0];
  }
}
