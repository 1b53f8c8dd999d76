package io.ihsm.sdk.signature;

/**
 * How a key signs (or MACs) a message and verifies a signature. Each kind is an immutable value
 * made by a static factory that checks its arguments.
 */
public sealed interface SignatureParameters
    permits EcdsaParameters,
        RsaPkcs1Parameters,
        RsaPssParameters,
        HmacParameters,
        AesCmacParameters,
        MlDsaParameters {}
