package io.ihsm.ddi.domain;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.message.Body;
import io.ihsm.ddi.message.Certificates;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A member's admission of a joining device (DOMAIN_ADMIT answer, DOMAIN_JOIN_COMPLETE request): the
 * SHA-384 of the join request it answers, the domain (id, epoch, policy), the member's DICE chain,
 * the HPKE encapsulated key and the sealed domain secret, and an ECDSA P-384/SHA-384 signature
 * (DER) by the member's Alias key over {@link #signedBytes()}. The SHA-384 of the signed bytes is
 * the join's transcript hash.
 *
 * <pre>
 * bytes requestHash (48), bytes domainId (16), u32 epoch, DomainPolicy policy, u32 count (3),
 * count × bytes certificate, bytes enc (97), bytes sealedSecret (≤ 64), bytes signature (≤ 104)
 * </pre>
 */
public record Admission(
    byte[] requestHash,
    byte[] domainId,
    int epoch,
    DomainPolicy policy,
    List<byte[]> memberChain,
    byte[] enc,
    byte[] sealedSecret,
    byte[] signature)
    implements Body {
  public static final int HASH_BYTES = 48;
  public static final int MAX_SEALED_SECRET = 64;
  private static final byte[] CONTEXT =
      "ihsm domain admission v1\0".getBytes(StandardCharsets.US_ASCII);

  public Admission {
    requestHash = requestHash.clone();
    domainId = domainId.clone();
    memberChain = memberChain.stream().map(byte[]::clone).toList();
    enc = enc.clone();
    sealedSecret = sealedSecret.clone();
    signature = signature.clone();
  }

  @Override
  public byte[] requestHash() {
    return requestHash.clone();
  }

  @Override
  public byte[] domainId() {
    return domainId.clone();
  }

  @Override
  public List<byte[]> memberChain() {
    return memberChain.stream().map(byte[]::clone).toList();
  }

  @Override
  public byte[] enc() {
    return enc.clone();
  }

  @Override
  public byte[] sealedSecret() {
    return sealedSecret.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  /** The same admission with another signature (the member signs last). */
  public Admission signed(byte[] newSignature) {
    return new Admission(
        requestHash, domainId, epoch, policy, memberChain, enc, sealedSecret, newSignature);
  }

  /** What the member's Alias key signs: a context string, then every field but the signature. */
  public byte[] signedBytes() {
    BodyWriter w = new BodyWriter();
    w.bytes(CONTEXT, CONTEXT.length);
    writeUnsigned(w);
    return w.toByteArray();
  }

  private void writeUnsigned(BodyWriter w) {
    w.bytes(requestHash, HASH_BYTES).bytes(domainId, DomainStatus.ID_BYTES).u32(epoch);
    policy.writeTo(w);
    w.u32(memberChain.size());
    memberChain.forEach(c -> w.bytes(c, Certificates.MAX_CERTIFICATE));
    w.bytes(enc, JoinRequest.HPKE_KEY_BYTES).bytes(sealedSecret, MAX_SEALED_SECRET);
  }

  @Override
  public void writeTo(BodyWriter w) {
    writeUnsigned(w);
    w.bytes(signature, JoinRequest.MAX_SIGNATURE);
  }

  public static Admission read(BodyReader r) throws DdiException {
    byte[] requestHash = JoinRequest.exactly(r.bytes("requestHash", HASH_BYTES), HASH_BYTES);
    byte[] domainId =
        JoinRequest.exactly(r.bytes("domainId", DomainStatus.ID_BYTES), DomainStatus.ID_BYTES);
    int epoch = r.u32("epoch");
    DomainPolicy policy = DomainPolicy.readField(r);
    List<byte[]> chain = JoinRequest.readChain(r);
    byte[] enc =
        JoinRequest.exactly(r.bytes("enc", JoinRequest.HPKE_KEY_BYTES), JoinRequest.HPKE_KEY_BYTES);
    byte[] sealed = r.bytes("sealedSecret", MAX_SEALED_SECRET);
    byte[] signature = r.bytes("signature", JoinRequest.MAX_SIGNATURE);
    r.end();
    return new Admission(requestHash, domainId, epoch, policy, chain, enc, sealed, signature);
  }
}
