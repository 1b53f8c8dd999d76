package io.ihsm.verify;

import io.ihsm.verify.AttestationException.Reason;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.ASN1UTF8String;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;

/**
 * A device's certificate chain, checked up to the trusted manufacturer root: every certificate
 * signed by the next with ECDSA P-384/SHA-384, names chained, issuers CAs, all within their
 * validity. Leaf first: [partition identity,] Alias, DeviceID, optionally the root itself.
 */
final class DeviceChain {
  static final String TCB_INFO = "2.23.133.5.4.1";
  private static final String ECDSA_SHA384 = "1.2.840.10045.4.3.3";
  private static final int MAX_CERTIFICATES = 5;

  final List<X509Certificate> certificates;
  final int aliasIndex;
  final TcbInfo tcb;

  private DeviceChain(List<X509Certificate> certificates, int aliasIndex, TcbInfo tcb) {
    this.certificates = certificates;
    this.aliasIndex = aliasIndex;
    this.tcb = tcb;
  }

  static DeviceChain verify(List<X509Certificate> chain, X509Certificate root)
      throws AttestationException {
    List<X509Certificate> certs = new ArrayList<>(chain);
    if (!certs.isEmpty() && same(certs.getLast(), root)) {
      certs.removeLast();
    }
    if (certs.isEmpty() || certs.size() > MAX_CERTIFICATES) {
      throw new AttestationException(
          Reason.MALFORMED_CHAIN,
          "the chain must hold 1 to "
              + MAX_CERTIFICATES
              + " certificates below the root, leaf first; it holds "
              + certs.size());
    }
    for (int i = 0; i < certs.size(); i++) {
      requireCanonical(certs.get(i), i);
    }
    X509Certificate top = certs.getLast();
    byte[] authorityKeyId = authorityKeyId(top);
    byte[] rootKeyId = subjectKeyId(root);
    boolean keyIdsMatch =
        authorityKeyId != null && rootKeyId != null && Arrays.equals(authorityKeyId, rootKeyId);
    if (!top.getIssuerX500Principal().equals(root.getSubjectX500Principal())
        || (authorityKeyId != null && rootKeyId != null && !keyIdsMatch)) {
      throw untrusted(top, root);
    }
    for (int i = 0; i < certs.size(); i++) {
      boolean byRoot = i + 1 == certs.size();
      X509Certificate issuer = byRoot ? root : certs.get(i + 1);
      checkIssued(i, certs.get(i), issuer, byRoot && !keyIdsMatch);
    }
    checkCurrent(root, "the trusted root");
    int alias = -1;
    for (int i = 0; i < certs.size(); i++) {
      if (certs.get(i).getExtensionValue(TCB_INFO) != null) {
        alias = i;
        break;
      }
    }
    if (alias < 0) {
      throw new AttestationException(
          Reason.MALFORMED_CHAIN, "no certificate in the chain carries a DiceTcbInfo (Alias)");
    }
    return new DeviceChain(List.copyOf(certs), alias, tcbInfo(certs.get(alias)));
  }

  private static AttestationException untrusted(X509Certificate top, X509Certificate root) {
    return new AttestationException(
        Reason.UNTRUSTED_ROOT,
        "the chain ends at '"
            + top.getIssuerX500Principal().getName()
            + "', which is not the trusted root '"
            + root.getSubjectX500Principal().getName()
            + "'");
  }

  X509Certificate leaf() {
    return certificates.getFirst();
  }

  X509Certificate alias() {
    return certificates.get(aliasIndex);
  }

  /** The device serial number: the Alias certificate's common name is "ihsm Alias SERIAL". */
  String serialNumber() throws AttestationException {
    String cn = rdn(alias(), BCStyle.CN);
    if (!cn.startsWith("ihsm Alias ")) {
      throw new AttestationException(
          Reason.MALFORMED_CHAIN, "the Alias certificate's CN is not 'ihsm Alias SERIAL'");
    }
    return cn.substring("ihsm Alias ".length());
  }

