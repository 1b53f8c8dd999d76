package io.ihsm.cli;

import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.domain.DomainBackup;
import io.ihsm.ddi.domain.DomainPolicy;
import io.ihsm.ddi.domain.JoinRequest;
import io.ihsm.ddi.domain.SealedShare;
import io.ihsm.verify.AttestationException;
import io.ihsm.verify.AttestationPolicy;
import io.ihsm.verify.AttestationVerifier;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.hpke.HPKE;
import org.bouncycastle.jce.ECNamedCurveTable;
import org.bouncycastle.math.ec.ECPoint;

/**
 * A domain backup's custodian, on a machine of its own with no device: holds a P-384 key whose
 * public half a backup seals one share to, and releases that share only to a device whose attested
 * join request meets the backup's policy, re-sealed to that request's key (RFC 9180 HPKE, the suite
 * the devices use). The share itself is one Shamir share: alone it reveals nothing.
 */
final class Custodian {
  private final KeyPair key;

  private Custodian(KeyPair key) {
    this.key = key;
  }

  static KeyPair newKey() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp384r1"));
    return g.generateKeyPair();
  }

  /** The custodian of a PKCS#8 P-384 private key. */
  static Custodian of(byte[] pkcs8) {
    return new Custodian(p384KeyPair(pkcs8));
  }

  /** A PKCS#8 EC P-384 private key with its public key (a custodian's or an approver's). */
  static KeyPair p384KeyPair(byte[] pkcs8) {
    try {
      ECPrivateKey priv =
          (ECPrivateKey)
              KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
      if (priv.getParams().getCurve().getField().getFieldSize() != 384) {
        throw new CliFailure("the key is an EC private key, but not on P-384");
      }
      return new KeyPair(publicOf(priv), priv);
    } catch (GeneralSecurityException | ClassCastException e) {
      throw new CliFailure("the key is not a PKCS#8 EC P-384 private key");
    }
  }

  /** The HPKE public key a backup request takes: the uncompressed point. */
  static byte[] hpkePublicKey(ECPublicKey pub) {
    byte[] point = new byte[97];
    point[0] = 4;
    fixed(pub.getW().getAffineX(), point, 1);
    fixed(pub.getW().getAffineY(), point, 49);
    return point;
  }

  /**
   * Checks the restoring device's join request against the backup's policy (its chain to the pinned
   * root, SVN, firmware, revocation, and its Alias signature), opens this custodian's share and
   * seals it to the request's key.
   */
  SealedShare release(DomainBackup backup, JoinRequest request) {
    if (!Arrays.equals(backup.domainId(), request.domainId())) {
      throw new CliFailure("the join request is for another domain than the backup's");
    }
    checkDevice(backup.policy(), request);
    byte[] mine = hpkePublicKey((ECPublicKey) key.getPublic());
    List<byte[]> keys = backup.custodians().custodianKeys();
    int index = -1;
    for (int i = 0; i < keys.size(); i++) {
      if (Arrays.equals(keys.get(i), mine)) {
        index = i;
      }
    }
    if (index < 0) {
      throw new CliFailure("this key is not one of the backup's custodians");
    }
    int x = index + 1;
    SealedShare sealed = backup.shares().get(index);
    HPKE hpke = suite();
    byte[] share = null;
    try {
      byte[] digest = sha384(backup.sealedPart());
      AsymmetricCipherKeyPair own =
          hpke.deserializePrivateKey(
              fixed(((ECPrivateKey) key.getPrivate()).getS(), new byte[48], 0), mine);
      share =
          hpke.open(
              sealed.enc(),
              own,
              concat(DomainBackup.SHARE_INFO, digest),
              new byte[] {(byte) x},
              sealed.ciphertext(),
              null,
              null,
              null);
      BodyWriter w = new BodyWriter();
      request.writeTo(w);
      byte[][] out =
          hpke.seal(
              hpke.deserializePublicKey(request.hpkeKey()),
              concat(DomainBackup.RELEASE_INFO, concat(sha384(w.toByteArray()), digest)),
              new byte[] {(byte) x},
              share,
              null,
              null,
              null);
      return new SealedShare(x, out[1], out[0]);
    } catch (InvalidCipherTextException e) {
      throw new CliFailure("this custodian's share does not open: the backup was altered");
    } catch (RuntimeException e) {
      throw new CliFailure("the join request's HPKE key is not a P-384 point");
    } finally {
      if (share != null) {
        Arrays.fill(share, (byte) 0);
      }
    }
  }

  /** The device must be one the domain would admit: only then may it have a share. */
  private static void checkDevice(DomainPolicy policy, JoinRequest request) {
    try {
      CertificateFactory f = CertificateFactory.getInstance("X.509");
      List<X509Certificate> chain = new ArrayList<>();
      for (byte[] der : request.chain().reversed()) {
        chain.add((X509Certificate) f.generateCertificate(new ByteArrayInputStream(der)));
      }
      X509Certificate root = chain.removeLast();
      if (!Arrays.equals(root.getEncoded(), policy.root())) {
        throw new CliFailure("the device's chain does not end at the domain's manufacturer root");
      }
      Set<String> digests =
          policy.firmwareDigests().stream()
              .map(HexFormat.of()::formatHex)
              .collect(Collectors.toSet());
      AttestationVerifier.verifyDeviceChain(
          AttestationPolicy.trusting(root).withMinSvn(policy.minSvn()).withAllowedDigests(digests),
          chain);
      if (policy.revokes(MessageDigest.getInstance("SHA-256").digest(request.chain().get(1)))) {
        throw new CliFailure("the device was revoked from the domain");
      }
      Signature s = Signature.getInstance("SHA384withECDSA");
      s.initVerify(chain.getFirst().getPublicKey());
      s.update(request.signedBytes());
      if (!s.verify(request.signature())) {
        throw new CliFailure("the join request's signature does not verify with its Alias key");
      }
    } catch (AttestationException e) {
      throw new CliFailure("the device does not meet the backup's policy: " + e.getMessage());
    } catch (GeneralSecurityException | RuntimeException e) {
      if (e instanceof CliFailure c) {
        throw c;
      }
      throw new CliFailure("the join request's chain or signature does not read");
    }
  }

  private static HPKE suite() {
    return new HPKE(
        HPKE.mode_base, HPKE.kem_P384_SHA384, HPKE.kdf_HKDF_SHA384, HPKE.aead_AES_GCM256);
  }

  private static ECPublicKey publicOf(ECPrivateKey priv) throws GeneralSecurityException {
    ECPoint q =
        ECNamedCurveTable.getParameterSpec("secp384r1").getG().multiply(priv.getS()).normalize();
    return (ECPublicKey)
        KeyFactory.getInstance("EC")
            .generatePublic(
                new ECPublicKeySpec(
                    new java.security.spec.ECPoint(
                        q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger()),
                    priv.getParams()));
  }

  private static byte[] fixed(BigInteger v, byte[] out, int offset) {
    byte[] b = v.toByteArray();
    int skip = b.length > 48 ? b.length - 48 : 0;
    System.arraycopy(b, skip, out, offset + 48 - (b.length - skip), b.length - skip);
    return out;
  }

  private static byte[] sha384(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-384").digest(b);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
