package io.ihsm.jca;

import io.ihsm.ddi.key.GenerateKeyRequest;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.sdk.IhsmException;
import io.ihsm.sdk.KeyImport;
import io.ihsm.sdk.PartitionClient;
import io.ihsm.sdk.store.HostKeyStore.StoredKey;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.KeyStoreSpi;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import javax.crypto.SecretKey;

/**
 * The KeyStore {@code IHSM}: one partition's keys, by label. Private keys carry the certificate
 * chains kept beside them in the host key store; secret keys have none. Storing an HSM key files it
 * under the alias; storing a software key imports it into the HSM (wrapped for the partition's
 * unwrapping key) as a non-extractable key, and the software copy is not kept. Load with {@code
 * load(null, pin)} (or {@code null}: the configured PIN source); entries are saved as they are set,
 * so {@code store(null, ...)} has nothing left to do. Key passwords are ignored: the partition PIN
 * protects every key.
 */
final class HsmKeyStore extends KeyStoreSpi {
  private final Hsm hsm;

  HsmKeyStore(Hsm hsm) {
    this.hsm = hsm;
  }

  @Override
  public void engineLoad(InputStream stream, char[] password) throws IOException {
    if (stream != null) {
      throw new IOException(
          "IHSM keys live in the HSM: load with a null stream (keytool: -keystore NONE)");
    }
    try {
      if (password != null && password.length > 0) {
        hsm.login(password);
      } else {
        hsm.partition();
      }
    } catch (IhsmException e) {
      KeyStoreException k = Failures.keyStore(hsm, e);
      throw new IOException(k.getMessage(), k);
    } catch (IllegalStateException e) {
      throw new IOException(e.getMessage(), new KeyStoreException(e.getMessage()));
    }
  }

  /** Entries are stored and read without passwords: the partition PIN protects every key. */
  /**
   * The entry attribute that names an imported private key's usage ({@code sign}, {@code encrypt}
   * or {@code derive}) when its certificate's KeyUsage does not, or to override it.
   */
  public static final String USAGE_ATTRIBUTE = "ihsm.usage";

  @Override
  public void engineSetEntry(
      String alias, KeyStore.Entry entry, KeyStore.ProtectionParameter protection)
      throws KeyStoreException {
    switch (entry) {
      case KeyStore.PrivateKeyEntry p ->
          setKeyEntry(
              alias,
              p.getPrivateKey(),
              p.getCertificateChain(),
              usageAttribute(p.getAttributes(), true).orElse(null));
      case KeyStore.SecretKeyEntry s ->
          setKeyEntry(
              alias, s.getSecretKey(), null, usageAttribute(s.getAttributes(), false).orElse(null));
      default ->
          throw new KeyStoreException(
              "IHSM stores private and secret key entries, not "
                  + entry.getClass().getSimpleName());
    }
  }

  /**
   * A private key entry, or a secret key entry, by what the key is: not by whether it has a
   * certificate (a key made by `ihsm key generate` or pkcs11-tool has none, and is still a private
   * key).
   */
  @Override
  public boolean engineEntryInstanceOf(String alias, Class<? extends KeyStore.Entry> entryClass) {
    StoredKey k = stored(alias);
    if (k == null) {
      return false;
    }
    boolean asymmetric = k.kind().isAsymmetric();
    return asymmetric
        ? entryClass == KeyStore.PrivateKeyEntry.class
        : entryClass == KeyStore.SecretKeyEntry.class;
  }

  /**
   * @throws KeyStoreException for a private key without a certificate: the JCA's PrivateKeyEntry
   *     cannot be made without one; {@code getKey} loads the key, and {@code setKeyEntry} with a
   *     certificate files one
   */
  @Override
  public KeyStore.Entry engineGetEntry(String alias, KeyStore.ProtectionParameter protection)
      throws KeyStoreException {
    Key key = engineGetKey(alias, null);
    return switch (key) {
      case null -> null;
      case PrivateKey p -> {
        Certificate[] chain = engineGetCertificateChain(alias);
        if (chain == null) {
          throw new KeyStoreException(
              "the private key "
                  + alias
                  + " has no certificate, and a PrivateKeyEntry needs one:"
                  + " getKey(\""
                  + alias
                  + "\", null) loads the key; setKeyEntry with its certificate files one");
        }
        yield new KeyStore.PrivateKeyEntry(p, chain);
      }
      case SecretKey s -> new KeyStore.SecretKeyEntry(s);
      default -> null;
    };
  }

