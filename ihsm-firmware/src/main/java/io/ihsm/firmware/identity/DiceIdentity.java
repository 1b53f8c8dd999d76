package io.ihsm.firmware.identity;

import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.cose.CoseSign1;
import io.ihsm.ddi.spi.DeviceIdentity;
import io.ihsm.ddi.spi.FirmwareMeasurement;
import io.ihsm.ddi.spi.NonVolatileStore;
import io.ihsm.firmware.crypto.CryptoEngine;
import io.ihsm.firmware.crypto.DerEcdsaSignature;
import io.ihsm.firmware.crypto.EcPublicKeys;
import io.ihsm.firmware.crypto.Hkdf;
import io.ihsm.firmware.rng.RandomSource;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPrivateKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;

/**
 * The device's DICE-style identity. The unique device secret (UDS, the card's "fuses") is made
 * once, at manufacture, and kept in non-volatile storage; zeroization does not touch it. From it
 * come the DeviceID key (the same for the device's whole life) and, mixed with the firmware
 * measurement, the Alias key (a different key whenever the firmware differs). The manufacturer
 * certifies the DeviceID key once; at every power-on the DeviceID key certifies the Alias key, with
 * the firmware's version, SVN and digest in a TCG DiceTcbInfo extension. Bouncy Castle is used for
 * ASN.1 only; every signature is made by the crypto engine. Format: docs/attestation.md.
 */
public final class DiceIdentity {
  static final String UDS = "device-secret";
  static final String CERTIFICATES = "device-certificates";

  /** TCG DICE TcbInfo (tcg-dice-TcbInfo). */
  public static final ASN1ObjectIdentifier TCB_INFO = new ASN1ObjectIdentifier("2.23.133.5.4.1");

  private static final String PARTITION_INFO = "ihsm DICE partition identity";
  private static final Date FOREVER = Date.from(Instant.parse("9999-12-31T23:59:59Z"));

  private final NonVolatileStore nv;
  private final CryptoEngine engine;
  private final RandomSource random;
  private final DeviceIdentity device;
  private final FirmwareMeasurement firmware;
  private List<byte[]> chain = List.of();
  private boolean unreadable;
  private KeyPair aliasKey;

  /** Partition identity certificates issued this power-on, by partition uid (hex). */
  private final Map<String, byte[]> partitionCertificates = new HashMap<>();

  public DiceIdentity(
      NonVolatileStore nv,
      CryptoEngine engine,
      RandomSource random,
      DeviceIdentity device,
      FirmwareMeasurement firmware) {
    this.nv = nv;
    this.engine = engine;
    this.random = random;
    this.device = device;
    this.firmware = firmware;
  }

  /**
   * The stored certificates and this firmware's Alias certificate, made on first use: after the
   * power-on self-tests, since it takes HKDF and ECDSA. Storage damage does not stop the module;
   * the identity services say what is wrong.
   */
  private void loadChain() {
    if (!chain.isEmpty() || unreadable) {
      return;
    }
    nv.read(CERTIFICATES)
        .ifPresent(
            stored -> {
              try {
                chain = withAlias(decode(stored));
              } catch (RuntimeException e) {
                unreadable = true;
              }
            });
  }

  /** Makes the UDS if there is none; answers the DeviceID public key (SPKI) to certify. */
  public synchronized byte[] manufacture() throws DdiException {
    if (nv.read(CERTIFICATES).isPresent()) {
      throw new DdiException(Status.ALREADY_MANUFACTURED, "the device already has its identity");
    }
    if (nv.read(UDS).isEmpty()) {
      byte[] uds = random.bytes(32);
      try {
        nv.write(UDS, uds);
      } finally {
        Arrays.fill(uds, (byte) 0);
      }
    }
    return deviceIdKey().getPublic().getEncoded();
  }

