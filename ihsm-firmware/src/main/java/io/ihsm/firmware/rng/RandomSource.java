package io.ihsm.firmware.rng;

import io.ihsm.firmware.crypto.CryptoEngine;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.SecureRandomSpi;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * The module's single source of random bytes: every key, IV, nonce and identifier comes from here.
 * A CTR_DRBG (AES-256, derivation function) seeded from the health-tested entropy source with 256
 * bits of entropy and a 128-bit nonce, reseeded every {@link CtrDrbg#RESEED_INTERVAL} requests and
 * before any request that asks for prediction resistance. An entropy failure calls {@code
 * onFailure} (the module enters ERROR) and refuses the request. Thread-safe.
 */
public final class RandomSource {
  private final CtrDrbg drbg;
  private final Consumer<String> onFailure;
  private final SecureRandom secureRandom;
  private EntropySource entropy;
  private String failure;

  /**
   * @param noise the card's noise: n raw 8-bit samples
   */
  public RandomSource(CryptoEngine engine, IntFunction<byte[]> noise, Consumer<String> onFailure) {
    this.drbg = new CtrDrbg(engine);
    this.onFailure = onFailure;
    this.secureRandom = new DrbgSecureRandom(this);
    try {
      entropy = new EntropySource(noise, EntropySource.CLAIMED_MIN_ENTROPY);
      drbg.instantiate(
          entropy.entropy(256),
          entropy.entropy(128),
          "ihsm firmware".getBytes(StandardCharsets.US_ASCII));
    } catch (EntropySource.EntropyFailure e) {
      failure = e.getMessage();
    }
  }

  /** Why the source cannot serve, when it cannot (a health test failed). */
  public synchronized Optional<String> failure() {
    return Optional.ofNullable(failure);
  }

  /** What the compliance report says of the random bit generator and its entropy source. */
  public record Health(
      String drbg,
      long generatesSinceReseed,
      long reseedInterval,
      double claimedMinEntropyPerSample,
      int repetitionCountCutoff,
      int adaptiveProportionCutoff,
      Optional<String> failure) {}

  /** Only for a module that came up (its entropy source passed its start-up test). */
  public synchronized Health health() {
    EntropySource.Claims claims = entropy.claims();
    return new Health(
        "CTR_DRBG, AES-256 with derivation function (SP 800-90A)",
        Math.max(0, drbg.reseedCounter() - 1),
        CtrDrbg.RESEED_INTERVAL,
        claims.minEntropyPerSample(),
        claims.repetitionCutoff(),
        claims.adaptiveProportionCutoff(),
        Optional.ofNullable(failure));
  }

  /** For engine calls that take randomness (key generation, signing): the same DRBG. */
  public SecureRandom secureRandom() {
    return secureRandom;
  }

  public byte[] bytes(int n) {
    return bytes(n, false);
  }

  /**
   * {@code n} random bytes; with prediction resistance the DRBG reseeds from fresh entropy first.
   */
  public synchronized byte[] bytes(int n, boolean predictionResistance) {
    if (failure != null) {
      throw new EntropySource.EntropyFailure(failure.replace("entropy source failed its ", ""));
    }
    try {
      byte[] out = new byte[n];
      for (int off = 0; off < n; off += CtrDrbg.MAX_REQUEST_BYTES) {
        if (predictionResistance || drbg.reseedRequired()) {
          drbg.reseed(entropy.entropy(256), new byte[0]);
        }
        int len = Math.min(CtrDrbg.MAX_REQUEST_BYTES, n - off);
        System.arraycopy(drbg.generate(len, new byte[0]), 0, out, off, len);
      }
      return out;
    } catch (EntropySource.EntropyFailure e) {
      failure = e.getMessage();
      drbg.uninstantiate();
      Arrays.fill(nonces, (byte) 0);
      noncesLeft = 0;
      onFailure.accept(failure);
      throw e;
    }
  }

  /** DRBG output drawn ahead for {@link #publicNonce}; the unused part is {@code noncesLeft}. */
  private final byte[] nonces = new byte[NONCE_BLOCK];

  private int noncesLeft;

  static final int NONCE_BLOCK = 1024;

  /**
   * {@code n} random bytes (at most 64) for a value that is public once used, a GCM IV: served from
   * a block the DRBG generated ahead (SP 800-38D's RBG-based IV, drawn in bulk), so a small
   * operation does not pay a DRBG call of its own (about a third of an AES-GCM 4 KiB encryption in
   * the module; docs/performance.md). Never for secrets: those come from {@link #bytes}. Each byte
   * is handed out once and wiped from the block.
   */
  public synchronized byte[] publicNonce(int n) {
    if (n < 1 || n > 64) {
      throw new IllegalArgumentException("a public nonce is 1 to 64 bytes");
    }
    if (noncesLeft < n) {
      byte[] fresh = bytes(NONCE_BLOCK);
      System.arraycopy(fresh, 0, nonces, 0, NONCE_BLOCK);
      Arrays.fill(fresh, (byte) 0);
      noncesLeft = NONCE_BLOCK;
    }
    int from = NONCE_BLOCK - noncesLeft;
    byte[] out = Arrays.copyOfRange(nonces, from, from + n);
    Arrays.fill(nonces, from, from + n, (byte) 0);
    noncesLeft -= n;
    return out;
  }

  /** A uniformly random non-zero u32, for identifiers where 0 means "none". */
  public int nonZeroInt() {
    int v;
    do {
      v = ByteBuffer.wrap(bytes(4)).getInt();
    } while (v == 0);
    return v;
  }

  /** Power-off: the DRBG state is zeroed. */
  public synchronized void uninstantiate() {
    drbg.uninstantiate();
    Arrays.fill(nonces, (byte) 0);
    noncesLeft = 0;
  }

  /** JCA's view of the DRBG, for APIs that take a SecureRandom. */
  private static final class DrbgSecureRandom extends SecureRandom {
    DrbgSecureRandom(RandomSource source) {
      super(
          new SecureRandomSpi() {
            @Override
            protected void engineSetSeed(byte[] seed) {
              // Callers cannot seed the module's DRBG; only its entropy source does.
            }

            @Override
            protected void engineNextBytes(byte[] bytes) {
              byte[] r = source.bytes(bytes.length);
              System.arraycopy(r, 0, bytes, 0, bytes.length);
            }

            @Override
            protected byte[] engineGenerateSeed(int numBytes) {
              return source.bytes(numBytes, true);
            }
          },
          null);
    }
  }
}