  @Override
  public void engineStore(OutputStream stream, char[] password) throws IOException {
    if (stream != null) {
      throw new IOException(
          "IHSM entries are saved as they are set: store(null, ...) (keytool: -keystore NONE)");
    }
  }

  private PartitionClient partition() {
    return hsm.partition();
  }

  @Override
  public Key engineGetKey(String alias, char[] password) {
    StoredKey k = stored(alias);
    // "label#version" names one version, which keeps decrypting and verifying after a rotation.
    return k == null ? null : hsm.key(k, alias);
  }

  /** The entry of an alias, or null when there is none (or the alias cannot be a label). */
  private StoredKey stored(String alias) {
    try {
      return partition().key(alias);
    } catch (IhsmException | IllegalArgumentException none) {
      return null;
    }
  }

  @Override
  public Certificate[] engineGetCertificateChain(String alias) {
    if (stored(alias) == null) {
      return null;
    }
    List<byte[]> der = partition().keyCertificates(alias);
    if (der.isEmpty()) {
      return null;
    }
    try {
      CertificateFactory f = CertificateFactory.getInstance("X.509");
      List<Certificate> chain = new ArrayList<>();
      for (byte[] c : der) {
        chain.add(f.generateCertificate(new ByteArrayInputStream(c)));
      }
      return chain.toArray(new Certificate[0]);
    } catch (CertificateException e) {
      throw new IllegalStateException("the stored chain of " + alias + " does not parse", e);
    }
  }

  @Override
  public Certificate engineGetCertificate(String alias) {
    Certificate[] chain = engineGetCertificateChain(alias);
    return chain == null ? null : chain[0];
  }

  @Override
  public Date engineGetCreationDate(String alias) {
    return stored(alias) == null ? null : Date.from(partition().keyFiled(alias));
  }

  /**
   * The usage an entry names: sign, encrypt or derive for a private key; any usage for a secret key
   * (the HSM checks the kind).
   */
  private static Optional<KeyUsage> usageAttribute(
      Set<KeyStore.Entry.Attribute> attributes, boolean privateKey) throws KeyStoreException {
    for (KeyStore.Entry.Attribute a : attributes) {
      if (a.getName().equals(USAGE_ATTRIBUTE)) {
        KeyUsage u = KeyUsage.fromTextName(a.getValue());
        if (u == null || privateKey && u == KeyUsage.WRAP) {
          throw new KeyStoreException(
              USAGE_ATTRIBUTE
                  + " is sign, encrypt"
                  + (privateKey ? "" : ", wrap")
                  + " or derive,"
                  + " not "
                  + a.getValue());
        }
        return Optional.of(u);
      }
    }
    return Optional.empty();
  }

  @Override
  public void engineSetKeyEntry(String alias, Key key, char[] password, Certificate[] chain)
      throws KeyStoreException {
    setKeyEntry(alias, key, chain, null);
  }

  /**
   * @param usage the usage an entry attribute named, or null: the certificate's KeyUsage decides
   */
  private void setKeyEntry(String alias, Key key, Certificate[] chain, KeyUsage usage)
      throws KeyStoreException {
    if (key instanceof PrivateKey && (chain == null || chain.length == 0)) {
      throw new KeyStoreException("a private key entry needs its certificate chain");
    }
    try {
      String label =
          switch (key) {
            case IhsmKey own -> fileOwn(alias, own);
            case PrivateKey software ->
                importSoftware(
                    alias, software, usage != null ? usage : usageOf(software, chain[0]));
            case SecretKey software -> importSoftware(alias, software, usage);
            default ->
                throw new KeyStoreException(
                    "IHSM stores private and secret keys, not " + key.getClass().getSimpleName());
          };
      partition().saveKeyCertificates(label, encoded(chain));
    } catch (IhsmException e) {
      throw new KeyStoreException(
          "IHSM could not store " + alias + ": " + e.getMessage() + " [" + e.status() + "]", e);
    } catch (IllegalArgumentException e) {
      throw new KeyStoreException(e.getMessage(), e);
    }
  }