  /** Installs the manufacturer's root and the DeviceID certificate it issued; once. */
  public synchronized void install(List<byte[]> certificates) throws DdiException {
    if (nv.read(CERTIFICATES).isPresent()) {
      throw new DdiException(Status.ALREADY_MANUFACTURED, "the device already has its identity");
    }
    if (nv.read(UDS).isEmpty()) {
      throw new DdiException(Status.NOT_MANUFACTURED, "no device secret: MANUFACTURE first");
    }
    if (certificates.size() != 2) {
      throw new DdiException(
          Status.INVALID_PARAMETER, "two certificates: the manufacturer root, then the DeviceID");
    }
    X509Certificate root = parse(certificates.get(0));
    X509Certificate deviceId = parse(certificates.get(1));
    // Names must chain too: path validation elsewhere matches the issuer by name.
    boolean valid =
        verifies(root, root.getPublicKey())
            && verifies(deviceId, root.getPublicKey())
            && root.getSubjectX500Principal().equals(root.getIssuerX500Principal())
            && deviceId.getIssuerX500Principal().equals(root.getSubjectX500Principal())
            && root.getBasicConstraints() >= 0
            && deviceId.getBasicConstraints() >= 1
            && Arrays.equals(
                deviceId.getPublicKey().getEncoded(), deviceIdKey().getPublic().getEncoded());
    if (!valid) {
      throw new DdiException(
          Status.CERTIFICATE_INVALID,
          "the DeviceID certificate must certify this device's key, as a CA, issued by the self-signed CA root");
    }
    nv.write(CERTIFICATES, encode(certificates));
    chain = withAlias(certificates);
  }

  /** Manufacturer root, DeviceID, Alias: DER, root first. */
  public synchronized List<byte[]> chain() throws DdiException {
    loadChain();
    if (unreadable) {
      throw new DdiException(
          Status.INTERNAL_ERROR, "the stored identity certificates are unreadable");
    }
    if (chain.isEmpty()) {
      throw new DdiException(Status.NOT_MANUFACTURED, "the device has no identity yet");
    }
    return chain.stream().map(byte[]::clone).toList();
  }

  /**
   * A partition's chain: root, DeviceID, Alias, then the partition identity certificate. The
   * partition identity key derives from the UDS and the partition's uid, so it stays the same for
   * the partition's life and differs for a partition recreated under the same id.
   */
  public synchronized List<byte[]> partitionChain(int partitionId, byte[] uid) throws DdiException {
    List<byte[]> all = new ArrayList<>(chain());
    String key = HexFormat.of().formatHex(uid);
    byte[] cert = partitionCertificates.get(key);
    if (cert == null) {
      cert = partitionCertificate(partitionId, uid);
      partitionCertificates.put(key, cert);
    }
    all.add(cert);
    return all.stream().map(byte[]::clone).toList();
  }

  /**
   * A COSE_Sign1 by the Alias key (device reports, the compliance report); the payload is left out
   * of the message when {@code detached}. The key id is the Alias certificate's key identifier.
   */
  public synchronized CoseSign1 signAsAlias(byte[] payload, boolean detached) throws DdiException {
    chain();
    KeyPair alias = aliasKey();
    return coseSign1(
        alias.getPrivate(), keyIdentifier(alias.getPublic().getEncoded()), payload, detached);
  }

  /**
   * An ECDSA P-384/SHA-384 signature (DER) by the Alias key over {@code message}: how the device
   * speaks for its measured firmware in the security domain's join.
   */
  public synchronized byte[] signAsAliasDer(byte[] message) throws DdiException {
    chain();
    try {
      Signature s = engine.signature("SHA384withECDSA");
      s.initSign(aliasKey().getPrivate(), random.secureRandom());
      s.update(message);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the Alias key cannot sign", e);
    }
  }

  /** A COSE_Sign1 by a partition's identity key (key reports). */
  public synchronized CoseSign1 signAsPartition(byte[] uid, byte[] payload) throws DdiException {
    chain();
    KeyPair partition = derive(uid, PARTITION_INFO);
    return coseSign1(
        partition.getPrivate(), keyIdentifier(partition.getPublic().getEncoded()), payload, false);
  }

  private CoseSign1 coseSign1(PrivateKey key, byte[] keyId, byte[] payload, boolean detached) {
    byte[] header = CoseSign1.es384Header();
    try {
      Signature s = engine.signature("SHA384withECDSA");
      s.initSign(key, random.secureRandom());
      s.update(CoseSign1.toBeSigned(header, payload));
      BigInteger[] rs = DerEcdsaSignature.parse(s.sign()).orElseThrow();
      byte[] raw = new byte[CoseSign1.SIGNATURE_BYTES];
      copyFixed(rs[0], raw, 0);
      copyFixed(rs[1], raw, 48);
      return new CoseSign1(header, keyId, detached ? null : payload, raw);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("an identity key cannot sign", e);
    }
  }

