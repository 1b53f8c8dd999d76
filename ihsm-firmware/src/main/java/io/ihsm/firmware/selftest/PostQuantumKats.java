package io.ihsm.firmware.selftest;

import io.ihsm.firmware.crypto.CryptoEngine;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.spec.NamedParameterSpec;
import java.util.HexFormat;
import javax.crypto.KEM;

/**
 * Known-answer self-tests of ML-DSA (FIPS 204) and ML-KEM (FIPS 203), in the ACVP manner: every
 * random input the algorithms draw (ML-DSA's key seed ξ and signing randomness, ML-KEM's d, z and
 * m) is fixed, so key generation, signing and encapsulation are deterministic, and what they give
 * must hash to the known answer; the signature must verify and the ciphertext decapsulate to the
 * same secret. The answers are pinned here; {@code EngineWycheproofTest} shows, with Wycheproof's
 * seeded ML-KEM vectors, that this engine turns fixed seeds into the keys FIPS 203 defines.
 */
final class PostQuantumKats {
  private PostQuantumKats() {}

  static final String ML_DSA_65 =
      "bbb07db45d9ab37760de7a9610879d7091c7a0b772d867856192b7d05f5cb5c7";
  static final String ML_KEM_768 =
      "d3858cbcda95773a7d312446c661ad3f3281f8fbb6bd21b0ec320ad456c76e9f";

  /** ML-DSA-65: ξ = 00..1f, rnd = 0 (the standard's deterministic variant), a fixed message. */
  static boolean mlDsa65(CryptoEngine engine) throws Exception {
    KeyPairGenerator g = engine.keyPairGenerator("ML-DSA");
    g.initialize(NamedParameterSpec.ML_DSA_65, new SeededRandom(counting(0, 32)));
    KeyPair kp = g.generateKeyPair();
    byte[] msg = "ihsm ML-DSA KAT".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    Signature s = engine.signature("ML-DSA");
    s.initSign(kp.getPrivate(), new SeededRandom(new byte[32]));
    s.update(msg);
    byte[] sig = s.sign();
    MessageDigest d = engine.digest("SHA-256");
    d.update(kp.getPublic().getEncoded());
    d.update(sig);
    if (!MessageDigest.isEqual(d.digest(), HexFormat.of().parseHex(ML_DSA_65))) {
      return false;
    }
    Signature v = engine.signature("ML-DSA");
    v.initVerify(kp.getPublic());
    v.update(msg);
    if (!v.verify(sig)) {
      return false;
    }
    sig[0] ^= 1;
    v.initVerify(kp.getPublic());
    v.update(msg);
    return !v.verify(sig);
  }

  /** ML-KEM-768: d || z = 00..3f, m = 40..5f. */
  static boolean mlKem768(CryptoEngine engine) throws Exception {
    KeyPairGenerator g = engine.keyPairGenerator("ML-KEM");
    g.initialize(NamedParameterSpec.ML_KEM_768, new SeededRandom(counting(0, 64)));
    KeyPair kp = g.generateKeyPair();
    KEM kem = engine.kem("ML-KEM");
    KEM.Encapsulated e =
        kem.newEncapsulator(kp.getPublic(), null, new SeededRandom(counting(64, 32))).encapsulate();
    MessageDigest d = engine.digest("SHA-256");
    d.update(kp.getPublic().getEncoded());
    d.update(e.encapsulation());
    d.update(e.key().getEncoded());
    return MessageDigest.isEqual(d.digest(), HexFormat.of().parseHex(ML_KEM_768))
        && MessageDigest.isEqual(
            kem.newDecapsulator(kp.getPrivate()).decapsulate(e.encapsulation()).getEncoded(),
            e.key().getEncoded());
  }

  static byte[] counting(int from, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (from + i);
    }
    return b;
  }
}
