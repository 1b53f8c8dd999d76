package io.ihsm.kmip.server;

import io.ihsm.ddi.message.CreatePartitionRequest;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Which partition each client certificate reaches: a properties file, one client per name.
 *
 * <pre>
 * client.NAME.certificate-sha256 = the SHA-256 of the client certificate (DER), hex
 * client.NAME.partition          = the partition's name in the key store
 * client.NAME.pin-file           = a file holding the partition's PIN (owner-only)
 * </pre>
 *
 * A certificate the file does not name is refused at the handshake's end, before any request is
 * read; so is one that the client CA did not sign (the TLS layer's check).
 */
final class ClientMap {
  /** One mapped client. */
  record Client(String name, String partition, Path pinFile) {}

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");

  private final Map<String, Client> byFingerprint;

  private ClientMap(Map<String, Client> byFingerprint) {
    this.byFingerprint = Map.copyOf(byFingerprint);
  }

  /**
   * @throws IllegalArgumentException naming the line that is wrong
   */
  static ClientMap load(Path file) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the client map " + file, e);
    }
    Map<String, Client> out = new TreeMap<>();
    Map<String, String> fingerprints = new TreeMap<>();
    for (String key : p.stringPropertyNames()) {
      String[] parts = key.split("\\.", 3);
      if (parts.length != 3 || !parts[0].equals("client") || !NAME.matcher(parts[1]).matches()) {
        throw new IllegalArgumentException(file + ": '" + key + "' is not client.NAME.FIELD");
      }
      if (!Map.of("certificate-sha256", 1, "partition", 1, "pin-file", 1).containsKey(parts[2])) {
        throw new IllegalArgumentException(
            file + ": '" + key + "': a client has certificate-sha256, partition and pin-file");
      }
    }
    for (String key : p.stringPropertyNames()) {
      String name = key.split("\\.", 3)[1];
      if (out.containsKey(name)) {
        continue;
      }
      String fp = required(p, file, name, "certificate-sha256");
      String partition = required(p, file, name, "partition");
      String pin = required(p, file, name, "pin-file");
      if (!SHA256.matcher(fp).matches()) {
        throw new IllegalArgumentException(
            file + ": client " + name + "'s certificate-sha256 is 64 hex digits");
      }
      if (!CreatePartitionRequest.validName(partition)) {
        throw new IllegalArgumentException(
            file + ": client " + name + "'s partition is not a partition name");
      }
      String normalized = fp.toLowerCase(java.util.Locale.ROOT);
      if (fingerprints.containsKey(normalized)) {
        throw new IllegalArgumentException(
            file
                + ": clients "
                + fingerprints.get(normalized)
                + " and "
                + name
                + " share a certificate");
      }
      fingerprints.put(normalized, name);
      Path pinPath = file.toAbsolutePath().getParent().resolve(pin);
      out.put(name, new Client(name, partition, pinPath));
    }
    Map<String, Client> byFp = new TreeMap<>();
    for (Map.Entry<String, String> f : fingerprints.entrySet()) {
      byFp.put(f.getKey(), out.get(f.getValue()));
    }
    return new ClientMap(byFp);
  }

  private static String required(Properties p, Path file, String name, String field) {
    String v = p.getProperty("client." + name + "." + field);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException(file + ": client " + name + " has no " + field);
    }
    return v.strip();
  }

  Optional<Client> find(X509Certificate certificate) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
      return Optional.ofNullable(byFingerprint.get(HexFormat.of().formatHex(digest)));
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      return Optional.empty();
    }
  }

  java.util.Collection<Client> clients() {
    return byFingerprint.values();
  }
}