  /** An unsigned integer into 48 bytes, left-padded (COSE's fixed-size r and s). */
  private static void copyFixed(BigInteger v, byte[] out, int offset) {
    byte[] b = v.toByteArray();
    int skip = b.length > 48 ? b.length - 48 : 0;
    System.arraycopy(b, skip, out, offset + 48 - (b.length - skip), b.length - skip);
  }

  /** Derived once a power-on: it certifies every partition identity. */
  private KeyPair aliasKey() {
    if (aliasKey == null) {
      aliasKey = derive(aliasSalt(), "ihsm DICE Alias");
    }
    return aliasKey;
  }

  private KeyPair deviceIdKey() {
    return derive(new byte[0], "ihsm DICE DeviceID");
  }

  /** The measurement the Alias key depends on: the manifest digest and the SVN. */
  private byte[] aliasSalt() {
    byte[] digest = HexFormat.of().parseHex(firmware.digest());
    return ByteBuffer.allocate(digest.length + 4).put(digest).putInt(firmware.svn()).array();
  }

  /** A P-384 key from the UDS: d = (HKDF-SHA384(UDS, salt, info, 56 bytes) mod (n − 1)) + 1. */
  private KeyPair derive(byte[] salt, String info) {
    byte[] uds = nv.read(UDS).orElseThrow(() -> new IllegalStateException("no device secret"));
    byte[] okm =
        new Hkdf(engine, "HmacSHA384").derive(uds, salt, info.getBytes(StandardCharsets.UTF_8), 56);
    try {
      AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
      p.init(new ECGenParameterSpec("secp384r1"));
      ECParameterSpec params = p.getParameterSpec(ECParameterSpec.class);
      BigInteger n = params.getOrder();
      BigInteger d = new BigInteger(1, okm).mod(n.subtract(BigInteger.ONE)).add(BigInteger.ONE);
      ECPrivateKey priv =
          (ECPrivateKey) engine.keyFactory("EC").generatePrivate(new ECPrivateKeySpec(d, params));
      return new KeyPair(EcPublicKeys.of(engine, priv), priv);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("an identity key cannot be derived", e);
    } finally {
      Arrays.fill(uds, (byte) 0);
      Arrays.fill(okm, (byte) 0);
    }
  }

  private List<byte[]> withAlias(List<byte[]> rootAndDeviceId) {
    List<byte[]> all = new ArrayList<>(rootAndDeviceId);
    all.add(aliasCertificate(rootAndDeviceId.get(1)));
    return List.copyOf(all);
  }