  /** An HSM key of this partition, filed under the alias (replacing what the alias held). */
  private String fileOwn(String alias, IhsmKey key) throws KeyStoreException {
    KeyRef ref = key instanceof IhsmPrivateKey p ? p.ref : ((IhsmSecretKey) key).ref;
    if (ref.hsm != hsm) {
      throw new KeyStoreException("the key belongs to another IHSM provider instance");
    }
    if (!ref.label().equals(alias)) {
      if (stored(alias) != null) {
        partition().deleteKey(alias);
      }
      partition().renameKey(ref.label(), alias);
      ref.relabel(alias);
    }
    return alias;
  }

  /**
   * The usage of an imported private key, from its certificate's KeyUsage extension:
   * digitalSignature (or nonRepudiation, keyCertSign, cRLSign) is sign; keyEncipherment or
   * dataEncipherment is encrypt (RSA); keyAgreement is derive (EC). No extension: sign. A
   * certificate that allows two of these is refused: an IHSM key has exactly one usage ({@link
   * #USAGE_ATTRIBUTE} chooses).
   */
  static KeyUsage usageOf(Key key, Certificate leaf) throws KeyStoreException {
    boolean[] ku = leaf instanceof X509Certificate x ? x.getKeyUsage() : null;
    if (ku == null) {
      return KeyUsage.SIGN;
    }
    boolean sign = bit(ku, 0) || bit(ku, 1) || bit(ku, 5) || bit(ku, 6);
    boolean encrypt = bit(ku, 2) || bit(ku, 3);
    boolean derive = bit(ku, 4);
    int classes = (sign ? 1 : 0) + (encrypt ? 1 : 0) + (derive ? 1 : 0);
    if (classes != 1) {
      throw new KeyStoreException(
          "the certificate's KeyUsage "
              + (classes == 0
                  ? "names no usage IHSM has"
                  : "allows more than one of signing, encipherment and key agreement")
              + "; an IHSM key has exactly one:"
              + " store a PrivateKeyEntry with the attribute "
              + USAGE_ATTRIBUTE
              + " = sign, encrypt or derive");
    }
    KeyUsage usage = sign ? KeyUsage.SIGN : encrypt ? KeyUsage.ENCRYPT : KeyUsage.DERIVE;
    boolean ec = key instanceof ECPrivateKey;
    if (ec && usage == KeyUsage.ENCRYPT || !ec && usage == KeyUsage.DERIVE) {
      throw new KeyStoreException(
          "the certificate's KeyUsage asks "
              + usage.textName()
              + " of an "
              + (ec ? "EC" : "RSA")
              + " key, which IHSM does not offer");
    }
    return usage;
  }

  private static boolean bit(boolean[] bits, int i) {
    return i < bits.length && bits[i];
  }

  /**
   * A software key brought into the HSM through the wrapped-import path, under the alias; without a
   * usage, an AES key is for encrypt and the others for sign.
   */
  private String importSoftware(String alias, Key key, KeyUsage chosenUsage)
      throws KeyStoreException {
    KeyKind kind = kindOf(key);
    byte[] material = key.getEncoded();
    if (material == null) {
      throw new KeyStoreException("the " + key.getAlgorithm() + " key has no encoding to import");
    }
    try {
      KeyUsage usage =
          chosenUsage != null
              ? chosenUsage
              : kind.family() == KeyKind.Family.AES ? KeyUsage.ENCRYPT : KeyUsage.SIGN;
      byte[] wrapped = KeyImport.wrapForImport(partition().unwrappingKey(), material);
      String provisional = hsm.provisionalLabel();
      partition().importKey(provisional, kind, usage, false, wrapped);
      if (stored(alias) != null) {
        partition().deleteKey(alias);
      }
      partition().renameKey(provisional, alias);
      return alias;
    } finally {
      Arrays.fill(material, (byte) 0);
    }
  }