  static String rdn(X509Certificate cert, ASN1ObjectIdentifier type) {
    RDN[] rdns = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded()).getRDNs(type);
    return rdns.length == 1 ? IETFUtils.valueToString(rdns[0].getFirst().getValue()) : "";
  }

  /**
   * Only the one encoding the issuer signed is accepted. The parts of a certificate outside its
   * signed TBSCertificate (the outer lengths, the signature BIT STRING's unused-bits count, the
   * ECDSA value's own DER) could otherwise be written another way and still verify: the JDK masks
   * declared unused bits away before it checks the signature (the fuzzer found this). A second
   * encoding of a certificate is a second fingerprint of it.
   */
  private static void requireCanonical(X509Certificate cert, int index)
      throws AttestationException {
    String name = "certificate " + (index + 1);
    try {
      byte[] der = cert.getEncoded();
      Certificate c = Certificate.getInstance(der);
      byte[] signature = c.getSignature().getBytes();
      boolean canonical =
          c.getSignature().getPadBits() == 0
              && Arrays.equals(c.getEncoded(ASN1Encoding.DER), der)
              && Arrays.equals(
                  ASN1Sequence.getInstance(signature).getEncoded(ASN1Encoding.DER), signature);
      if (!canonical) {
        throw new AttestationException(
            Reason.MALFORMED_CHAIN,
            name
                + " is not in the canonical DER its issuer signed (its unsigned parts were re-encoded)");
      }
    } catch (CertificateException | IOException | RuntimeException e) {
      throw new AttestationException(Reason.MALFORMED_CHAIN, name + " does not parse as DER");
    }
  }

  /**
   * @param rootUnconfirmed the issuer is the trusted root but no key ids said so: a signature that
   *     does not verify then means the chain is not the root's, rather than a damaged certificate
   */
  private static void checkIssued(
      int index, X509Certificate cert, X509Certificate issuer, boolean rootUnconfirmed)
      throws AttestationException {
    String name =
        "certificate " + (index + 1) + " ('" + cert.getSubjectX500Principal().getName() + "')";
    if (!cert.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
      throw new AttestationException(
          Reason.MALFORMED_CHAIN, name + " is not issued by the next certificate in the chain");
    }
    boolean signed = signedBy(cert, issuer);
    if (!signed && rootUnconfirmed) {
      throw untrusted(cert, issuer);
    }
    if (!ECDSA_SHA384.equals(cert.getSigAlgOID()) || !signed) {
      throw new AttestationException(
          Reason.CERTIFICATE_SIGNATURE,
          name
              + " is not validly signed (ECDSA P-384/SHA-384) by '"
              + issuer.getSubjectX500Principal().getName()
              + "'");
    }
    if (issuer.getBasicConstraints() < 0
        || (issuer.getKeyUsage() != null && !issuer.getKeyUsage()[5])) {
      throw new AttestationException(
          Reason.CERTIFICATE_INVALID,
          "'"
              + issuer.getSubjectX500Principal().getName()
              + "' is not a CA, so it cannot issue "
              + name);
    }
    checkCurrent(cert, name);
  }

  private static void checkCurrent(X509Certificate cert, String name) throws AttestationException {
    try {
      cert.checkValidity();
    } catch (CertificateException e) {
      throw new AttestationException(
          Reason.CERTIFICATE_INVALID, name + " is outside its validity period");
    }
  }

  private static boolean signedBy(X509Certificate cert, X509Certificate issuer) {
    try {
      Signature s = Signature.getInstance("SHA384withECDSA");
      s.initVerify(issuer.getPublicKey());
      s.update(cert.getTBSCertificate());
      return s.verify(cert.getSignature());
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /**
   * DiceTcbInfo ::= SEQUENCE { vendor [0], model [1], version [2], svn [3], ..., fwids [6] SEQUENCE
   * OF FWID, ... }
   */
  static TcbInfo tcbInfo(X509Certificate alias) throws AttestationException {
    try {
      ASN1Sequence seq =
          ASN1Sequence.getInstance(
              ASN1OctetString.getInstance(alias.getExtensionValue(TCB_INFO)).getOctets());
      String vendor = null, model = null, version = null;
      Long svn = null;
      byte[] digest = null;
      for (var element : seq) {
        ASN1TaggedObject t = ASN1TaggedObject.getInstance(element);
        switch (t.getTagNo()) {
          case 0 -> vendor = ASN1UTF8String.getInstance(t, false).getString();
          case 1 -> model = ASN1UTF8String.getInstance(t, false).getString();
          case 2 -> version = ASN1UTF8String.getInstance(t, false).getString();
          case 3 -> svn = ASN1Integer.getInstance(t, false).longValueExact();
          case 6 -> {
            for (var fwid : ASN1Sequence.getInstance(t, false)) {
              ASN1Sequence f = ASN1Sequence.getInstance(fwid);
              if (NISTObjectIdentifiers.id_sha384.equals(
                  ASN1ObjectIdentifier.getInstance(f.getObjectAt(0)))) {
                digest = ASN1OctetString.getInstance(f.getObjectAt(1)).getOctets();
              }
            }
          }
          default -> {}
        }
      }
      if (vendor == null || model == null || version == null || svn == null || digest == null) {
        throw new IllegalArgumentException("a field is missing");
      }
      return new TcbInfo(vendor, model, version, svn, digest);
    } catch (RuntimeException e) {
      throw new AttestationException(
          Reason.MALFORMED_CHAIN,
          "the Alias certificate's DiceTcbInfo lacks vendor, model, version, svn or a SHA-384 fwid");
    }
  }

  /**
   * @throws AttestationException when the extension is there but does not decode (a fuzzer found
   *     this)
   */
  private static byte[] subjectKeyId(X509Certificate cert) throws AttestationException {
    byte[] ext = cert.getExtensionValue(Extension.subjectKeyIdentifier.getId());
    try {
      return ext == null
          ? null
          : SubjectKeyIdentifier.getInstance(ASN1OctetString.getInstance(ext).getOctets())
              .getKeyIdentifier();
    } catch (RuntimeException e) {
      throw new AttestationException(
          Reason.MALFORMED_CHAIN, "a certificate's subject key identifier does not decode");
    }
  }

  /**
   * @throws AttestationException when the extension is there but does not decode (a fuzzer found
   *     this)
   */
  private static byte[] authorityKeyId(X509Certificate cert) throws AttestationException {
    byte[] ext = cert.getExtensionValue(Extension.authorityKeyIdentifier.getId());
    try {
      return ext == null
          ? null
          : AuthorityKeyIdentifier.getInstance(ASN1OctetString.getInstance(ext).getOctets())
              .getKeyIdentifierOctets();
    } catch (RuntimeException e) {
      throw new AttestationException(
          Reason.MALFORMED_CHAIN, "a certificate's authority key identifier does not decode");
    }
  }

  private static boolean same(X509Certificate a, X509Certificate b) {
    try {
      return Arrays.equals(a.getEncoded(), b.getEncoded());
    } catch (CertificateException e) {
      return false;
    }
  }

  static byte[] keyId(X509Certificate cert) throws AttestationException {
    byte[] id = subjectKeyId(cert);
    return id == null ? new byte[0] : id;
  }
}
