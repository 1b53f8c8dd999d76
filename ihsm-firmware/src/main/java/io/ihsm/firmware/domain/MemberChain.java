package io.ihsm.firmware.domain;

import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import io.ihsm.firmware.crypto.CryptoEngine;
import io.ihsm.firmware.crypto.Signatures;
import io.ihsm.firmware.identity.DiceIdentity;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.BERTags;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * Checks another device's DICE chain (manufacturer root, DeviceID, Alias) the way a member must
 * before it trusts the device: the root is exactly the pinned one, each certificate is canonical
 * DER signed by its issuer with ECDSA P-384/SHA-384 and names it, the DeviceID is a CA, and the
 * Alias certificate's TcbInfo gives the firmware's SVN and digest. Every refusal is JOIN_REFUSED
 * and says which check failed.
 */
final class MemberChain {
  /** What a valid chain says about the device. */
  record Device(PublicKey aliasKey, int svn, byte[] firmwareDigest) {}

  private final CryptoEngine engine;

  MemberChain(CryptoEngine engine) {
    this.engine = engine;
  }

  Device check(List<byte[]> chain, byte[] pinnedRoot) throws DdiException {
    if (chain.size() != 3) {
      throw refused("a DICE chain is root, DeviceID and Alias");
    }
    if (!Arrays.equals(chain.get(0), pinnedRoot)) {
      throw refused("the chain does not start at the domain's manufacturer root");
    }
    X509Certificate root = parse(chain.get(0));
    X509Certificate deviceId = parse(chain.get(1));
    X509Certificate alias = parse(chain.get(2));
    if (!signedBy(deviceId, root) || deviceId.getBasicConstraints() < 0) {
      throw refused("the DeviceID certificate is not a CA certificate issued by the root");
    }
    if (!signedBy(alias, deviceId)) {
      throw refused("the Alias certificate is not issued by the DeviceID key");
    }
    byte[] tcb = alias.getExtensionValue(DiceIdentity.TCB_INFO.getId());
    if (tcb == null) {
      throw refused("the Alias certificate has no TcbInfo");
    }
    try {
      ASN1Sequence info = ASN1Sequence.getInstance(ASN1OctetString.getInstance(tcb).getOctets());
      Integer svn = null;
      byte[] digest = null;
      for (var element : info) {
        ASN1TaggedObject field = ASN1TaggedObject.getInstance(element);
        if (field.getTagNo() == 3) {
          svn = ASN1Integer.getInstance(field, false).intValueExact();
        } else if (field.getTagNo() == 6) {
          ASN1Sequence fwids =
              ASN1Sequence.getInstance(field.getBaseUniversal(false, BERTags.SEQUENCE));
          for (var f : fwids) {
            ASN1Sequence fwid = ASN1Sequence.getInstance(f);
            if (NISTObjectIdentifiers.id_sha384.equals(fwid.getObjectAt(0))) {
              digest = ASN1OctetString.getInstance(fwid.getObjectAt(1)).getOctets();
            }
          }
        }
      }
      if (svn == null || digest == null || svn < 0 || digest.length != 48) {
        throw refused("the Alias certificate's TcbInfo lacks the SVN or the SHA-384 firmware id");
      }
      return new Device(alias.getPublicKey(), svn, digest);
    } catch (RuntimeException e) {
      throw refused("the Alias certificate's TcbInfo does not parse");
    }
  }

  private boolean signedBy(X509Certificate cert, X509Certificate issuer) {
    if (!X9ObjectIdentifiers.ecdsa_with_SHA384.getId().equals(cert.getSigAlgOID())
        || !cert.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
      return false;
    }
    try {
      return new Signatures(engine)
          .verifyEcdsa(
              "SHA384withECDSA",
              issuer.getPublicKey(),
              cert.getTBSCertificate(),
              cert.getSignature());
    } catch (Exception e) {
      return false;
    }
  }

  /** Canonical DER only: the bytes a relying party sees are the bytes that were signed. */
  private static X509Certificate parse(byte[] der) throws DdiException {
    try {
      if (!Arrays.equals(Certificate.getInstance(der).getEncoded(ASN1Encoding.DER), der)) {
        throw refused("a certificate is not in canonical DER");
      }
      return (X509Certificate)
          CertificateFactory.getInstance("X.509")
              .generateCertificate(new ByteArrayInputStream(der));
    } catch (IOException | java.security.cert.CertificateException | RuntimeException e) {
      throw refused("a certificate does not parse as X.509 DER");
    }
  }

  static DdiException refused(String why) {
    return new DdiException(Status.JOIN_REFUSED, why);
  }
}
