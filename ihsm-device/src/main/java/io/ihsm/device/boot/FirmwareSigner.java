package io.ihsm.device.boot;

import io.ihsm.host.AtomicFile;
import io.ihsm.host.OwnerOnly;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Signs firmware images: a manifest of every file's SHA-384, signed with ECDSA P-384 and with a
 * stateful HSS/LMS key ({@link LmsSigningKey}). The build signs with development keys made locally
 * on first use (its signer name says so); production keys are supplied from outside ({@code ihsm
 * firmware sign --key --lms-key}, or the build properties {@code ihsm.firmware.signingKey} and
 * {@code ihsm.firmware.lmsKey}).
 */
public final class FirmwareSigner {
  public static final String DEV_SIGNER = "ihsm development key (NOT FOR PRODUCTION)";

  private FirmwareSigner() {}

  /** The two keys an image is signed with. */
  public record Keys(KeyPair ecdsa, LmsSigningKey lms) {
    /** The public keys a boot ROM pins to boot what these keys sign. */
    public FirmwareKeys pinned() {
      return new FirmwareKeys(ecdsa.getPublic(), lms.publicKey());
    }
  }

  /**
   * The manifest a signer would sign for the firmware jars of {@code image} (any manifest and
   * signature in it are ignored). Its SHA-384 is the firmware's measurement, the FWID a device
   * attests: a rebuilt image gives the same one when it holds the same jars (docs/attestation.md).
   */
  public static FirmwareManifest manifestFor(byte[] image, String version, int svn, String signer)
      throws IOException {
    Map<String, String> digests = new TreeMap<>();
    for (var jar : FirmwareImage.parseUnsigned(image).jars().entrySet()) {
      digests.put(jar.getKey(), sha384(jar.getValue()));
    }
    return new FirmwareManifest(version, svn, signer, digests);
  }

  /**
   * Signs the firmware jars of {@code image} (any old manifest and signatures are replaced): the
   * manifest names the ECDSA key's fingerprint; each key signs it. The HSS/LMS signature uses up
   * one of that key's one-time keys, and is checked before it is returned.
   */
  public static byte[] sign(byte[] image, Keys keys, String signerName, String version, int svn)
      throws IOException, GeneralSecurityException {
    FirmwareImage parsed = FirmwareImage.parseUnsigned(image);
    String signer = signerName + " " + fingerprint(keys.ecdsa().getPublic());
    byte[] manifest = manifestFor(image, version, svn, signer).encode();
    Signature s = Signature.getInstance("SHA384withECDSA");
    s.initSign(keys.ecdsa().getPrivate());
    s.update(manifest);
    byte[] ecdsa = s.sign();
    byte[] lms = keys.lms().sign(manifest);
    Signature check = Signature.getInstance("HSS/LMS");
    check.initVerify(keys.lms().publicKey());
    check.update(manifest);
    if (!check.verify(lms)) {
      throw new GeneralSecurityException("the LMS key made a signature that does not verify");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(image.length + 16384);
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      put(zip, FirmwareManifest.PATH, manifest);
      put(zip, FirmwareManifest.SIGNATURE_PATH, ecdsa);
      put(zip, FirmwareManifest.LMS_SIGNATURE_PATH, lms);
      for (var jar : parsed.jars().entrySet()) {
        put(zip, jar.getKey(), jar.getValue());
      }
    }
    return out.toByteArray();
  }

