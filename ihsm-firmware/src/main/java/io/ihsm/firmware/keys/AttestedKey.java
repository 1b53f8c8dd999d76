package io.ihsm.firmware.keys;

import io.ihsm.ddi.key.KeyAttributes;
import io.ihsm.ddi.key.KeyLifecycle;
import io.ihsm.ddi.key.KeyOrigin;
import java.security.PublicKey;

/**
 * A key as its attestation report describes it: its lifecycle in the state it is in at the report's
 * time; {@code publicKey} is null for secret keys.
 */
public record AttestedKey(
    KeyAttributes attributes,
    KeyOrigin origin,
    KeyLifecycle lifecycle,
    int bits,
    PublicKey publicKey) {}