  private byte[] partitionCertificate(int partitionId, byte[] uid) {
    try {
      X509CertificateHolder alias = new X509CertificateHolder(chain.get(2));
      byte[] spki = derive(uid, PARTITION_INFO).getPublic().getEncoded();
      byte[] ski = keyIdentifier(spki);
      X509v3CertificateBuilder b =
          new X509v3CertificateBuilder(
              alias.getSubject(),
              new BigInteger(1, Arrays.copyOf(ski, 16)),
              alias.getNotBefore(),
              FOREVER,
              new X500Name(
                  "CN=ihsm partition "
                      + partitionId
                      + ",OU="
                      + HexFormat.of().formatHex(uid)
                      + ",O="
                      + device.serialNumber()),
              SubjectPublicKeyInfo.getInstance(spki));
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      b.addExtension(Extension.subjectKeyIdentifier, false, new SubjectKeyIdentifier(ski));
      b.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          new AuthorityKeyIdentifier(keyIdentifier(alias.getSubjectPublicKeyInfo().getEncoded())));
      return b.build(signer(aliasKey().getPrivate())).getEncoded();
    } catch (IOException e) {
      throw new IllegalStateException("the partition certificate cannot be built", e);
    }
  }

  private byte[] aliasCertificate(byte[] deviceIdDer) {
    try {
      X509CertificateHolder deviceId = new X509CertificateHolder(deviceIdDer);
      KeyPair alias = aliasKey();
      byte[] spki = alias.getPublic().getEncoded();
      byte[] ski = keyIdentifier(spki);
      X509v3CertificateBuilder b =
          new X509v3CertificateBuilder(
              deviceId.getSubject(),
              new BigInteger(1, Arrays.copyOf(ski, 16)),
              deviceId.getNotBefore(),
              FOREVER,
              new X500Name("CN=ihsm Alias " + device.serialNumber() + ",O=" + device.vendor()),
              SubjectPublicKeyInfo.getInstance(spki));
      // A CA: the Alias key certifies the partitions' identity keys.
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.digitalSignature));
      b.addExtension(Extension.subjectKeyIdentifier, false, new SubjectKeyIdentifier(ski));
      Extension issuerKeyId = deviceId.getExtension(Extension.subjectKeyIdentifier);
      byte[] aki =
          issuerKeyId != null
              ? SubjectKeyIdentifier.getInstance(issuerKeyId.getParsedValue()).getKeyIdentifier()
              : keyIdentifier(deviceId.getSubjectPublicKeyInfo().getEncoded());
      b.addExtension(Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(aki));
      b.addExtension(TCB_INFO, false, tcbInfo());
      return b.build(signer(deviceIdKey().getPrivate())).getEncoded();
    } catch (IOException e) {
      throw new IllegalStateException("the Alias certificate cannot be built", e);
    }
  }

  /**
   * DiceTcbInfo: vendor [0], model [1], version [2], svn [3], fwids [6] (SHA-384 of the manifest).
   */
  private DERSequence tcbInfo() {
    ASN1EncodableVector fwid = new ASN1EncodableVector();
    fwid.add(NISTObjectIdentifiers.id_sha384);
    fwid.add(new DEROctetString(HexFormat.of().parseHex(firmware.digest())));
    ASN1EncodableVector v = new ASN1EncodableVector();
    v.add(new DERTaggedObject(false, 0, new DERUTF8String(device.vendor())));
    v.add(new DERTaggedObject(false, 1, new DERUTF8String(device.model())));
    v.add(new DERTaggedObject(false, 2, new DERUTF8String(firmware.version())));
    v.add(new DERTaggedObject(false, 3, new ASN1Integer(firmware.svn())));
    v.add(new DERTaggedObject(false, 6, new DERSequence(new DERSequence(fwid))));
    return new DERSequence(v);
  }

  /** RFC 7093 method 1: the leftmost 160 bits of SHA-256 over the public key's BIT STRING value. */
  private byte[] keyIdentifier(byte[] spki) {
    byte[] keyBits = SubjectPublicKeyInfo.getInstance(spki).getPublicKeyData().getBytes();
    return Arrays.copyOf(engine.digest("SHA-256").digest(keyBits), 20);
  }

  private ContentSigner signer(PrivateKey key) {
    ByteArrayOutputStream tbs = new ByteArrayOutputStream();
    return new ContentSigner() {
      @Override
      public AlgorithmIdentifier getAlgorithmIdentifier() {
        return new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA384);
      }

      @Override
      public OutputStream getOutputStream() {
        return tbs;
      }

      @Override
      public byte[] getSignature() {
        try {
          Signature s = engine.signature("SHA384withECDSA");
          s.initSign(key, random.secureRandom());
          s.update(tbs.toByteArray());
          return s.sign();
        } catch (GeneralSecurityException e) {
          throw new IllegalStateException("the DeviceID key cannot sign", e);
        }
      }
    };
  }

  /** Only ECDSA with SHA-384 is accepted from the manufacturer, verified by the engine. */
  private boolean verifies(X509Certificate cert, PublicKey issuer) {
    try {
      if (!X9ObjectIdentifiers.ecdsa_with_SHA384.getId().equals(cert.getSigAlgOID())) {
        return false;
      }
      Signature s = engine.signature("SHA384withECDSA");
      s.initVerify(issuer);
      s.update(cert.getTBSCertificate());
      return s.verify(cert.getSignature());
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private static X509Certificate parse(byte[] der) throws DdiException {
    try {
      return (X509Certificate)
          CertificateFactory.getInstance("X.509")
              .generateCertificate(new ByteArrayInputStream(der));
    } catch (CertificateException | RuntimeException e) {
      throw new DdiException(
          Status.CERTIFICATE_INVALID, "a certificate does not parse as X.509 DER");
    }
  }

  private static byte[] encode(List<byte[]> certificates) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] c : certificates) {
      out.writeBytes(ByteBuffer.allocate(4).putInt(c.length).array());
      out.writeBytes(c);
    }
    return out.toByteArray();
  }

  private static List<byte[]> decode(byte[] stored) {
    List<byte[]> list = new ArrayList<>();
    ByteBuffer b = ByteBuffer.wrap(stored);
    while (b.hasRemaining()) {
      int length = b.getInt();
      if (length < 0 || length > b.remaining()) {
        throw new IllegalStateException("a stored certificate runs past its record");
      }
      byte[] c = new byte[length];
      b.get(c);
      list.add(c);
    }
    return list;
  }
}