  /** The first 16 bytes of SHA-256 over the key's SubjectPublicKeyInfo, in hex. */
  public static String fingerprint(PublicKey key) throws GeneralSecurityException {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()), 0, 16);
  }

  /**
   * A P-384 signing key: the PKCS#8 private key and its SubjectPublicKeyInfo (the JDK cannot derive
   * an EC public key from a private one, so both are supplied), checked to belong together.
   */
  public static KeyPair loadP384(byte[] pkcs8, byte[] spki) throws GeneralSecurityException {
    PrivateKey priv = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    if (!(priv instanceof ECPrivateKey ec)
        || ec.getParams().getCurve().getField().getFieldSize() != 384) {
      throw new GeneralSecurityException("the signing key is not an ECDSA P-384 private key");
    }
    PublicKey pub = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(spki));
    Signature s = Signature.getInstance("SHA384withECDSA");
    s.initSign(priv);
    s.update(new byte[] {1});
    byte[] probe = s.sign();
    Signature v = Signature.getInstance("SHA384withECDSA");
    v.initVerify(pub);
    v.update(new byte[] {1});
    if (!v.verify(probe)) {
      throw new GeneralSecurityException("the public key does not belong to the signing key");
    }
    return new KeyPair(pub, priv);
  }

  /** The key pair stored as {@code NAME.pk8} and {@code NAME.spki} side by side. */
  static KeyPair loadP384(Path pkcs8) throws IOException, GeneralSecurityException {
    Path spki =
        pkcs8.resolveSibling(pkcs8.getFileName().toString().replaceAll("\\.pk8$", "") + ".spki");
    return loadP384(Files.readAllBytes(pkcs8), Files.readAllBytes(spki));
  }

  /** The build's development keys in {@code dir}, made on first use (owner-only). */
  static Keys devKeys(Path dir) throws IOException, GeneralSecurityException {
    return new Keys(devKey(dir), LmsSigningKey.open(dir.resolve(DEV_LMS_KEY), true));
  }

  /** The development LMS key's file (its public key beside it, with {@code .spki} added). */
  public static final String DEV_LMS_KEY = "firmware-signing-dev.lms";

  private static KeyPair devKey(Path dir) throws IOException, GeneralSecurityException {
    Path priv = dir.resolve("firmware-signing-dev.pk8");
    if (!Files.exists(priv)) {
      OwnerOnly.createDirectories(dir);
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp384r1"));
      KeyPair kp = g.generateKeyPair();
      AtomicFile.write(priv, kp.getPrivate().getEncoded());
      AtomicFile.write(dir.resolve("firmware-signing-dev.spki"), kp.getPublic().getEncoded());
    }
    return loadP384(priv);
  }

  /**
   * Build step: {@code <unsigned image> <signed image out> <pinned key out> <pinned LMS key out>
   * <version> <svn> <dev key dir> [signing key .pk8] [LMS key]}. Signs with the supplied keys (both
   * or neither), or the development keys, and writes the public keys the device's boot ROM pins.
   */
  public static void main(String[] args) throws Exception {
    Path unsigned = Path.of(args[0]);
    Path signedOut = Path.of(args[1]);
    Path pinnedOut = Path.of(args[2]);
    Path pinnedLmsOut = Path.of(args[3]);
    String version = args[4];
    int svn = Integer.parseInt(args[5]);
    String ecdsaKey = args.length > 7 ? args[7] : "";
    String lmsKey = args.length > 8 ? args[8] : "";
    boolean supplied = ecdsaKey != null && !ecdsaKey.isBlank();
    if (supplied != (lmsKey != null && !lmsKey.isBlank())) {
      throw new IllegalArgumentException(
          "release firmware takes both keys: ihsm.firmware.signingKey and ihsm.firmware.lmsKey");
    }
    Keys keys =
        supplied
            ? new Keys(loadP384(Path.of(ecdsaKey)), LmsSigningKey.open(Path.of(lmsKey), false))
            : devKeys(Path.of(args[6]));
    byte[] signed =
        sign(
            Files.readAllBytes(unsigned),
            keys,
            supplied ? "ihsm release key" : DEV_SIGNER,
            version,
            svn);
    Files.createDirectories(signedOut.getParent());
    Files.write(signedOut, signed);
    Files.write(pinnedOut, keys.ecdsa().getPublic().getEncoded());
    Files.write(pinnedLmsOut, keys.lms().publicKey().getEncoded());
  }

  static String sha384(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-384").digest(b));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Stored, not deflated: the jars are compressed already, and an image read at every boot is then
   * copied, not inflated (docs/performance.md, "The CLI").
   */
  private static void put(ZipOutputStream zip, String name, byte[] content) throws IOException {
    ZipEntry e = new ZipEntry(name);
    e.setMethod(ZipEntry.STORED);
    e.setSize(content.length);
    e.setCompressedSize(content.length);
    CRC32 crc = new CRC32();
    crc.update(content);
    e.setCrc(crc.getValue());
    zip.putNextEntry(e);
    zip.write(content);
    zip.closeEntry();
  }
}
