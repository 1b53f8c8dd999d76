package io.ihsm.ddi.domain;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.message.Body;
import io.ihsm.ddi.message.Certificates;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A joining device's request (DOMAIN_JOIN_REQUEST answer, DOMAIN_ADMIT request): the domain it asks
 * to join, a fresh nonce, its ephemeral HPKE public key (P-384, uncompressed), its DICE chain
 * (manufacturer root, DeviceID, Alias: DER, root first) and an ECDSA P-384/SHA-384 signature (DER)
 * by its Alias key over {@link #signedBytes()}.
 *
 * <pre>
 * bytes domainId (16), bytes nonce (32), bytes hpkeKey (97), u32 count (3), count × bytes
 * certificate (≤ 8192), bytes signature (≤ 104)
 * </pre>
 */
public record JoinRequest(
    byte[] domainId, byte[] nonce, byte[] hpkeKey, List<byte[]> chain, byte[] signature)
    implements Body {
  public static final int NONCE_BYTES = 32;
  public static final int HPKE_KEY_BYTES = 97;
  public static final int CHAIN_LENGTH = 3;
  public static final int MAX_SIGNATURE = 104;
  private static final byte[] CONTEXT =
      "ihsm domain join request v1\0".getBytes(StandardCharsets.US_ASCII);

  public JoinRequest {
    domainId = domainId.clone();
    nonce = nonce.clone();
    hpkeKey = hpkeKey.clone();
    chain = chain.stream().map(byte[]::clone).toList();
    signature = signature.clone();
  }

  @Override
  public byte[] domainId() {
    return domainId.clone();
  }

  @Override
  public byte[] nonce() {
    return nonce.clone();
  }

  @Override
  public byte[] hpkeKey() {
    return hpkeKey.clone();
  }

  @Override
  public List<byte[]> chain() {
    return chain.stream().map(byte[]::clone).toList();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  /** What the Alias key signs: a context string, then every field but the signature, encoded. */
  public byte[] signedBytes() {
    BodyWriter w = new BodyWriter();
    w.bytes(CONTEXT, CONTEXT.length);
    writeUnsigned(w);
    return w.toByteArray();
  }

  private void writeUnsigned(BodyWriter w) {
    w.bytes(domainId, DomainStatus.ID_BYTES)
        .bytes(nonce, NONCE_BYTES)
        .bytes(hpkeKey, HPKE_KEY_BYTES)
        .u32(chain.size());
    chain.forEach(c -> w.bytes(c, Certificates.MAX_CERTIFICATE));
  }

  @Override
  public void writeTo(BodyWriter w) {
    writeUnsigned(w);
    w.bytes(signature, MAX_SIGNATURE);
  }

  public static JoinRequest read(BodyReader r) throws DdiException {
    JoinRequest request = readField(r);
    r.end();
    return request;
  }

  static JoinRequest readField(BodyReader r) throws DdiException {
    byte[] domainId = exactly(r.bytes("domainId", DomainStatus.ID_BYTES), DomainStatus.ID_BYTES);
    byte[] nonce = exactly(r.bytes("nonce", NONCE_BYTES), NONCE_BYTES);
    byte[] key = exactly(r.bytes("hpkeKey", HPKE_KEY_BYTES), HPKE_KEY_BYTES);
    List<byte[]> chain = readChain(r);
    byte[] signature = r.bytes("signature", MAX_SIGNATURE);
    return new JoinRequest(domainId, nonce, key, chain, signature);
  }

  /** A DICE chain of exactly {@value #CHAIN_LENGTH} certificates. */
  static List<byte[]> readChain(BodyReader r) throws DdiException {
    int n = r.u32("count");
    if (n != CHAIN_LENGTH) {
      throw new DdiException(
          Status.MALFORMED_BODY, "a DICE chain is root, DeviceID and Alias: 3 certificates");
    }
    List<byte[]> chain = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      chain.add(r.bytes("certificate", Certificates.MAX_CERTIFICATE));
    }
    return chain;
  }

  static byte[] exactly(byte[] field, int length) throws DdiException {
    if (field.length != length) {
      throw new DdiException(Status.MALFORMED_BODY, "a field of " + length + " bytes");
    }
    return field;
  }
}
