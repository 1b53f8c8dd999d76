package io.ihsm.firmware.crypto;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import javax.crypto.KeyAgreement;

/**
 * The public key of an imported EC private key whose PKCS#8 encoding omits it. The secret scalar is
 * only ever used by the engine's own ECDH (with the generator as peer, giving x(d·G)) and ECDSA, so
 * no hand-written arithmetic touches it; y is then recovered from the curve equation (p ≡ 3 mod 4
 * on P-256/384/521) and the sign chosen by checking a signature.
 */
public final class EcPublicKeys {
  private EcPublicKeys() {}

  public static ECPublicKey of(CryptoEngine engine, ECPrivateKey priv)
      throws GeneralSecurityException {
    ECParameterSpec params = priv.getParams();
    BigInteger p = ((ECFieldFp) params.getCurve().getField()).getP();
    if (!p.testBit(0) || !p.testBit(1)) {
      throw new GeneralSecurityException("curve field is not 3 mod 4");
    }
    ECPublicKey generator =
        (ECPublicKey)
            engine
                .keyFactory("EC")
                .generatePublic(new ECPublicKeySpec(params.getGenerator(), params));
    KeyAgreement ka = engine.keyAgreement("ECDH");
    ka.init(priv);
    ka.doPhase(generator, true);
    BigInteger x = new BigInteger(1, ka.generateSecret());
    BigInteger rhs =
        x.pow(3).add(params.getCurve().getA().multiply(x)).add(params.getCurve().getB()).mod(p);
    BigInteger y = rhs.modPow(p.add(BigInteger.ONE).shiftRight(2), p);
    if (!y.multiply(y).mod(p).equals(rhs)) {
      throw new GeneralSecurityException("no point with this x");
    }
    for (BigInteger candidate : new BigInteger[] {y, p.subtract(y)}) {
      ECPublicKey pub =
          (ECPublicKey)
              engine
                  .keyFactory("EC")
                  .generatePublic(new ECPublicKeySpec(new ECPoint(x, candidate), params));
      if (signsFor(engine, new KeyPair(pub, priv))) {
        return pub;
      }
    }
    throw new GeneralSecurityException("no public key matches the private key");
  }

  private static boolean signsFor(CryptoEngine engine, KeyPair pair)
      throws GeneralSecurityException {
    byte[] probe = "ihsm public key recovery".getBytes();
    Signature s = engine.signature("SHA256withECDSA");
    s.initSign(pair.getPrivate());
    s.update(probe);
    byte[] sig = s.sign();
    Signature v = engine.signature("SHA256withECDSA");
    v.initVerify(pair.getPublic());
    v.update(probe);
    return v.verify(sig);
  }
}