  private static KeyKind kindOf(Key key) throws KeyStoreException {
    try {
      return switch (key) {
        case ECPrivateKey ec -> HsmSignature.ecKind(ec.getParams());
        case RSAPrivateCrtKey rsa ->
            switch (rsa.getModulus().bitLength()) {
              case 2048 -> KeyKind.RSA_2048;
              case 3072 -> KeyKind.RSA_3072;
              case 4096 -> KeyKind.RSA_4096;
              default ->
                  throw new KeyStoreException("IHSM holds RSA keys of 2048, 3072 or 4096 bits");
            };
        case SecretKey s when s.getAlgorithm().equalsIgnoreCase("AES") && s.getEncoded() != null ->
            switch (s.getEncoded().length) {
              case 16 -> KeyKind.AES_128;
              case 24 -> KeyKind.AES_192;
              case 32 -> KeyKind.AES_256;
              default -> throw new KeyStoreException("AES keys are 128, 192 or 256 bits");
            };
        case SecretKey s when s.getAlgorithm().toUpperCase(Locale.ROOT).startsWith("HMACSHA") -> {
          KeyKind k =
              switch (s.getAlgorithm().toUpperCase(Locale.ROOT)) {
                case "HMACSHA256" -> KeyKind.HMAC_SHA256;
                case "HMACSHA384" -> KeyKind.HMAC_SHA384;
                case "HMACSHA512" -> KeyKind.HMAC_SHA512;
                default ->
                    throw new KeyStoreException(
                        "IHSM holds HmacSHA256, HmacSHA384 and HmacSHA512 keys");
              };
          int n = s.getEncoded() == null ? 0 : s.getEncoded().length;
          if (n < GenerateKeyRequest.MIN_HMAC_BYTES || n > GenerateKeyRequest.MAX_HMAC_BYTES) {
            throw new KeyStoreException(
                "an "
                    + s.getAlgorithm()
                    + " key for IHSM is 14 to 128 bytes (112 to 1024 bits),"
                    + " got "
                    + n);
          }
          yield k;
        }
        default ->
            throw new KeyStoreException("IHSM cannot import a " + key.getAlgorithm() + " key");
      };
    } catch (InvalidKeyException e) {
      throw new KeyStoreException(e.getMessage(), e);
    }
  }

  private static List<byte[]> encoded(Certificate[] chain) throws KeyStoreException {
    List<byte[]> der = new ArrayList<>();
    try {
      for (Certificate c : chain == null ? new Certificate[0] : chain) {
        der.add(c.getEncoded());
      }
    } catch (CertificateEncodingException e) {
      throw new KeyStoreException("a certificate of the chain has no encoding", e);
    }
    return der;
  }

  @Override
  public void engineSetKeyEntry(String alias, byte[] key, Certificate[] chain)
      throws KeyStoreException {
    throw new KeyStoreException("IHSM imports keys given as Key objects, not as protected bytes");
  }

  @Override
  public void engineSetCertificateEntry(String alias, Certificate cert) throws KeyStoreException {
    throw new KeyStoreException(
        "IHSM keeps keys with their chains, not trusted certificates: use a truststore");
  }

  @Override
  public void engineDeleteEntry(String alias) throws KeyStoreException {
    if (stored(alias) == null) {
      return;
    }
    try {
      partition().deleteKey(alias);
    } catch (IhsmException e) {
      throw new KeyStoreException("IHSM could not delete " + alias + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Enumeration<String> engineAliases() {
    return Collections.enumeration(partition().keys().stream().map(StoredKey::label).toList());
  }

  @Override
  public boolean engineContainsAlias(String alias) {
    return stored(alias) != null;
  }

  @Override
  public int engineSize() {
    return partition().keys().size();
  }

  @Override
  public boolean engineIsKeyEntry(String alias) {
    return stored(alias) != null;
  }

  @Override
  public boolean engineIsCertificateEntry(String alias) {
    return false;
  }

  @Override
  public String engineGetCertificateAlias(Certificate cert) {
    for (StoredKey k : partition().keys()) {
      Certificate mine = engineGetCertificate(k.label());
      if (mine != null && mine.equals(cert)) {
        return k.label();
      }
    }
    return null;
  }
}
