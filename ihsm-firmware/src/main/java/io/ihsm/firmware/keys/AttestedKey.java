package io.ihsm.firmware.keys;

import io.ihsm.ddi.key.KeyAttributes;
import io.ihsm.ddi.key.KeyOrigin;
import java.security.PublicKey;

/** A key as its attestation report describes it; {@code publicKey} is null for secret keys. */
public record AttestedKey(
    KeyAttributes attributes, KeyOrigin origin, int bits, PublicKey publicKey) {}
