package io.ihsm.sdk.cipher;

/**
 * How a key encrypts and decrypts. Each kind is an immutable value made by a static factory that
 * checks its arguments; IVs and counter blocks the caller does not give are chosen by the device
 * and returned in the {@link Ciphertext}.
 */
public sealed interface CipherParameters
    permits AesGcmParameters,
        AesCbcParameters,
        AesCtrParameters,
        AesEcbParameters,
        AesXtsParameters,
        RsaOaepParameters {}
