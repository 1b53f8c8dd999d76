package io.ihsm.kmip.server;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The server's TLS context from PEM files: its certificate chain and PKCS#8 key (RSA or EC,
 * unencrypted, kept owner-only), and the CA whose client certificates it accepts.
 */
public final class TlsContext {
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

  private TlsContext() {}

  /**
   * @param clientCa the CAs client certificates must chain to, or null for a server that does not
   *     ask clients for certificates
   * @throws IllegalArgumentException naming the file that does not hold what it should
   */
  public static SSLContext fromPem(Path certificateChain, Path privateKey, Path clientCa)
      throws IOException {
    try {
      List<Certificate> chain = certificates(certificateChain);
      List<Certificate> cas = clientCa == null ? List.of() : certificates(clientCa);
      byte[] pkcs8 = single(privateKey, "PRIVATE KEY");
      PrivateKey key;
      try {
        key = privateKey(pkcs8);
      } finally {
        Arrays.fill(pkcs8, (byte) 0);
      }
      char[] none = new char[0];
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("server", key, none, chain.toArray(new Certificate[0]));
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, none);
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      for (int i = 0; i < cas.size(); i++) {
        trust.setCertificateEntry("ca-" + i, cas.get(i));
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), clientCa == null ? null : tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "the TLS files do not make a context: " + e.getMessage(), e);
    }
  }

  private static PrivateKey privateKey(byte[] pkcs8) {
    for (String alg : List.of("RSA", "EC")) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
      } catch (GeneralSecurityException tryNext) {
        // the other algorithm, then the refusal below
      }
    }
    throw new IllegalArgumentException("the TLS key is not an RSA or EC PKCS#8 private key");
  }

  private static List<Certificate> certificates(Path pem)
      throws IOException, GeneralSecurityException {
    List<Certificate> out = new ArrayList<>();
    CertificateFactory f = CertificateFactory.getInstance("X.509");
    for (byte[] der : blocks(pem, "CERTIFICATE")) {
      out.add(f.generateCertificate(new ByteArrayInputStream(der)));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(pem + " holds no PEM certificate");
    }
    return out;
  }

  private static byte[] single(Path pem, String type) throws IOException {
    List<byte[]> b = blocks(pem, type);
    if (b.size() != 1) {
      throw new IllegalArgumentException(pem + " holds no single PEM " + type);
    }
    return b.get(0);
  }

  private static List<byte[]> blocks(Path pem, String type) throws IOException {
    if (Files.size(pem) > 1 << 20) {
      throw new IllegalArgumentException(pem + " is too large for a PEM file");
    }
    String text = Files.readString(pem, StandardCharsets.US_ASCII);
    List<byte[]> out = new ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      if (m.group(1).equals(type)) {
        out.add(Base64.getMimeDecoder().decode(m.group(2)));
      }
    }
    return out;
  }
}
